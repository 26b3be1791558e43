"""Section: where do callers abandon? Each queue-day's abandon rate, service level or ASA, with its
target (``queue_daily_metrics``, the KPI registry)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from csops.app import charts, components, filters, labels
from csops.app.data import queues
from csops.app.views.queues_staffing.calls import day_calls, day_label, first, percent
from csops.kernel.publication import Publication

# The KPIs the trend can draw, each with what its axis says it is.
TREND_AXIS_TITLES = {
    "abandon_rate": "Abandon rate (abandoned / (offered - short abandons))",
    "service_level_rate": "Service level (answered within threshold)",
    "asa_seconds": "Average speed of answer (seconds)",
}
DAILY_TABLE_COLUMNS = (
    "queue_date", "queue_name", "offered_calls", "abandoned_calls", "short_abandoned_calls",
    "callback_requested_calls", "abandon_rate", "asa_seconds", "service_level_rate", "p90_wait_seconds",
    "longest_wait_seconds",
)


def render(publication: Publication, chosen: filters.Filters, names: list[str], timezone: str) -> None:
    st.subheader("Where do callers abandon?")
    rows = queues.daily_rows(publication, chosen.start_date, chosen.end_date, names)
    if rows.empty:
        st.info(f"No queue-day between {chosen.start_date} and {chosen.end_date}. Widen the dates in the sidebar.")
        return
    registry = labels.registry(publication)
    column = st.radio("Measure", list(TREND_AXIS_TITLES), format_func=lambda name: registry[name].label,
                      horizontal=True, key="queues_trend_measure")
    kpi = registry[column]
    st.plotly_chart(trend_figure(rows, kpi, names), width="stretch", key="queues_trend_chart")
    short_abandon = int(first(rows, "short_abandon_seconds", 5))
    target_text = f" The dashed line is the target ({kpi.format(kpi.target_value)})." if kpi.has_target else ""
    st.caption(
        f"**Where do callers abandon?** One point per queue per day, as `marts.queue_daily_metrics` states it "
        f"(reporting dates, {timezone}); days are not pooled. Abandon rate = abandoned / (offered - short abandons): "
        f"callers who hung up in queue after {short_abandon} s or more, never answered; hang-ups after less than "
        f"{short_abandon} s (short abandons) and callback requests are not abandons. ASA = queue wait of answered "
        f"calls / answered. A day with a handful of offered calls (a quiet Saturday) can reach 0% or 100%: hover "
        f"for its offered calls. The heatmaps above show the time of day.{target_text} "
        "The queue marts have no low-sample flag and nothing here is ranked.")
    table_rows = rows.sort_values(["queue_date", "queue_name"], ascending=[False, True]).reset_index(drop=True)
    components.table(table_rows, file_name=f"queue_daily_{chosen.start_date}_{chosen.end_date}",
                     key="queues_daily_rows", column_config=labels.columns(publication, DAILY_TABLE_COLUMNS),
                     caption=f"{len(table_rows):,} queue-days, newest first.")
    only_abandoned = st.checkbox("Drill down to the abandoned calls only (abandoned and short abandons)",
                                 key="queues_abandoned_only")
    components.drill_down(
        table_rows[table_rows["offered_calls"] > 0], key="queues_day", file_name="queue_day_calls",
        what="abandoned calls" if only_abandoned else "offered calls",
        label=lambda row: (f"{row['queue_name']} {day_label(row['queue_date'])}: {int(row['offered_calls'])} offered, "
                           f"{int(row['abandoned_calls'])} abandoned, abandon rate {percent(row['abandon_rate'])}"),
        records=lambda row: day_calls(publication, row, only_abandoned))


def trend_figure(rows: pd.DataFrame, kpi: labels.Kpi, names: list[str]) -> go.Figure:
    """One line per queue of the KPI day by day, and the KPI's target."""
    colors = charts.colors(names)
    label = charts.chart_text(kpi.label)
    traces = []
    for queue_name in names:
        queue_rows = rows[rows["queue_name"] == queue_name]
        if queue_rows.empty:
            continue
        shown_name = charts.chart_text(queue_name)
        # ISO strings and float arrays: Plotly copies and validates each element it is given.
        traces.append(go.Scatter(
            x=[day.isoformat() for day in queue_rows["queue_date"]], y=queue_rows[kpi.column].to_numpy(dtype=float),
            name=shown_name, mode="lines+markers", line={"color": colors[str(queue_name)], "width": 2},
            customdata=queue_rows[["offered_calls", "abandoned_calls", "short_abandoned_calls"]].to_numpy(dtype=float),
            hovertemplate=(f"<b>{shown_name}</b> %{{x|%a %Y-%m-%d}}<br>{label} {kpi.field()}<br>"
                           "Offered %{customdata[0]:,.0f}, abandoned %{customdata[1]:,.0f}, short abandons "
                           "%{customdata[2]:,.0f}<extra></extra>"),
        ))
    figure = go.Figure(data=traces)
    charts.add_target_line(figure, kpi.target_value, kpi.value_format)
    figure.update_layout(xaxis_title="Reporting date", yaxis_title=TREND_AXIS_TITLES.get(kpi.column, label),
                         legend_title_text="Queue", hovermode="closest", margin={"t": 30, "b": 40})
    if kpi.is_rate:
        figure.update_yaxes(tickformat=".0%", rangemode="tozero")
    figure.update_xaxes(type="date", tickformat=charts.DATE_FORMAT)
    return figure
