"""The ticket SLA marts recover what the simulator planted (KPI_DEFINITIONS.md section 2).

The simulator plans each ticket's whole life (csops/simulator/tickets.py) and writes, per ticket,
whether its first reply breached the policy, whether it was reopened, escalated, or opened
by an agent. The warehouse only sees the audits that have landed, so checks on the whole
life use tickets that are closed (closing comes four days after the final solve: nothing
can change after it).
"""

from __future__ import annotations

import json
from collections import defaultdict

import duckdb
import pytest


@pytest.fixture(scope="module")
def truth_tickets(pipeline_home) -> dict[int, dict]:
    tickets = {}
    for path in pipeline_home.truth.rglob("contacts*.jsonl"):
        for row in map(json.loads, path.open()):
            if row["system"] == "crm":
                tickets[int(row["contact_ref"])] = row
    return tickets


@pytest.fixture(scope="module")
def warehouse(pipeline_home):
    with duckdb.connect(str(pipeline_home.warehouse), read_only=True) as con:
        yield con


def rows(con, sql: str) -> list[dict]:
    frame = con.execute(sql).df()
    return frame.to_dict("records")


def test_every_staged_ticket_has_its_three_sla_rows(warehouse):
    missing = warehouse.execute("""
        select tickets.ticket_id, count(slas.sla_kind) as kinds
        from staging.stg_crm__tickets as tickets
        left join marts.fct_ticket_slas as slas using (ticket_id)
        group by tickets.ticket_id
        having count(distinct slas.sla_kind) != 3 or count(*) != 3
    """).fetchall()
    assert missing == []
    statuses = dict(warehouse.execute(
        "select sla_status, count(*) from marts.fct_ticket_slas where sla_kind != 'full_resolution' group by all"
    ).fetchall())
    assert statuses.get("met", 0) > 0 and statuses.get("breached", 0) > 0, statuses
    assert None not in statuses, "every simulated group is a team: no SLA should be unmeasured"


def test_first_reply_breaches_match_the_simulators_own_reckoning(warehouse, truth_tickets):
    """The simulator decides each first reply's breach with its own business-hours walk
    (csops/simulator/tickets.py, _minutes); the mart must agree on every reply that has landed."""
    measured = rows(warehouse, """
        select ticket_id, sla_status
        from marts.fct_ticket_slas
        where sla_kind = 'first_response' and is_sla_applicable and is_completed
    """)
    assert len(measured) > 500
    disagreements = [
        row["ticket_id"] for row in measured
        if (row["sla_status"] == "breached") != truth_tickets[row["ticket_id"]]["is_first_reply_breached"]
    ]
    assert disagreements == []


def test_agent_created_tickets_have_no_first_response_sla(warehouse, truth_tickets):
    marked = {
        row["ticket_id"]: row["sla_status"]
        for row in rows(warehouse, "select ticket_id, sla_status from marts.fct_ticket_slas where sla_kind = 'first_response'")
    }
    agent_created = [ticket_id for ticket_id in marked if truth_tickets[ticket_id]["is_agent_created"]]
    assert agent_created, "the simulator opens about 3% of tickets on a customer's behalf"
    assert all(marked[ticket_id] == "not_applicable" for ticket_id in agent_created)
    assert sum(status == "not_applicable" for status in marked.values()) == len(agent_created)


def test_monday_email_backlog_shows_in_first_response(warehouse, pipeline_home):
    """stories.json: monday_email_backlog multiplies Monday email reply delays (factor 4)."""
    stories = json.loads((pipeline_home.truth / "stories.json").read_text())["stories"]
    assert stories["monday_email_backlog"]
    by_weekday = rows(warehouse, """
        select
            isodow(created_date) = 1 as is_monday,
            sum(met_count) as met,
            sum(breached_count) as breached,
            sum(mean_completed_elapsed_sla_minutes * (met_count + breached_count))
                / sum(met_count + breached_count) as mean_minutes
        from marts.ticket_sla_compliance_daily
        where sla_kind = 'first_response' and channel = 'email' and met_count + breached_count > 0
        group by all
    """)
    monday = next(row for row in by_weekday if row["is_monday"])
    other = next(row for row in by_weekday if not row["is_monday"])
    monday_rate = monday["met"] / (monday["met"] + monday["breached"])
    other_rate = other["met"] / (other["met"] + other["breached"])
    assert monday["mean_minutes"] > 2 * other["mean_minutes"], (monday, other)
    assert monday_rate < other_rate - 0.2, (monday_rate, other_rate)
    # Web tickets get no Monday delay: their Mondays look like other days.
    web = rows(warehouse, """
        select isodow(created_date) = 1 as is_monday, sum(met_count) / sum(met_count + breached_count) as rate
        from marts.ticket_sla_compliance_daily
        where sla_kind = 'first_response' and channel = 'web'
        group by all
    """)
    rates = {row["is_monday"]: row["rate"] for row in web}
    assert abs(rates[True] - rates[False]) < 0.15, rates


def test_compliance_counts_reconcile_with_the_fact(warehouse):
    mart = warehouse.execute("""
        select sla_kind, sum(met_count), sum(breached_count), sum(in_flight_count)
        from marts.ticket_sla_compliance_daily group by all order by all
    """).fetchall()
    fact = warehouse.execute("""
        select sla_kind,
            count(*) filter (where sla_status = 'met'),
            count(*) filter (where sla_status = 'breached'),
            count(*) filter (where sla_status = 'in_flight')
        from marts.fct_ticket_slas where sla_kind != 'full_resolution' group by all order by all
    """).fetchall()
    assert mart == fact


def test_reopen_and_escalation_flags_match_the_truth_for_closed_tickets(warehouse, truth_tickets):
    closed = rows(warehouse, """
        select summary.ticket_id, summary.is_reopened, summary.is_escalated, summary.is_agent_created
        from intermediate.int_tickets_summarized as summary
        where summary.status_at_as_of = 'closed'
    """)
    assert len(closed) > 500
    for flag in ("is_reopened", "is_escalated", "is_agent_created"):
        wrong = [row["ticket_id"] for row in closed if bool(row[flag]) != truth_tickets[row["ticket_id"]][flag]]
        assert wrong == [], flag
    assert any(row["is_reopened"] for row in closed) and any(row["is_escalated"] for row in closed)


def test_daily_metrics_count_every_ticket_once(warehouse):
    created, reopened, escalated = warehouse.execute("""
        select sum(created_ticket_count), sum(reopened_ticket_count), sum(escalated_ticket_count)
        from marts.ticket_daily_metrics
    """).fetchall()[0]
    staged = warehouse.execute("select count(*) from staging.stg_crm__tickets").fetchall()[0][0]
    assert created == staged
    assert 0 < reopened < created and 0 < escalated < created
    bad_rates = warehouse.execute("""
        select count(*) from marts.ticket_daily_metrics
        where abs(escalation_rate - escalated_ticket_count / created_ticket_count) > 1e-12
            or (solved_at_least_once_ticket_count > 0
                and abs(reopen_rate - reopened_ticket_count / solved_at_least_once_ticket_count) > 1e-12)
    """).fetchall()[0][0]
    assert bad_rates == 0


def test_backlog_is_created_minus_solved_cumulatively(warehouse):
    backlog = rows(warehouse, """
        select backlog_date, team_key, channel, backlog_ticket_count, created_ticket_count, solve_count, reopen_count
        from marts.ticket_backlog_daily
        order by team_key, channel, backlog_date
    """)
    running = defaultdict(int)
    for row in backlog:
        key = (row["team_key"], row["channel"])
        running[key] += row["created_ticket_count"] - row["solve_count"] + row["reopen_count"]
        assert row["backlog_ticket_count"] == running[key], row
    last_day = max(row["backlog_date"] for row in backlog)
    open_now = warehouse.execute("""
        select count(*) from intermediate.int_tickets_summarized
        where status_at_as_of not in ('solved', 'closed')
    """).fetchall()[0][0]
    assert sum(row["backlog_ticket_count"] for row in backlog if row["backlog_date"] == last_day) == open_now
    assert open_now > 0
