"""The staff turnover story: leavers, downgraded to end-user on a working day of their team,
and one agent made admin part-way through the period."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from csops.simulator.calendar import UTC, Team
from csops.simulator.config import CenterConfig

if TYPE_CHECKING:
    from csops.simulator.population import Agent

# A team loses a leaver only while it has this many agents: it goes on answering its queue and tickets.
TURNOVER_MIN_TEAM_SIZE = 3


def with_turnover(config: CenterConfig, agents: list[Agent], team_map: dict[str, Team]) -> list[Agent]:
    """The staff turnover story, from a stream of its own (the other stories' draws stay as
    they were): leavers and one promotion, among agents neither in the training cohort nor
    moving team, so those stories keep their figures."""
    stories = config.stories
    rng = random.Random(config.stream("turnover"))
    team_sizes = {key: sum(a.team_key == key for a in agents) for key in team_map}
    candidates = [a.index for a in agents if not a.is_trained and a.moves_on is None
                  and team_sizes[a.team_key] >= TURNOVER_MIN_TEAM_SIZE]
    count = max(1 if len(agents) >= 8 else 0, round(len(agents) * stories.turnover_leaver_share))
    leavers = []
    for index in rng.sample(candidates, min(count, len(candidates))):
        if team_sizes[agents[index].team_key] >= TURNOVER_MIN_TEAM_SIZE:  # two stay, at least
            leavers.append(index)
            team_sizes[agents[index].team_key] -= 1
    agents = list(agents)
    for n, index in enumerate(leavers):
        first, last = stories.turnover_first_leave_days if n == 0 else stories.turnover_leave_days
        agent = agents[index]
        team = team_map[agent.team_key]
        leaves_on = _working_day_on_or_after(config.start + timedelta(days=rng.randint(first, last)), team)
        # The admin downgrades the leaver early on the day, before the team opens (07:00 local):
        # the same UTC day in every team's timezone.
        leaves_at = _utc(leaves_on, time(7, rng.randrange(60), rng.randrange(60)), team)
        agents[index] = replace(agent, leaves_on=leaves_on, leaves_at=leaves_at)
    others = [index for index in candidates if index not in leavers]
    if others:
        index = rng.choice(others)
        first, last = stories.turnover_promotion_days
        team = team_map[agents[index].team_key]
        promoted_on = _working_day_on_or_after(config.start + timedelta(days=rng.randint(first, last)), team)
        promoted_at = _utc(promoted_on, time(13, rng.randrange(60), rng.randrange(60)), team)
        agents[index] = replace(agents[index], promoted_at=promoted_at)
    return agents


def _working_day_on_or_after(day: date, team: Team) -> date:
    """A manager changes a user's role on a working day of the user's team."""
    while day.weekday() >= 5 or team.is_holiday(day):
        day += timedelta(days=1)
    return day


def _utc(day: date, local_time: time, team: Team) -> datetime:
    return datetime.combine(day, local_time, tzinfo=team.tz).astimezone(UTC).replace(tzinfo=None)
