"""What the simulator planted in the center as a whole, for the tests and the curious:
``truth/stories.json`` (the stories and whom they touch) and ``truth/agents.jsonl``."""

from __future__ import annotations

from dataclasses import asdict

import orjson

from csops.simulator.config import CenterConfig
from csops.simulator.exports import jsonl, utc_text
from csops.simulator.population import population
from csops.simulator.zendesk_records import MEMBERSHIPS_SINCE


def stories_truth(shards: list[CenterConfig]) -> bytes:
    """Every planted story with its parameters and what it touches, for the tests and the curious."""
    config = shards[0]
    agents = [agent for shard in shards for agent in population(shard).agents]
    people = population(config)
    stories = config.stories
    return orjson.dumps({
        "center": {"agents": len(agents), "start": config.start.isoformat(), "seed": config.seed,
                   "customers": sum(shard.customers for shard in shards), "shards": len(shards)},
        "stories": asdict(stories),
        "training_date": config.training_date.isoformat(),
        "training_cohort": [a.connect_username for a in agents if a.is_trained],
        "holiday_thin_week_start": people.holiday_week_start.isoformat(),
        "team_moves": [{"agent": a.connect_username, "from": a.team_key, "to": a.moves_to_team,
                        "on": a.moves_on.isoformat()} for a in agents if a.moves_on],
        # Staff turnover: every agent's teams and roles over time are in agents.jsonl.
        "leavers": [{"agent": a.connect_username, "index": a.number, "team_key": a.team_key,
                     "left_on": a.leaves_on.isoformat(), "left_at": utc_text(a.leaves_at)}
                    for a in agents if a.leaves_on],
        "promotions": [{"agent": a.connect_username, "index": a.number, "role": "admin",
                        "on": a.promoted_at.date().isoformat(), "at": utc_text(a.promoted_at)}
                       for a in agents if a.promoted_at],
        "agents": [{"index": a.number, "username": a.connect_username, "zendesk_user_id": a.zendesk_user_id,
                    "team_key": a.team_key, "is_trained": a.is_trained} for a in agents],
    }, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)


def agents_truth(shards: list[CenterConfig]) -> list[str]:
    """Every agent of the center, a line each (``truth/agents.jsonl``): their teams and roles
    over time, as the warehouse must keep them. ``agent_index`` is the contacts' truth's.
    ``teams``: each spell's ``team_key``, ``from`` (inclusive) and ``to`` (exclusive; null while
    it lasts); the first spell from the membership's creation. ``left_on``: the day a leaver left
    (in their team's calendar, also the UTC day of ``left_at``), from which they work no shift and
    touch no ticket; ``left_at``: the moment Zendesk downgraded them to end-user (their users
    row's updated_at). ``role_changes``: each change of Zendesk role after ``role_at_start``,
    with its UTC day and moment."""
    rows = []
    for agent in (agent for shard in shards for agent in population(shard).agents):
        spells = [{"team_key": agent.team_key, "from": MEMBERSHIPS_SINCE.isoformat(), "to": None}]
        if agent.moves_on is not None:
            spells[-1]["to"] = agent.moves_on.isoformat()
            spells.append({"team_key": agent.moves_to_team, "from": agent.moves_on.isoformat(), "to": None})
        if agent.leaves_on is not None:
            spells[-1]["to"] = agent.leaves_on.isoformat()
        changes = sorted((moment, role) for moment, role in ((agent.promoted_at, "admin"),
                                                             (agent.leaves_at, "end-user")) if moment is not None)
        rows.append({
            "agent_index": agent.number, "zendesk_user_id": agent.zendesk_user_id,
            "connect_username": agent.connect_username, "is_trained": agent.is_trained, "teams": spells,
            "left_on": agent.leaves_on.isoformat() if agent.leaves_on else None,
            "left_at": utc_text(agent.leaves_at) if agent.leaves_at else None,
            "role_at_start": "agent",
            "role_changes": [{"on": moment.date().isoformat(), "at": utc_text(moment), "role": role}
                             for moment, role in changes],
        })
    return jsonl(rows)
