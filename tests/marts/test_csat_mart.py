"""The CSAT columns of the feedback marts recover what the simulator planted (KPI_DEFINITIONS.md section 4)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import duckdb
import pytest

from tests.conftest import SMALL_CENTER
from tests.reference import wilson_interval_95

CENTER_TZ = ZoneInfo("America/New_York")  # the simulator's and the build's reporting timezone


def local_date(utc_text: str):
    return datetime.strptime(utc_text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).astimezone(CENTER_TZ).date()


@pytest.fixture(scope="module")
def truth_counts(pipeline_home) -> tuple[Counter, Counter]:
    """Responses and top-2 responses per (contact date, channel), from the truth files.

    A response is dated by its contact (reporting timezone) and counted once it has landed:
    recorded by the end of the last landing day (UTC).
    """
    last_day = max(p.name for p in (pipeline_home.landing / "surveys").iterdir())
    contacts = {}
    for path in pipeline_home.truth.rglob("contacts*.jsonl"):
        for row in map(json.loads, path.open()):
            if row["chain_ref"] == row["contact_ref"]:  # a call chain is dated by its first record
                contacts[(row["system"], row["contact_ref"])] = (local_date(row["contact_at"]), row["channel"])
    responses, top2 = Counter(), Counter()
    for path in pipeline_home.truth.rglob("surveys*.jsonl"):
        for row in map(json.loads, path.open()):
            if row["csat_score"] is None or row["recorded_at"][:10] > last_day:
                continue
            key = contacts[(row["contact_system"], row["contact_ref"])]
            responses[key] += 1
            top2[key] += row["csat_score"] >= 4
    return responses, top2


@pytest.fixture(scope="module")
def mart(pipeline_home) -> list[dict]:
    """The day x channel rows with a 1-5 CSAT response (the others hold other questions only)."""
    with duckdb.connect(str(pipeline_home.warehouse), read_only=True) as con:
        frame = con.execute("select * from marts.feedback_by_channel_day where csat_response_count > 0").df()
    return frame.to_dict("records")


def test_every_response_is_counted_on_its_contacts_day_and_channel(mart, truth_counts):
    responses, top2 = truth_counts
    shown = {(row["contact_date"].date(), row["channel"]): row for row in mart}
    assert set(shown) == set(responses)
    for key, row in shown.items():
        assert row["csat_response_count"] == responses[key], key
        assert row["csat_top2_response_count"] == top2[key], key


def test_rates_intervals_and_flags_follow_the_contract(mart):
    for row in mart:
        assert row["csat_top2_rate"] == pytest.approx(row["csat_top2_response_count"] / row["csat_response_count"])
        assert row["csat_top2_rate_ci95_low"] <= row["csat_top2_rate"] <= row["csat_top2_rate_ci95_high"]
        assert 0 <= row["csat_top2_rate_ci95_low"] and row["csat_top2_rate_ci95_high"] <= 1
        assert row["is_low_sample"] == (row["csat_response_count"] < 30)


def test_channels_keep_the_order_the_simulator_planted(mart):
    """Chat is planted as the most pleasing channel and social the least (csops/simulator/surveys.py)."""
    pooled = {
        channel: sum(r["csat_top2_response_count"] for r in mart if r["channel"] == channel)
        / sum(r["csat_response_count"] for r in mart if r["channel"] == channel)
        for channel in ("chat", "social")
    }
    assert pooled["chat"] > pooled["social"] + 0.1, pooled


def test_days_follow_the_simulated_period(mart):
    """Contact dates (New York) run from the evening before the first UTC landing day to the
    last one; the last days fill in as their surveys are answered."""
    days = {row["contact_date"].date() for row in mart}
    first_day, last_day = SMALL_CENTER.start, SMALL_CENTER.start + timedelta(days=SMALL_CENTER.days - 1)
    assert first_day - timedelta(days=1) <= min(days) <= first_day
    assert max(days) <= last_day
    assert len(days) >= SMALL_CENTER.days - 3


def test_weekly_mart_reconciles_with_the_daily_one(pipeline_home):
    """The same responses, bucketed by ISO week: counts per week equal the days' sums."""
    with duckdb.connect(str(pipeline_home.warehouse), read_only=True) as con:
        mismatches = con.execute("""
            with days as (
                select date_trunc('week', contact_date)::date as week_start_date, channel,
                    sum(csat_response_count) as csat_response_count,
                    sum(csat_top2_response_count) as csat_top2_response_count
                from marts.feedback_by_channel_day
                group by all
            )
            select *
            from days
            full outer join marts.feedback_by_channel_week as weeks using (week_start_date, channel)
            where days.csat_response_count is distinct from weeks.csat_response_count
                or days.csat_top2_response_count is distinct from weeks.csat_top2_response_count
        """).fetchall()
        weeks = con.execute("select distinct dayofweek(week_start_date) from marts.feedback_by_channel_week").fetchall()
    assert mismatches == []
    assert weeks == [(1,)]  # every week starts on a Monday


def test_intervals_match_scipys_wilson_interval(mart):
    for row in mart:
        low, high = wilson_interval_95(row["csat_top2_response_count"], row["csat_response_count"])
        assert row["csat_top2_rate_ci95_low"] == pytest.approx(low, abs=1e-6)
        assert row["csat_top2_rate_ci95_high"] == pytest.approx(high, abs=1e-6)
