"""The KPI tiles: a week's value of each KPI, its change against the week before and its target,
as ``marts.kpi_overview_weekly`` holds them, in the registry's formats. The overview shows every
KPI; each page shows the KPIs the registry gives its area (``kpi_area``), so a KPI added to the
registry appears on its page and on the overview with no page edited."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from csops.app import filters, labels
from csops.app.data import overview
from csops.app.weeks import week_end
from csops.kernel.publication import Publication

TILES_PER_ROW = 4
ALL = "all"


def render_area(publication: Publication, area: str, chosen: filters.Filters) -> None:
    """The headline KPIs of ``area`` for the page's default week (the overview's rule), for the one
    channel chosen, else for all channels together."""
    weeks = overview.weeks(publication, chosen.start_date, chosen.end_date)
    if weeks.empty:
        return
    week = overview.default_week(weeks)
    scope = chosen.channels[0] if len(chosen.channels) == 1 else ALL
    kpis = overview.kpis(publication, week, scope, area)
    if kpis.empty:
        return
    in_progress = "" if weeks.set_index("week_start_date").loc[week, "is_complete_week"] else " (in progress)"
    st.subheader(f"Headline KPIs, week of {week} to {week_end(week)}{in_progress}")
    render_tiles(kpis, labels.registry(publication),
                 scope_note="all channels together" if scope == ALL else f"the {scope} channel")


def format_change(value, kpi: labels.Kpi) -> str | None:
    if value is None or pd.isna(value):
        return None
    if kpi.is_rate:
        return f"{value * 100:+.1f} pp"
    return f"{value:+.0f}{kpi.suffix}"


def render_tiles(kpis: pd.DataFrame, registry: dict[str, labels.Kpi], scope_note: str | None = None) -> None:
    scope = f" For {scope_note}; the overview has each channel and the trend." if scope_note else ""
    st.caption("Each tile: the week's value, its change against the week before (green when it moves toward the "
               f"target), and the target. Targets: the KPI registry, `seeds/kpi_registry.csv`.{scope}")
    for row_start in range(0, len(kpis), TILES_PER_ROW):
        columns = st.columns(TILES_PER_ROW)
        for column, (_, row) in zip(columns, kpis.iloc[row_start:row_start + TILES_PER_ROW].iterrows()):
            kpi = registry[row["kpi_name"]]
            direction = "≥" if row["target_direction"] == "at_least" else "≤"
            met = row["is_meeting_target"]
            verdict = "no value" if pd.isna(met) else "meets target" if met else "misses target"
            low = " Low sample: read with care." if row["is_low_sample"] else ""
            column.metric(
                row["kpi_label"], kpi.format(row["kpi_value"]),
                delta=format_change(row["change_from_previous_week"], kpi),
                delta_color="normal" if row["target_direction"] == "at_least" else "inverse",
                help=f"n = {int(row['sample_size']):,}.{low} Target {direction} "
                     f"{kpi.format(row['target_value'])} ({str(kpi.target_source).replace('_', ' ')}).",
                border=True,
            )
            column.caption(f"Target {direction} {kpi.format(row['target_value'])}: {verdict}")
