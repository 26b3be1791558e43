"""Two stories on the pipeline's test center (tests/conftest.py): staff turnover (an agent leaves,
another is made admin) and reply-less solves. What the vendors' exports show of them, and the
truth the warehouse's tests check against (truth/agents.jsonl, the contacts' truth).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from csops.simulator import simulate
from csops.simulator.calendar import sla_policies
from csops.simulator.config import CenterConfig, Stories
from csops.simulator.population import AGENT_USER_ID_BASE, CUSTOMER_USER_ID_BASE, population
from csops.simulator.roster import shifts_on
from csops.simulator.tickets import _minutes, _replyless, route
from tests import landed
from tests.conftest import SMALL_CENTER
from tests.simulator.test_simulator import tree_digest

CONFIG = CenterConfig(agents=SMALL_CENTER.agents, days=SMALL_CENTER.days, start=SMALL_CENTER.start,
                      seed=SMALL_CENTER.seed)
DAYS = [CONFIG.start + timedelta(days=n) for n in range(CONFIG.days)]
LANDED_UNTIL = datetime.combine(CONFIG.end + timedelta(days=1), datetime.min.time())
AGENT_IDS = range(AGENT_USER_ID_BASE, CUSTOMER_USER_ID_BASE)  # the bot (899999) is below: not an agent's reply


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def naive(text: str) -> datetime:
    return utc(text).astimezone(timezone.utc).replace(tzinfo=None)


@pytest.fixture(scope="module")
def center(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("turnover")
    simulate(CONFIG, root / "landing", root / "truth", root / "simulator")
    return root


@pytest.fixture(scope="module")
def agents(center) -> list[dict]:
    return [json.loads(line) for line in (center / "truth" / "agents.jsonl").open()]


@pytest.fixture(scope="module")
def leavers(agents) -> list[dict]:
    return [agent for agent in agents if agent["left_on"]]


@pytest.fixture(scope="module")
def contacts(center) -> list[dict]:
    return [json.loads(line) for path in sorted(center.glob("truth/*/contacts.jsonl")) for line in path.open()]


@pytest.fixture(scope="module")
def audits_by_ticket(center) -> dict[int, list[dict]]:
    by_ticket = defaultdict(list)
    for audit in landed.records(center / "landing", "crm", "ticket_audits"):
        by_ticket[audit["ticket_id"]].append(audit)
    return {ticket: sorted(audits, key=lambda a: (a["created_at"], a["id"])) for ticket, audits in by_ticket.items()}


def by_day(landing: Path, export: str) -> dict[date, list[dict]]:
    """Each day's records of a daily Zendesk export (users, group memberships)."""
    days = defaultdict(list)
    for path in landed.export_files(landing, "crm", export):
        days[date.fromisoformat(path.parent.name)] += [r.value for r in landed.file_records(landing, path)]
    return days


# Staff turnover -----------------------------------------------------------------------------

def test_the_test_center_has_a_leaver_who_worked_several_days_first(leavers):
    people = population(CONFIG)
    assert leavers
    for leaver in leavers:
        left_on = date.fromisoformat(leaver["left_on"])
        worked = [day for day in DAYS
                  if any(s.agent.number == leaver["agent_index"] for s in shifts_on(people, CONFIG, day))]
        assert worked and max(worked) < left_on, (leaver, worked)
        assert len(worked) >= 3 and left_on < CONFIG.end, (leaver, worked)
        assert utc(leaver["left_at"]).date() == left_on
        assert leaver["role_changes"] == [{"on": leaver["left_on"], "at": leaver["left_at"], "role": "end-user"}]
        assert leaver["teams"][-1]["to"] == leaver["left_on"]


def test_a_leaver_takes_no_call_ticket_or_agent_event_once_gone_and_keeps_their_past(center, leavers, contacts,
                                                                                    audits_by_ticket):
    landing = center / "landing"
    calls = landed.records(landing, "telephony", "contact_records")
    events = landed.records(landing, "telephony", "agent_events")
    for leaver in leavers:
        left_at, username, user_id = utc(leaver["left_at"]), leaver["connect_username"], leaver["zendesk_user_id"]
        answered = [utc(c["Agent"]["ConnectedToAgentTimestamp"]) for c in calls
                    if c["Agent"] and c["Agent"]["Username"].casefold() == username]
        own_events = [utc(e["EventTimestamp"]) for e in events if e["AgentARN"].endswith(f"/agent/{username}")]
        written = [utc(a["created_at"]) for audits in audits_by_ticket.values() for a in audits
                   if a["author_id"] == user_id]
        credited = [utc(t["contact_at"]) for t in contacts if t["agent_index"] == leaver["agent_index"]]
        assert answered and own_events and credited, leaver  # their past is there...
        for moments in (answered, own_events, written, credited):
            assert all(moment < left_at for moment in moments), leaver  # ...and nothing after
        # Their contacts stay theirs, in their team.
        assert {t["team_key"] for t in contacts if t["agent_index"] == leaver["agent_index"]} == {
            leaver["teams"][-1]["team_key"]}


def test_the_users_export_downgrades_a_leaver_to_end_user_and_makes_one_agent_admin(center, agents, leavers):
    users = by_day(center / "landing", "users")
    promoted = [a for a in agents if [c["role"] for c in a["role_changes"]] == ["admin"]]
    assert len(promoted) == 1 and not promoted[0]["left_on"]
    for agent in leavers + promoted:
        (change,) = agent["role_changes"]
        for day in DAYS:
            (row,) = [u for u in users[day] if u["id"] == agent["zendesk_user_id"]]
            assert row["active"] is True and row["email"].startswith(agent["connect_username"] + "@")
            if day < date.fromisoformat(change["on"]):
                assert row["role"] == "agent" and utc(row["updated_at"]) < utc(change["at"]), (day, row)
            else:  # Zendesk stamps the role change: a real moment of that day
                assert (row["role"], row["updated_at"]) == (change["role"], change["at"]), (day, row)
    others = [a for a in agents if not a["role_changes"]]
    assert {u["role"] for day in DAYS for u in users[day] if u["id"] in {a["zendesk_user_id"] for a in others}} == {
        "agent"}


def test_group_memberships_follow_the_truths_team_spells_and_a_leavers_is_deleted(center, agents, leavers):
    memberships = by_day(center / "landing", "group_memberships")
    group_ids = population(CONFIG).group_ids
    for day in DAYS:
        shown = {m["user_id"]: m["group_id"] for m in memberships[day]}
        expected = {a["zendesk_user_id"]: group_ids[spell["team_key"]] for a in agents for spell in a["teams"]
                    if date.fromisoformat(spell["from"]) <= day
                    and (spell["to"] is None or day < date.fromisoformat(spell["to"]))}
        assert shown == expected, day
    for leaver in leavers:
        present = [day for day in DAYS if any(m["user_id"] == leaver["zendesk_user_id"] for m in memberships[day])]
        assert present == [day for day in DAYS if day < date.fromisoformat(leaver["left_on"])]


def test_the_promoted_admin_goes_on_answering(center, agents, audits_by_ticket):
    (admin,) = [a for a in agents if [c["role"] for c in a["role_changes"]] == ["admin"]]
    promoted_at = utc(admin["role_changes"][0]["at"])
    replies = [utc(a["created_at"]) for audits in audits_by_ticket.values() for a in audits
               if a["author_id"] == admin["zendesk_user_id"]
               and any(e["type"] == "Comment" and e["public"] for e in a["events"])]
    assert min(replies) < promoted_at < max(replies)


def test_landing_past_the_leave_day_later_lands_the_same_bytes(center, tmp_path):
    """The leave and the promotion are days from the start, never from --days: landing the first
    days, then the rest, lands what one run does."""
    split = tmp_path / "split"
    for days in (6, CONFIG.days):
        simulate(replace(CONFIG, days=days), split / "landing", split / "truth", split / "simulator")
    assert tree_digest(split / "landing") == tree_digest(center / "landing")
    assert tree_digest(split / "truth") == tree_digest(center / "truth")


def test_the_stories_switch_off():
    assert {"staff_turnover", "replyless_solves"} <= set(Stories.names())
    quiet = replace(CONFIG, stories=Stories(staff_turnover=False, replyless_solves=False))
    assert not any(a.leaves_on or a.promoted_at for a in population(quiet).agents)
    assert not any(_replyless(quiet, ticket_id) for ticket_id in range(1, 5000))
    assert any(_replyless(CONFIG, ticket_id) for ticket_id in range(1, 5000))


# Reply-less solves ----------------------------------------------------------------------------

def first_solve(audits: list[dict]) -> dict | None:
    return next((a for a in audits if any(e["type"] == "Change" and e["field_name"] == "status"
                                          and e["value"] == "solved" for e in a["events"])), None)


def public_agent_replies(audits: list[dict]) -> list[dict]:
    return [a for a in audits if any(e["type"] == "Comment" and e["public"] and e["author_id"] in AGENT_IDS
                                     for e in a["events"])]


def test_replyless_solves_are_solved_with_a_private_note_and_no_public_reply(contacts, audits_by_ticket):
    tickets = [t for t in contacts if t["system"] == "crm"]
    customer_tickets = [t for t in tickets if t["channel"] != "chat" and not t["is_agent_created"]]
    replyless = [t for t in tickets if t["is_replyless_solve"]]
    assert 0.025 < len(replyless) / len(customer_tickets) < 0.06, (len(replyless), len(customer_tickets))
    assert all(t in customer_tickets and not t["is_one_touch"] for t in replyless)
    checked = 0
    for truth in replyless:
        audits = audits_by_ticket[int(truth["contact_ref"])]
        solve = first_solve(audits)
        if solve is None:  # created near the end: its first solve is not landed yet
            assert naive(truth["first_solved_at"]) >= LANDED_UNTIL
            continue
        checked += 1
        assert solve["created_at"] == truth["first_solved_at"]
        until_solved = [a for a in audits if (a["created_at"], a["id"]) <= (solve["created_at"], solve["id"])]
        assert not public_agent_replies(until_solved)
        assert [e["public"] for e in solve["events"] if e["type"] == "Comment"] == [False]
    assert checked > 0.8 * len(replyless)


def test_a_replyless_tickets_first_response_clock_stops_at_its_first_solve(contacts, audits_by_ticket):
    """The truth's breach is measured from creation to the first solve, in the SLA policy's hours;
    a reopen does not restart it, though the first public reply comes much later."""
    people = population(CONFIG)
    replyless = [t for t in contacts if t["system"] == "crm" and t["is_replyless_solve"]]
    outcomes, later_reply_would_breach = set(), 0
    for truth in replyless:
        policy = sla_policies()[(truth["priority"], truth["channel"])]
        team = people.teams[route(truth["category"], truth["customer_index"])]
        created = naive(truth["contact_at"])
        minutes = _minutes(created, naive(truth["first_solved_at"]), team, policy.hours)
        assert truth["is_first_reply_breached"] == (minutes > policy.first_response_target_min), truth
        outcomes.add(truth["is_first_reply_breached"])
        replies = public_agent_replies(audits_by_ticket[int(truth["contact_ref"])])
        if replies and not truth["is_first_reply_breached"]:
            to_reply = _minutes(created, naive(replies[0]["created_at"]), team, policy.hours)
            later_reply_would_breach += to_reply > policy.first_response_target_min
    assert outcomes == {True, False}
    assert later_reply_would_breach > 0


def test_most_replyless_solves_are_reopened_then_answered_and_some_are_still_open_at_the_end(
        center, contacts, audits_by_ticket):
    replyless = [t for t in contacts if t["system"] == "crm" and t["is_replyless_solve"]]
    reopened = [t for t in replyless if t["is_reopened"]]
    assert 0.45 < len(reopened) / len(replyless) < 0.75, (len(reopened), len(replyless))
    last_status = {}
    for ticket in landed.records(center / "landing", "crm", "tickets"):
        version = (ticket["updated_at"], ticket["status"])
        last_status[ticket["id"]] = max(last_status.get(ticket["id"], version), version)
    answered = 0
    for truth in reopened:
        audits = audits_by_ticket[int(truth["contact_ref"])]
        reopen = next((a for a in audits if any(e["type"] == "Change" and e["field_name"] == "status"
                                                and e["previous_value"] == "solved" and e["value"] == "open"
                                                for e in a["events"])), None)
        if reopen is None:
            continue
        assert reopen["author_id"] >= CUSTOMER_USER_ID_BASE  # the customer writes back
        answered += any(a["created_at"] > reopen["created_at"] for a in public_agent_replies(audits))
    assert answered > 0.7 * len(reopened)
    still_open = [t for t in reopened if last_status[int(t["contact_ref"])][1] == "open"]
    assert still_open  # reopened near the end, not solved again yet
    assert not [t for t in replyless if not t["is_reopened"] and last_status[int(t["contact_ref"])][1] == "open"]
