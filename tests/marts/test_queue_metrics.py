"""The queue marts recover the simulator's truth (KPI_DEFINITIONS.md section 1).

The simulator (csops/simulator/phone.py) writes one truth row per contact record with the outcome
it played out: ``answered``, ``transferred_by_agent`` (answered, then handed on by the
agent), ``abandoned``, ``short_abandon`` (patience under 5 s), ``callback_requested``,
``queue_transfer_by_flow`` (a misrouted caller moved after 30 s), ``ivr_self_service`` and
``closed`` (both end in the IVR, never queued: the marts' ``ivr_self_service`` and
``ivr_closed``), and the queue wait it drew, in fractions of a
second (rounded to 0.1 s; none for a callback request or a flow transfer, which leave the
queue after a fixed 60 s and 30 s). The exports carry whole seconds, so waits agree within
1 s (1.05 s against the rounded truth), and a caller whose
patience was just under 5 s can show a 5 s wait in the export: an abandon, not a short one,
as the contract measures from timestamps.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pytest

from csops.dbt_functions.erlang import required_agents
from csops.simulator.phone import CALLBACK_OFFER_AFTER_SECONDS, FLOW_TRANSFER_AFTER_SECONDS

CENTER_TZ = ZoneInfo("America/New_York")  # the build's reporting timezone (dbt var default)
EXPECTED_OUTCOME = {
    "answered": "answered",
    "transferred_by_agent": "answered",
    "abandoned": "abandoned",
    "short_abandon": "short_abandon",
    "callback_requested": "callback_requested",
    "queue_transfer_by_flow": "flow_transferred",
    "ivr_self_service": "ivr_self_service",
    "closed": "ivr_closed",
}


def query(home, sql: str) -> list[dict]:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        frame = con.execute(sql).df()
    return frame.to_dict("records")


@pytest.fixture(scope="module")
def truth(pipeline_home) -> dict[str, dict]:
    rows = {}
    for path in pipeline_home.truth.rglob("contacts*.jsonl"):
        for row in map(json.loads, path.open()):
            if row["system"] == "telephony":
                rows[row["contact_ref"]] = row
    return rows


@pytest.fixture(scope="module")
def segments(pipeline_home) -> dict[str, dict]:
    rows = query(pipeline_home, "select * from marts.fct_queue_segments")
    return {row["contact_record_id"]: row for row in rows}


@pytest.fixture(scope="module")
def daily(pipeline_home) -> list[dict]:
    return query(pipeline_home, "select * from marts.queue_daily_metrics")


def segment_day(segment: dict):
    """The reporting date of the moment the segment entered the queue (the IVR call's start)."""
    moment = segment["enqueued_at"] if segment["queue_name"] is not None else segment["initiated_at"]
    return moment.to_pydatetime().replace(tzinfo=ZoneInfo("UTC")).astimezone(CENTER_TZ).date()


def test_every_record_is_one_segment_with_the_simulators_outcome(truth, segments):
    assert set(segments) == set(truth)
    mismatched = []
    for ref, row in truth.items():
        segment = segments[ref]
        expected = EXPECTED_OUTCOME[row["outcome"]]
        if expected == "short_abandon" and segment["queue_outcome"] == "abandoned":
            assert segment["queue_wait_seconds"] == 5 and row["queue_wait_seconds"] > 4, (row, segment)
            continue
        if segment["queue_outcome"] != expected:
            mismatched.append((row["outcome"], segment["queue_outcome"], ref))
        assert segment["is_transferred_by_agent"] == (row["outcome"] == "transferred_by_agent"), ref
    assert mismatched == []


def test_only_inbound_queue_segments_are_offered(truth, segments):
    for ref, row in truth.items():
        segment = segments[ref]
        if row["outcome"] in ("ivr_self_service", "closed"):
            assert not segment["is_offered"] and segment["queue_name"] is None
        else:
            assert segment["is_offered"] == (segment["initiation_method"] != "CALLBACK"), ref


def test_waits_match_the_simulators_to_the_second(truth, segments):
    compared = 0
    for ref, row in truth.items():
        wait = row["queue_wait_seconds"]
        if wait is None or wait > 4 * 3600:  # no wait (IVR), or a caller the simulator let go at 4 h
            continue
        assert abs(segments[ref]["queue_wait_seconds"] - wait) < 1.05, (row, segments[ref])
        compared += 1
    assert compared > 1000


def test_redelivered_records_are_counted_once(pipeline_home, truth):
    """Records Connect delivered twice (the simulator's redeliveries that have landed) are
    one segment each in the fact, counted once in the marts (the daily counts above)."""
    redelivered = {ref for ref, row in truth.items() if row.get("is_redelivered")}
    delivered_twice = {row["ref"] for row in query(pipeline_home, """
        select ContactId as ref
        from raw.telephony_contact_records
        group by all
        having count(*) > 1
    """)}
    assert len(delivered_twice & redelivered) >= 5
    fact = query(pipeline_home, """
        select count(*) as segment_rows, count(distinct contact_record_id) as segments
        from marts.fct_queue_segments
    """)[0]
    assert fact["segment_rows"] == fact["segments"]


def test_daily_counts_equal_the_truth_per_day(truth, segments, daily):
    expected = defaultdict(Counter)
    for ref, row in truth.items():
        segment = segments[ref]
        day = segment_day(segment)
        if row["outcome"] == "ivr_self_service":
            expected[day]["ivr_self_service_calls"] += 1
            continue
        if row["outcome"] == "closed":
            expected[day]["ivr_closed_calls"] += 1
            continue
        if segment["initiation_method"] == "CALLBACK":
            expected[day]["outbound_handled_calls"] += row["outcome"] in ("answered", "transferred_by_agent")
            continue
        expected[day]["offered_calls"] += 1
        expected[day]["answered_calls"] += row["outcome"] in ("answered", "transferred_by_agent")
        expected[day]["agent_transferred_calls"] += row["outcome"] == "transferred_by_agent"
        expected[day]["all_abandoned_calls"] += row["outcome"] in ("abandoned", "short_abandon")
        expected[day]["callback_requested_calls"] += row["outcome"] == "callback_requested"
        expected[day]["flow_transferred_calls"] += row["outcome"] == "queue_transfer_by_flow"
    shown = defaultdict(Counter)
    for row in daily:
        day = row["queue_date"].date()
        for column in ("ivr_self_service_calls", "ivr_closed_calls", "outbound_handled_calls", "offered_calls",
                       "answered_calls", "agent_transferred_calls", "callback_requested_calls",
                       "flow_transferred_calls"):
            shown[day][column] += row[column]
        shown[day]["all_abandoned_calls"] += row["abandoned_calls"] + row["short_abandoned_calls"]
    for day in expected:  # Counters drop zeros: compare what truth expects, and no extra days
        expected[day] += Counter()
        shown[day] += Counter()
    assert dict(shown) == dict(expected)


def test_asa_and_longest_wait_follow_the_truth(truth, segments, daily):
    """ASA within 1 s per queue and day (whole-second exports); longest wait within 1 s."""
    fixed_waits = {"callback_requested": CALLBACK_OFFER_AFTER_SECONDS, "queue_transfer_by_flow": FLOW_TRANSFER_AFTER_SECONDS}
    waits = defaultdict(list)
    longest = defaultdict(float)
    for ref, row in truth.items():
        segment = segments[ref]
        wait = fixed_waits.get(row["outcome"], row["queue_wait_seconds"])
        if not segment["is_offered"] or wait is None:
            continue
        key = (segment_day(segment), segment["queue_name"])
        longest[key] = max(longest[key], wait)
        if row["outcome"] in ("answered", "transferred_by_agent"):
            waits[key].append(wait)
    checked = 0
    for row in daily:
        key = (row["queue_date"].date(), row["queue_name"])
        if key in waits:
            assert row["asa_seconds"] == pytest.approx(sum(waits[key]) / len(waits[key]), abs=1.0), key
            checked += 1
        if key in longest:
            assert abs(row["longest_wait_seconds"] - longest[key]) < 1.05, key
    assert checked >= 20


def test_rates_follow_the_contract(daily):
    for row in daily:
        if row["queue_name"] == "(ivr)":
            assert row["offered_calls"] == 0 and math.isnan(row["occupancy_rate"])  # null: no agents
            continue
        offered = row["offered_calls"]
        assert offered == (row["answered_calls"] + row["abandoned_calls"] + row["short_abandoned_calls"]
                           + row["callback_requested_calls"] + row["flow_transferred_calls"])
        denominator = offered - row["short_abandoned_calls"] - row["callback_requested_calls"]
        if denominator:
            assert row["service_level_rate"] == pytest.approx(row["answered_within_threshold_calls"] / denominator)
        if offered:
            assert row["connect_service_level_rate"] == pytest.approx(row["left_queue_within_threshold_calls"] / offered)
        if offered - row["short_abandoned_calls"]:
            assert row["abandon_rate"] == pytest.approx(row["abandoned_calls"] / (offered - row["short_abandoned_calls"]))
        assert row["sl_threshold_seconds"] == 20 and row["short_abandon_seconds"] == 5
        if not math.isnan(row["occupancy_rate"]):
            assert 0 <= row["occupancy_rate"] <= 1


def test_interval_and_daily_marts_reconcile(pipeline_home):
    """The same calls and agent-seconds, bucketed by interval or by day (New York midnights are
    whole hours, so 15-minute intervals nest in days)."""
    mismatches = query(pipeline_home, """
        with intervals as (
            select
                queue_name,
                interval_date as queue_date,
                sum(offered_calls) as offered_calls,
                sum(answered_calls) as answered_calls,
                sum(abandoned_calls) as abandoned_calls,
                round(sum(agent_staffed_seconds)) as agent_staffed_seconds
            from marts.queue_interval_metrics
            group by all
        ),
        days as (
            select queue_name, queue_date, offered_calls, answered_calls, abandoned_calls,
                round(agent_staffed_seconds) as agent_staffed_seconds
            from marts.queue_daily_metrics
            where queue_name != '(ivr)'
        )
        select *
        from intervals
        full outer join days using (queue_name, queue_date)
        where intervals.offered_calls is distinct from days.offered_calls
            or intervals.answered_calls is distinct from days.answered_calls
            or intervals.abandoned_calls is distinct from days.abandoned_calls
            or intervals.agent_staffed_seconds is distinct from days.agent_staffed_seconds
    """)
    assert mismatches == []


def test_staffing_matches_the_agent_events(pipeline_home):
    """Agent-seconds logged in, summed over the intervals, equal those of the state intervals."""
    rows = query(pipeline_home, """
        select
            (select sum(agent_staffed_seconds) from marts.queue_interval_metrics) as mart_seconds,
            (select sum(state_seconds) from intermediate.int_agent_state_intervals
             where is_staffed and staffed_queue_name is not null) as state_seconds
    """)
    assert rows[0]["mart_seconds"] == pytest.approx(rows[0]["state_seconds"])


def test_agent_snapshots_replayed_give_each_call_its_handle_time(pipeline_home):
    """Occupancy's handle time is the calls' own: the agent event stream's snapshots, replayed
    into states (int_agent_state_intervals), give every answered call the talk and hold
    (ON_CONTACT) and the after-call work (AFTER_CONTACT_WORK) its contact record reports, to the
    second. Left out: a call whose wrap-up ends after the stream's last landed event (its events
    land with the next day). The simulator loses no event: no state is cut for a silence."""
    rows = query(pipeline_home, """
        with calls as (
            select
                contact_record_id,
                agent_interaction_seconds + customer_hold_seconds as connected_seconds,
                after_contact_work_seconds,
                connected_to_agent_at + to_seconds(connected_seconds + after_contact_work_seconds) as wrapped_up_at
            from staging.stg_telephony__contact_records
            where connected_to_agent_at is not null
        ),
        states as (
            select
                contact_record_id,
                sum(state_seconds) filter (where agent_state = 'ON_CONTACT') as on_contact_seconds,
                sum(state_seconds) filter (where agent_state = 'AFTER_CONTACT_WORK') as wrap_up_seconds
            from intermediate.int_agent_state_intervals
            where contact_record_id is not null
            group by all
        )
        select calls.*, states.on_contact_seconds, states.wrap_up_seconds
        from calls
        left join states using (contact_record_id)
        where calls.wrapped_up_at <= (select max(event_at) from staging.stg_telephony__agent_events)
    """)
    assert len(rows) > 500
    differing = [row for row in rows if (row["on_contact_seconds"], row["wrap_up_seconds"])
                 != (row["connected_seconds"], row["after_contact_work_seconds"])]
    assert differing == []
    silences = query(pipeline_home, """
        select count(*) as intervals from intermediate.int_agent_state_intervals where is_ended_by_agent_event_silence
    """)
    assert silences[0]["intervals"] == 0


def test_required_agents_are_erlang_c_of_the_offered_load(pipeline_home):
    rows = query(pipeline_home, """
        select * from marts.queue_interval_metrics where offered_calls > 0 and erlang_aht_seconds is not null
    """)
    assert len(rows) > 100
    for row in rows:
        expected = required_agents(row["offered_calls"], row["erlang_aht_seconds"], 900, 0.8, 20)
        assert row["required_agents"] == expected
        assert row["required_agents"] > row["traffic_erlangs"]
        assert row["required_agents_service_level_rate"] >= 0.8
        assert row["service_level_target"] == 0.8  # the KPI registry's target, what Erlang C staffs for


def test_an_interval_is_understaffed_exactly_when_fewer_agents_are_staffed_than_required(pipeline_home):
    """The rule the queues page used to compute lives in the mart: an unknown input is no evidence."""
    rows = query(pipeline_home, "select staffed_agents, required_agents, is_understaffed from marts.queue_interval_metrics")
    assert any(row["is_understaffed"] for row in rows) and not all(row["is_understaffed"] for row in rows)
    wrong = [row for row in rows if row["is_understaffed"] != (
        pd.notna(row["staffed_agents"]) and pd.notna(row["required_agents"])
        and row["staffed_agents"] < row["required_agents"])]
    assert wrong == []
