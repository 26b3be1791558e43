"""Page: the overview. Are we meeting our targets this week, what changed since last week,
and what moved most? Every number is a row of ``marts.kpi_overview_weekly``: the KPI, its
n, its target and its change are the mart's; the page chooses and lays them out, in the formats
of the KPI registry (``marts.dim_kpis``)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from csops.app import charts, components, filters, kpi_tiles, labels
from csops.app.data import overview, records
from csops.app.weeks import week_end
from csops.kernel.publication import Publication

TITLE = "Overview"
URL_PATH = "overview"

ALL = kpi_tiles.ALL
MOVERS_SHOWN = 8
TILES_PER_ROW = kpi_tiles.TILES_PER_ROW
# Each KPI's records, for its drill-down: (records function, what they are, extra equalities).
_RECORDS = {
    "sla_compliance_rate": (records.ticket_slas, "tickets", {"sla_kind": "first_response"}),
    "service_level_rate": (records.queue_segments, "calls", {}),
    "asa_seconds": (records.queue_segments, "calls", {}),
    "abandon_rate": (records.queue_segments, "calls", {}),
}


@components.page(TITLE, overview.OVERVIEW_MART)
def render(publication: Publication, chosen: filters.Filters) -> None:
    weeks = overview.weeks(publication, chosen.start_date, chosen.end_date)
    if weeks.empty:
        st.info(f"No week between {chosen.start_date} and {chosen.end_date} has KPIs yet.")
        return
    default_week = overview.default_week(weeks)
    scopes = [ALL, *(scope for scope in overview.scopes(publication) if scope in chosen.channels)]
    week_column, scope_column = st.columns([1, 1])
    week = week_column.selectbox(
        "Week", weeks["week_start_date"].tolist(), index=weeks["week_start_date"].tolist().index(default_week),
        format_func=lambda monday: f"{monday} to {week_end(monday)}"
        + ("" if weeks.set_index("week_start_date").loc[monday, "is_complete_week"] else " (in progress)"))
    scope = scope_column.selectbox("Channels", scopes, format_func=lambda s: "All channels" if s == ALL else s,
                                   index=0 if chosen.is_every_channel or len(scopes) == 1 else 1)
    if not chosen.is_every_team:
        st.caption("The overview is per channel, not per team: the team filter applies on the other pages.")

    registry = labels.registry(publication)
    kpis = overview.kpis(publication, week, scope)
    kpi_tiles.render_tiles(kpis, registry)
    st.subheader("Trends")
    trends = overview.trends(publication, chosen.start_date, chosen.end_date, scope)
    st.plotly_chart(trend_figure(trends, registry), width="stretch")
    st.caption("Each KPI per week, with its target (dashed). Hollow markers: low-sample weeks; the last week may "
               "still be in progress (FCR waits for its repeat windows to close).")
    _render_movers(publication, week, chosen)
    _render_drill_down(publication, kpis, week, scope)


def trend_figure(trends: pd.DataFrame, registry: dict[str, labels.Kpi]) -> go.Figure:
    kpi_names = list(dict.fromkeys(trends["kpi_name"]))
    columns = TILES_PER_ROW
    rows = (len(kpi_names) + columns - 1) // columns
    # The label comes from a seed the manager edits: drawn as text (kpi_name, which picks the rows, is untouched).
    titles = [charts.chart_text(registry[name].label) for name in kpi_names]
    figure = make_subplots(rows=rows, cols=columns, subplot_titles=titles, horizontal_spacing=0.06,
                           vertical_spacing=0.18)
    for index, (name, title) in enumerate(zip(kpi_names, titles)):
        kpi, series = registry[name], trends[trends["kpi_name"] == name]
        cell = {"row": index // columns + 1, "col": index % columns + 1}
        figure.add_trace(go.Scatter(
            x=series["week_start_date"], y=series["kpi_value"], mode="lines+markers", name=title,
            marker={"symbol": charts.sample_symbols(series["is_low_sample"]), "size": 8},
            customdata=series["sample_size"],
            hovertemplate=f"%{{x|{charts.DATE_FORMAT}}}: {kpi.field()}<br>n = %{{customdata}}<extra></extra>",
            showlegend=False), **cell)
        charts.add_target_line(figure, series["target_value"].dropna().iloc[0] if series["target_value"].notna().any()
                               else None, kpi.value_format, **cell)
        figure.update_yaxes(tickformat=".0%" if kpi.is_rate else None, ticksuffix=kpi.suffix or None, **cell)
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
    components.table(shown, file_name=f"kpi_changes_{week}", key="movers", column_config=labels.columns(
        publication, ("channel_scope", "kpi_label", "previous_week_value", "kpi_value", "change_from_previous_week",
                      "is_improving", "sample_size")))


def _render_drill_down(publication, kpis: pd.DataFrame, week, scope: str) -> None:
    end = week_end(week)
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
