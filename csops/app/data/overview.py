"""The overview's numbers: each headline KPI per week and channel scope, with its target and change
(``marts.kpi_overview_weekly``); labels, formats and where each target comes from are the registry's
(``csops.app.data.kpis``)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from csops.app.data import MartColumns, frame
from csops.app.data.kpis import KPI_REGISTRY
from csops.app.weeks import week_start
from csops.kernel.publication import Publication

OVERVIEW_MART = "kpi_overview_weekly"

WEEKS = MartColumns(OVERVIEW_MART, ("week_start_date", "is_complete_week"))
SCOPES = MartColumns(OVERVIEW_MART, ("channel_scope",))
TILES = MartColumns(OVERVIEW_MART, (
    "kpi_name", "kpi_label", "unit", "kpi_value", "sample_size", "is_low_sample", "change_from_previous_week",
    "target_value", "target_direction", "is_meeting_target",
))
TRENDS = MartColumns(OVERVIEW_MART, (
    "week_start_date", "kpi_name", "kpi_label", "unit", "kpi_value", "sample_size", "is_low_sample", "target_value",
    "target_direction", "is_meeting_target", "is_complete_week",
))
MOVERS = MartColumns(OVERVIEW_MART, (
    "channel_scope", "kpi_name", "kpi_label", "unit", "previous_week_value", "kpi_value", "change_from_previous_week",
    "is_improving", "sample_size", "previous_week_sample_size",
))


def weeks(publication: Publication, start_date: date, end_date: date) -> pd.DataFrame:
    """The weeks touching the date range, newest first, and whether each is complete."""
    return frame(publication, f"""
        select week_start_date, bool_and(is_complete_week) as is_complete_week
        from marts.{OVERVIEW_MART}
        where week_start_date between $first_week and $end_date
        group by week_start_date
        order by week_start_date desc
    """, {"first_week": week_start(start_date), "end_date": end_date})


def scopes(publication: Publication) -> list[str]:
    return frame(publication, f"select distinct {SCOPES.select()} from marts.{OVERVIEW_MART} "
                              "order by channel_scope = 'all' desc, channel_scope")["channel_scope"].tolist()


def default_week(weeks: pd.DataFrame) -> date:
    """The week a page opens on (``weeks`` newest first): the last complete one, else the newest."""
    complete = weeks[weeks["is_complete_week"]]
    return (complete if not complete.empty else weeks).iloc[0]["week_start_date"]


def kpis(publication: Publication, week_start_date: date, channel_scope: str, area: str | None = None) -> pd.DataFrame:
    """One row per KPI for the week and scope (only the KPIs of ``area`` when given: the registry's
    ``kpi_area``, the page that owns them): SLA compliance first, then rates, seconds, scores."""
    return frame(publication, f"""
        select {TILES.select()}
        from marts.{OVERVIEW_MART}
        where week_start_date = $week and channel_scope = $scope
            and ($area is null or kpi_name in (select kpi_name from {KPI_REGISTRY.table} where kpi_area = $area))
        order by kpi_name = 'sla_compliance_rate' desc, unit, kpi_name
    """, {"week": week_start_date, "scope": channel_scope, "area": area})


def trends(publication: Publication, start_date: date, end_date: date, channel_scope: str) -> pd.DataFrame:
    """Every KPI's weekly value in the date range, for one scope."""
    return frame(publication, f"""
        select {TRENDS.select()}
        from marts.{OVERVIEW_MART}
        where channel_scope = $scope and week_start_date between $first_week and $end_date
        order by kpi_name, week_start_date
    """, {"scope": channel_scope, "first_week": week_start(start_date), "end_date": end_date})


def movers(publication: Publication, week_start_date: date, channels: tuple[str, ...]) -> pd.DataFrame:
    """The week's changes per channel and KPI, largest first within each unit; rows where this or the
    previous week is a low sample are left out (a change between thin weeks is noise, not news)."""
    return frame(publication, f"""
        select {MOVERS.select()}
        from marts.{OVERVIEW_MART}
        where week_start_date = $week and channel_scope <> 'all' and list_contains($channels, channel_scope)
            and change_from_previous_week is not null and not is_low_sample and not is_previous_week_low_sample
        order by unit, abs(change_from_previous_week) desc
    """, {"week": week_start_date, "channels": channels})
