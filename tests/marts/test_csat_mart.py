"""The CSAT mart recovers what the simulator planted (KPI_DEFINITIONS.md section 4)."""

from __future__ import annotations

import json
import math
from collections import Counter
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import duckdb
import pytest

from simulator.config import CSAT_TOP2_PROBABILITY
from tests.conftest import SMALL_CENTER
from tests.reference import wilson_interval_95

CENTER_TZ = ZoneInfo("America/New_York")  # the simulator's and the build's reporting timezone


def local_date(utc_text: str):
    return datetime.strptime(utc_text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).astimezone(CENTER_TZ).date()


@pytest.fixture(scope="module")
def truth_counts(pipeline_home) -> tuple[Counter, Counter]:
    """Responses and top-2 responses per (contact date, channel), from the truth files.

    Only responses recorded by the last simulated day have landed; later ones have not.
    """
    last_day = max(p.name for p in (pipeline_home.landing / "surveys").iterdir())
    responses, top2 = Counter(), Counter()
    for path in (pipeline_home.truth).rglob("contacts.jsonl"):
        for row in map(json.loads, path.open()):
            if row["csat_score"] is None or local_date(row["survey_recorded_at"]).isoformat() > last_day:
                continue
            key = (local_date(row["created_at"]), row["channel"])
            responses[key] += 1
            top2[key] += row["csat_score"] >= 4
    return responses, top2


@pytest.fixture(scope="module")
def mart(pipeline_home) -> list[dict]:
    with duckdb.connect(str(pipeline_home.warehouse), read_only=True) as con:
        frame = con.execute("select * from marts.csat_by_channel_day").df()
    return frame.to_dict("records")


def test_every_response_is_counted_on_its_contacts_day_and_channel(mart, truth_counts):
    responses, top2 = truth_counts
    shown = {(row["contact_date"].date(), row["channel"]): row for row in mart}
    assert set(shown) == set(responses)
    for key, row in shown.items():
        assert row["response_count"] == responses[key], key
        assert row["top2_response_count"] == top2[key], key


def test_rates_intervals_and_flags_follow_the_contract(mart):
    for row in mart:
        assert row["csat_top2_rate"] == pytest.approx(row["top2_response_count"] / row["response_count"])
        assert row["csat_top2_rate_ci95_low"] <= row["csat_top2_rate"] <= row["csat_top2_rate_ci95_high"]
        assert 0 <= row["csat_top2_rate_ci95_low"] and row["csat_top2_rate_ci95_high"] <= 1
        assert row["is_low_sample"] == (row["response_count"] < 30)


def test_planted_channel_satisfaction_is_recovered(mart):
    """Pooled over the period, each channel's top-2 rate is within 4 standard errors of its plant."""
    for channel, planted in CSAT_TOP2_PROBABILITY.items():
        rows = [row for row in mart if row["channel"] == channel]
        n = sum(row["response_count"] for row in rows)
        observed = sum(row["top2_response_count"] for row in rows) / n
        standard_error = math.sqrt(planted * (1 - planted) / n)
        assert abs(observed - planted) < 4 * standard_error, (channel, observed, planted, n)
    # The plants differ by more than the noise: the best and worst channels come out in order.
    pooled = {
        channel: sum(r["top2_response_count"] for r in mart if r["channel"] == channel)
        / sum(r["response_count"] for r in mart if r["channel"] == channel)
        for channel in ("chat", "social")
    }
    assert pooled["chat"] > pooled["social"]


def test_days_follow_the_simulated_period(mart):
    days = {row["contact_date"].date() for row in mart}
    assert min(days) == SMALL_CENTER.start
    assert len(days) == SMALL_CENTER.days


def test_weekly_mart_reconciles_with_the_daily_one(pipeline_home):
    """The same responses, bucketed by ISO week: counts per week equal the days' sums."""
    with duckdb.connect(str(pipeline_home.warehouse), read_only=True) as con:
        mismatches = con.execute("""
            with days as (
                select date_trunc('week', contact_date)::date as week_start_date, channel,
                    sum(response_count) as response_count, sum(top2_response_count) as top2_response_count
                from marts.csat_by_channel_day
                group by all
            )
            select *
            from days
            full outer join marts.csat_by_channel_week as weeks using (week_start_date, channel)
            where days.response_count is distinct from weeks.response_count
                or days.top2_response_count is distinct from weeks.top2_response_count
        """).fetchall()
        weeks = con.execute("select distinct dayofweek(week_start_date) from marts.csat_by_channel_week").fetchall()
    assert mismatches == []
    assert weeks == [(1,)]  # every week starts on a Monday


def test_intervals_match_scipys_wilson_interval(mart):
    for row in mart:
        low, high = wilson_interval_95(row["top2_response_count"], row["response_count"])
        assert row["csat_top2_rate_ci95_low"] == pytest.approx(low, abs=1e-6)
        assert row["csat_top2_rate_ci95_high"] == pytest.approx(high, abs=1e-6)
