"""History is kept as it was (issue 14): staff turnover, reply-less solves, on the real stack.

The simulator plants leavers (downgraded to end-user part-way, their memberships deleted, as
Zendesk does), a promotion to admin, and tickets solved before any reply, some reopened and
solved again (truth/agents.jsonl, truth/stories.json, the contacts' truth). The marts must keep
a leaver's past theirs and their team's, and stop a reply-less first-response clock at the first
solve (KPI_DEFINITIONS.md sections 2 and 5; docs/kpis/ticket_slas.md).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import duckdb
import pytest


@pytest.fixture(scope="module")
def warehouse(pipeline_home):
    with duckdb.connect(str(pipeline_home.warehouse), read_only=True) as con:
        yield con


@pytest.fixture(scope="module")
def agents_truth(pipeline_home) -> list[dict]:
    return [json.loads(line) for line in (pipeline_home.truth / "agents.jsonl").open()]


@pytest.fixture(scope="module")
def leavers(agents_truth) -> list[dict]:
    found = [agent for agent in agents_truth if agent["left_on"]]
    assert found, "the small center plants at least one leaver"
    return found


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.removesuffix("Z"))


def test_a_leaver_stays_an_agent_of_the_past_with_their_roles_and_team(warehouse, leavers):
    for leaver in leavers:
        agent_id = leaver["zendesk_user_id"]
        username, role, is_current, until = warehouse.execute(
            "select agent_username, current_user_role, is_current_agent, agent_until_at "
            "from marts.dim_agents where agent_id = ?", [agent_id]).fetchone()
        assert (username, role, is_current) == (leaver["connect_username"], "end-user", False)
        assert until == utc(leaver["left_at"])
        roles = warehouse.execute("select user_role, valid_from_at, valid_to_at from marts.dim_agent_roles "
                                  "where agent_id = ? order by valid_from_at", [agent_id]).fetchall()
        assert roles[-1] == ("end-user", utc(leaver["left_at"]), None)
        assert roles[-2][0] in ("agent", "admin") and roles[-2][2] == utc(leaver["left_at"])
        spells = warehouse.execute("select team_key, valid_to_date from marts.dim_agent_teams "
                                   "where agent_id = ? order by valid_from_date", [agent_id]).fetchall()
        # Their last team holds through the day they left (early that morning), and no further.
        assert spells[-1] == (leaver["teams"][-1]["team_key"], date.fromisoformat(leaver["left_on"]) + timedelta(days=1))


def test_a_promoted_agent_is_still_an_agent(warehouse, agents_truth):
    promoted = [a for a in agents_truth if any(change["role"] == "admin" for change in a["role_changes"])]
    assert promoted
    for agent in promoted:
        role, is_current = warehouse.execute("select current_user_role, is_current_agent from marts.dim_agents "
                                             "where agent_id = ?", [agent["zendesk_user_id"]]).fetchone()
        assert (role, is_current) == ("admin", True)
        promoted_at = utc(next(c["at"] for c in agent["role_changes"] if c["role"] == "admin"))
        assert warehouse.execute("select count(*) from marts.dim_agent_roles where agent_id = ? and user_role = 'admin' "
                                 "and valid_from_at = ?", [agent["zendesk_user_id"], promoted_at]).fetchone() == (1,)


def test_a_leavers_contacts_and_replies_stay_theirs_in_the_team_of_the_day(warehouse, leavers, pipeline_home):
    """Before issue 14 a leaver dropped out of dim_agents once the users export showed them as an
    end-user: their calls lost their agent, their replies their team, and their team's past weeks
    shrank. Their calls are counted against the simulator's own record of who answered."""
    truth_calls = warehouse.execute(f"""
        select agent_index, count(distinct contact_ref)
        from read_json('{pipeline_home.truth}/*/contacts.jsonl', format = 'newline_delimited', union_by_name = true)
        where system = 'telephony' and outcome in ('answered', 'transferred_by_agent') and agent_index is not null
        group by all
    """).fetchall()
    truth_calls = dict(truth_calls)
    for leaver in leavers:
        agent_id, team = leaver["zendesk_user_id"], leaver["teams"][-1]["team_key"]
        contacts, in_team, after_leaving = warehouse.execute("""
            select count(*), count(*) filter (where team_key = ?), count(*) filter (where contact_date > ?)
            from marts.fct_contacts where agent_id = ? and is_handled
        """, [team, date.fromisoformat(leaver["left_on"]), agent_id]).fetchone()
        assert contacts > 0 and in_team == contacts and after_leaving == 0, (leaver, contacts, in_team, after_leaving)
        answered = warehouse.execute("""
            select count(distinct segments.contact_record_id)
            from marts.fct_queue_segments as segments
            join marts.dim_agents as agents on segments.connect_agent_username = agents.agent_username
            where agents.agent_id = ? and segments.is_answered
        """, [agent_id]).fetchone()[0]
        assert answered == truth_calls.get(leaver["agent_index"], 0) > 0
        # The first responses they wrote and the solves they made (a tier-2 agent writes no first
        # response: tickets reach tier 2 by escalation): credited to them, in their team.
        credits, credited_in_team = warehouse.execute("""
            select count(*), count(*) filter (where credited_team_key = ?)
            from marts.fct_ticket_slas where sla_kind in ('first_response', 'agent_work') and credited_agent_id = ?
        """, [team, agent_id]).fetchone()
        assert credits > 0 and credited_in_team == credits
        # Their weeks are theirs in the agent mart, and their team's in the team mart.
        agent_weeks = warehouse.execute("select sum(handled_contact_count) from marts.agent_performance_weekly "
                                        "where agent_id = ?", [agent_id]).fetchone()[0]
        assert agent_weeks == contacts


def test_a_replyless_ticket_is_met_or_breached_at_its_first_solve(warehouse, pipeline_home):
    """A ticket solved before any public reply stops its first-response clock at the first solve;
    a reopen and the reply after it do not restart it. The simulator reckons the breach to the
    first solve with its own business-hours walk."""
    truth = {int(row[0]): row[1:] for row in warehouse.execute(f"""
        select contact_ref, is_first_reply_breached, first_solved_at::timestamp, is_reopened
        from read_json('{pipeline_home.truth}/*/contacts.jsonl', format = 'newline_delimited', union_by_name = true)
        where system = 'crm' and coalesce(is_replyless_solve, false)
    """).fetchall()}
    assert len(truth) >= 10 and sum(reopened for *_, reopened in truth.values()) >= 3
    measured = warehouse.execute("""
        select slas.ticket_id, slas.sla_status, slas.completed_at, slas.credited_agent_id, tickets.first_replied_at
        from marts.fct_ticket_slas as slas
        join intermediate.int_tickets_summarized as tickets using (ticket_id)
        where slas.sla_kind = 'first_response' and slas.is_completed and slas.ticket_id in ?
    """, [list(truth)]).fetchall()
    assert len(measured) >= 10
    replied_after_reopen = 0
    for ticket_id, status, completed_at, credited_agent_id, first_replied_at in measured:
        breached, first_solved_at, _ = truth[ticket_id]
        assert completed_at == first_solved_at, ticket_id
        assert (status == "breached") == breached, ticket_id
        assert credited_agent_id is None, ticket_id
        replied_after_reopen += first_replied_at is not None and first_replied_at > completed_at
    assert replied_after_reopen >= 3, "reply-less tickets answered after their reopen keep their first solve"
