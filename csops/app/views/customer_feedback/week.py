"""The week the feedback page shows: the whole centre's CSAT and NPS, and the link to the trend."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from csops.app import components, labels
from csops.app.data import feedback
from csops.app.views import csat_by_channel
from csops.app.weeks import week_end
from csops.kernel.publication import Publication

CSAT, NPS = "csat_top2_rate", "nps"


def csat_trend_link() -> str:
    """The CSAT-by-channel page with the same filters (a new tab restores them from the address)."""
    params = st.query_params.to_dict()
    query = urlencode([(name, value) for name in params for value in st.query_params.get_all(name)])
    return f"{csat_by_channel.URL_PATH}?{query}" if query else csat_by_channel.URL_PATH


def centre(publication: Publication, week_start_date: date) -> dict[str, pd.Series]:
    """The whole centre's CSAT and NPS of the week, by KPI name."""
    rows = feedback.centre_week(publication, week_start_date)
    return {str(row["kpi_name"]): row for _, row in rows.iterrows()}


def render_note(publication: Publication, week_start_date: date, centre_rows: dict[str, pd.Series]) -> None:
    registry = labels.registry(publication)
    csat, nps = centre_rows.get(CSAT), centre_rows.get(NPS)
    parts = [f"Week of {week_start_date:%Y-%m-%d} to {week_end(week_start_date):%Y-%m-%d}."]
    if csat is not None and pd.notna(csat["kpi_value"]):
        kpi = registry[CSAT]
        target = f"; target {kpi.format(csat['target_value'])}" if pd.notna(csat["target_value"]) else ""
        parts.append(f"The whole centre (every channel and team): {components.plain(kpi.label)} "
                     f"**{kpi.format(csat['kpi_value'])}** "
                     f"(n = {int(csat['sample_size']):,}{target}), drawn as a dotted line on the charts below.")
        if pd.notna(csat["is_complete_week"]) and not bool(csat["is_complete_week"]):
            as_of = f" (data as of {csat['as_of_at']:%Y-%m-%d %H:%M} UTC)" if pd.notna(csat["as_of_at"]) else ""
            parts.append(f"**This week is not over yet**{as_of}: its numbers will still move.")
    if nps is not None and pd.notna(nps["kpi_value"]):
        parts.append(f"{components.plain(registry[NPS].label)} {registry[NPS].format(nps['kpi_value'])} "
                     f"(n = {int(nps['sample_size']):,}).")
    st.caption(" ".join(parts))
