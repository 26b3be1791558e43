"""Page: the overview. Are we meeting our targets this week, what changed since last week,
and what moved most? Every number is a row of ``marts.kpi_overview_weekly``: the KPI, its
n, its target and its change are the mart's; the page chooses and lays them out."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from csops.app import components, filters
from csops.app.data import overview, records

TITLE = "Overview"
URL_PATH = "overview"

ALL = "all"
MOVERS_SHOWN = 8
# Each KPI's records, for its drill-down: (records function, what they are, extra equalities).
_RECORDS = {
    "sla_compliance_rate": (records.ticket_slas, "tickets", {"sla_kind": "first_response"}),
    "service_level_rate": (records.queue_segments, "calls", {}),
    "asa_seconds": (records.queue_segments, "calls", {}),
    "abandon_rate": (records.queue_segments, "calls", {}),
}


def render() -> None:
    st.title(TITLE)
    page = components.start_page(overview.OVERVIEW_MART, "kpi_targets")
    if page is None:
        return
    publication, chosen = page
    weeks = overview.weeks(publication, chosen.start_date, chosen.end_date)
    if weeks.empty:
        st.info(f"No week between {chosen.start_date} and {chosen.end_date} has KPIs yet.")
        return
    complete = weeks[weeks["is_complete_week"]]
    default_week = (complete if not complete.empty else weeks).iloc[0]["week_start_date"]
    scopes = [ALL, *(scope for scope in overview.scopes(publication) if scope in chosen.channels)]
    week_column, scope_column = st.columns([1, 1])
    week = week_column.selectbox(
        "Week", weeks["week_start_date"].tolist(), index=weeks["week_start_date"].tolist().index(default_week),
        format_func=lambda monday: f"{monday} to {monday + timedelta(days=6)}"
        + ("" if weeks.set_index("week_start_date").loc[monday, "is_complete_week"] else " (in progress)"))
    scope = scope_column.selectbox("Channels", scopes, format_func=lambda s: "All channels" if s == ALL else s,
                                   index=0 if chosen.is_every_channel or len(scopes) == 1 else 1)
    if not chosen.is_every_team:
        st.caption("The overview is per channel, not per team: the team filter applies on the other pages.")

    kpis = overview.kpis(publication, week, scope)
    _render_tiles(kpis)
    st.subheader("Trends")
    trends = overview.trends(publication, chosen.start_date, chosen.end_date, scope)
    st.plotly_chart(_trend_figure(trends), width="stretch")
    st.caption("Each KPI per week, with its target (dashed). Hollow markers: low-sample weeks; the last week may "
               "still be in progress (FCR waits for its repeat windows to close).")
    _render_movers(publication, week, chosen)
    _render_drill_down(publication, kpis, week, scope)


def _format(value, unit: str) -> str:
    if value is None or pd.isna(value):
        return "n/a"
    if unit == "rate":
        return f"{value:.1%}"
    if unit == "seconds":
        return f"{value:.0f} s"
    return f"{value:.0f}"


def _format_change(value, unit: str) -> str | None:
    if value is None or pd.isna(value):
        return None
    if unit == "rate":
        return f"{value * 100:+.1f} pp"
    if unit == "seconds":
        return f"{value:+.0f} s"
    return f"{value:+.0f}"


def _render_tiles(kpis: pd.DataFrame) -> None:
    st.caption("Each tile: the week's value, its change against the week before (green when it moves toward the "
               "target), and the target. Targets: `seeds/kpi_target_settings.csv`.")
    for row_start in range(0, len(kpis), 4):
        columns = st.columns(4)
        for column, (_, kpi) in zip(columns, kpis.iloc[row_start:row_start + 4].iterrows()):
            direction = "≥" if kpi["target_direction"] == "at_least" else "≤"
            met = kpi["is_meeting_target"]
            verdict = "no value" if pd.isna(met) else "meets target" if met else "misses target"
            low = " Low sample: read with care." if kpi["is_low_sample"] else ""
            column.metric(
                kpi["kpi_label"], _format(kpi["kpi_value"], kpi["unit"]),
                delta=_format_change(kpi["change_from_previous_week"], kpi["unit"]),
                delta_color="normal" if kpi["target_direction"] == "at_least" else "inverse",
                help=f"n = {int(kpi['sample_size']):,}.{low} Target {direction} "
                     f"{_format(kpi['target_value'], kpi['unit'])} ({kpi['target_source'].replace('_', ' ')}).",
                border=True,
            )
            column.caption(f"Target {direction} {_format(kpi['target_value'], kpi['unit'])}: {verdict}")


def _trend_figure(trends: pd.DataFrame) -> go.Figure:
    labels = trends.drop_duplicates("kpi_name")[["kpi_name", "kpi_label", "unit"]].reset_index(drop=True)
    # The label comes from a seed the manager edits: drawn as text (kpi_name, which picks the rows, is untouched).
    labels = labels.assign(kpi_label=labels["kpi_label"].map(components.chart_text, na_action="ignore"))
    columns = 4
    rows = (len(labels) + columns - 1) // columns
    figure = make_subplots(rows=rows, cols=columns, subplot_titles=labels["kpi_label"].tolist(),
                           horizontal_spacing=0.06, vertical_spacing=0.18)
    for index, kpi in labels.iterrows():
        series = trends[trends["kpi_name"] == kpi["kpi_name"]]
        position = {"row": index // columns + 1, "col": index % columns + 1}
        figure.add_trace(go.Scatter(
            x=series["week_start_date"], y=series["kpi_value"], mode="lines+markers", name=kpi["kpi_label"],
            marker={"symbol": ["circle-open" if low else "circle" for low in series["is_low_sample"]], "size": 8},
            customdata=series["sample_size"], hovertemplate="%{x|%Y-%m-%d}: %{y}<br>n = %{customdata}<extra></extra>",
            showlegend=False), **position)
        figure.add_trace(go.Scatter(x=series["week_start_date"], y=series["target_value"], mode="lines",
                                    line={"dash": "dash", "color": "grey"}, hoverinfo="skip", showlegend=False),
                         **position)
        if kpi["unit"] == "rate":
            figure.update_yaxes(tickformat=".0%", **position)
        elif kpi["unit"] == "seconds":
            figure.update_yaxes(ticksuffix=" s", **position)
    figure.update_layout(height=280 * rows, margin={"t": 40, "b": 20})
    return figure


def _render_movers(publication, week, chosen: filters.Filters) -> None:
    st.subheader("What moved most")
    movers = overview.movers(publication, week, chosen.channels)
    if movers.empty:
        st.info("No change to show for this week: the week before has no values, or the samples are too small.")
        return
    shown = movers.groupby("unit", sort=False).head(MOVERS_SHOWN)
    st.caption("The largest changes against the week before, per channel, for rates (percentage points) and "
               "for seconds and scores apart. Low-sample weeks are left out: a change between thin weeks is noise.")
    components.table(shown, file_name=f"kpi_changes_{week}", key="movers", column_config={
        "channel_scope": st.column_config.TextColumn("Channel"),
        "kpi_label": st.column_config.TextColumn("KPI"),
        "previous_week_value": st.column_config.NumberColumn("Week before", format="%.3f"),
        "kpi_value": st.column_config.NumberColumn("This week", format="%.3f"),
        "change_from_previous_week": st.column_config.NumberColumn("Change", format="%+.3f"),
        "is_improving": st.column_config.CheckboxColumn("Toward target"),
        "sample_size": st.column_config.NumberColumn("n"),
    })


def _render_drill_down(publication, kpis: pd.DataFrame, week, scope: str) -> None:
    end = week + timedelta(days=6)
    channel = None if scope == ALL else scope

    def behind(kpi: pd.Series) -> pd.DataFrame:
        function, _, equal = _RECORDS.get(kpi["kpi_name"], (records.contacts, "contacts", {}))
        if function is records.queue_segments:
            return function(publication, week, end)  # queues are phone: the channel is implied
        return function(publication, week, end, channel=channel, **equal)

    components.drill_down(
        kpis, key="overview", what="records", file_name=f"overview_{week}_{scope}",
        label=lambda kpi: f"{kpi['kpi_label']}: the "
                          f"{_RECORDS.get(kpi['kpi_name'], (None, 'contacts', None))[1]} of the week",
        records=behind)


if __name__ == "__main__":  # Streamlit runs the page's file as a script
    render()
