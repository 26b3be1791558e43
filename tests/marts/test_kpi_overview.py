"""The overview mart shows the numbers of the KPI marts.

kpi_overview_weekly reshapes the week marts the KPI registry names (per channel, and their
center-level twins for all channels together); its per-channel values must be the KPI marts'
own, to the last bit, and every week must have its 'all' rows (KPI_DEFINITIONS.md sections 3
and 4).
"""

from __future__ import annotations

import duckdb
import pytest

from tests.conftest import SMALL_CENTER

WEEK = SMALL_CENTER.start  # a Monday: the first full week of the simulated center
assert WEEK.weekday() == 0


@pytest.fixture(scope="module")
def warehouse(pipeline_home):
    with duckdb.connect(str(pipeline_home.warehouse), read_only=True) as con:
        yield con


def overview(warehouse, kpi_name: str) -> dict[str, tuple]:
    rows = warehouse.execute(
        """
        select channel_scope, kpi_value, sample_size
        from marts.kpi_overview_weekly
        where week_start_date = ? and kpi_name = ? and channel_scope != 'all'
        """,
        [WEEK, kpi_name],
    ).fetchall()
    return {channel: (value, n) for channel, value, n in rows}


def test_operational_fcr_per_channel_is_fcr_by_channel_weeks(warehouse):
    expected = warehouse.execute(
        """
        select channel, operational_fcr_rate, fcr_eligible_contact_count
        from marts.fcr_by_channel_week
        where week_start_date = ?
        """,
        [WEEK],
    ).fetchall()
    shown = overview(warehouse, "operational_fcr_rate")
    assert sum(n for _, n in shown.values()) > 100  # the week has settled FCR windows to compare
    assert shown == {channel: (rate, n) for channel, rate, n in expected}


def test_csat_per_channel_is_feedback_by_channel_weeks(warehouse):
    expected = warehouse.execute(
        """
        select channel, csat_top2_rate, csat_response_count
        from marts.feedback_by_channel_week
        where week_start_date = ? and csat_response_count > 0
        """,
        [WEEK],
    ).fetchall()
    # Compared where a 1-5 response exists; the overview also shows channels surveyed without
    # one (n = 0, rate null).
    shown = {channel: row for channel, row in overview(warehouse, "csat_top2_rate").items() if row[1] > 0}
    assert len(expected) >= 3
    assert shown == {channel: (rate, n) for channel, rate, n in expected}


def test_every_week_has_its_all_channels_rows(warehouse):
    contact_weeks = {
        week for (week,) in warehouse.execute(
            "select distinct date_trunc('week', contact_date)::date from marts.fct_contacts"
        ).fetchall()
    }
    scopes = warehouse.execute(
        """
        select week_start_date, kpi_name, bool_or(channel_scope = 'all'), count(*) filter (where channel_scope != 'all')
        from marts.kpi_overview_weekly
        group by all
        """
    ).fetchall()
    assert {week for week, *_ in scopes} >= contact_weeks
    missing = [(week, kpi) for week, kpi, has_all, channels in scopes if not has_all or channels == 0]
    assert missing == []
    kpis_in_week = {kpi for week, kpi, *_ in scopes if week == WEEK}
    # Every KPI of the registry with a week mart, the seven of the contract among them.
    registry = {kpi for (kpi,) in warehouse.execute(
        "select kpi_name from marts.dim_kpis where week_mart is not null").fetchall()}
    assert registry >= {
        "sla_compliance_rate", "service_level_rate", "asa_seconds", "abandon_rate",
        "operational_fcr_rate", "csat_top2_rate", "nps",
    }
    assert kpis_in_week == registry


def test_mean_first_response_business_minutes_is_the_facts_mean(warehouse):
    """A KPI added by its formula, contract columns and registry row alone: the overview shows,
    per channel and for all channels, the mean business minutes to a first response given by the
    as-of time, recomputed here from the SLA facts."""
    facts = warehouse.execute(
        """
        select coalesce(channel, 'all'),
            avg(elapsed_business_minutes) filter (where is_completed),
            count(elapsed_business_minutes) filter (where is_completed)
        from marts.fct_ticket_slas
        where sla_kind = 'first_response' and is_sla_applicable and date_trunc('week', created_date) = ?
        group by grouping sets ((channel), ())
        """,
        [WEEK],
    ).fetchall()
    shown = {scope: (value, n) for scope, value, n in warehouse.execute(
        """
        select channel_scope, kpi_value, sample_size
        from marts.kpi_overview_weekly
        where week_start_date = ? and kpi_name = 'mean_first_response_business_minutes'
        """,
        [WEEK],
    ).fetchall()}
    expected = {scope: (mean, n) for scope, mean, n in facts}
    assert expected["all"][1] > 100  # the week has first responses to average
    assert {scope: n for scope, (_, n) in shown.items()} == {scope: n for scope, (_, n) in expected.items()}
    for scope, (mean, _) in expected.items():
        assert shown[scope][0] == pytest.approx(mean, rel=1e-12), scope
