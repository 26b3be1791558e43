"""Section: how many agents did an interval need, and how many did we have? One queue-day's
intervals against Erlang C (``queue_interval_metrics``)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from csops.app import charts, components, filters, labels
from csops.app.data import queues
from csops.app.views.queues_staffing.calls import day_label, first, interval_calls, interval_label, percent
from csops.kernel.publication import Publication

UNDERSTAFFED_COLOR = "#d62728"
REQUIRED_COLOR = "#b0b7c3"
# The day's intervals, as the staffing table shows them (the CSV keeps every mart column).
STAFFING_TABLE_COLUMNS = (
    "interval_start_local_at", "interval_start_at", "offered_calls", "service_level_rate", "required_agents",
    "staffed_agents", "is_understaffed", "required_agents_service_level_rate", "traffic_erlangs", "erlang_aht_seconds",
    "occupancy_rate", "asa_seconds", "abandon_rate",
)


def render(publication: Publication, chosen: filters.Filters, names: list[str], timezone: str,
           week: queues.Week | None) -> None:
    st.subheader("How many agents did we need, and how many did we have?")
    queue_column, day_column = st.columns(2)
    heatmap_queue = st.session_state.get("queues_heatmap_queue")
    queue_name = queue_column.selectbox("Queue", names, key="queues_staffing_queue",
                                        index=names.index(heatmap_queue) if heatmap_queue in names else 0)
    days = queues.interval_dates(publication, chosen.start_date, chosen.end_date, queue_name)
    if not days:
        st.info(f"{components.plain(queue_name)} has no interval between {chosen.start_date} and {chosen.end_date}.")
        return
    # The chosen week's first day with intervals (a Monday, usually), else the latest day.
    in_week = [day for day in days if week is not None and week.start_date <= day <= week.end_date]
    day = day_column.selectbox("Day", days, index=days.index(in_week[-1]) if in_week else 0,
                               key="queues_staffing_day", format_func=day_label)
    rows = queues.interval_rows(publication, day, day, [queue_name], timezone)
    st.plotly_chart(staffing_figure(rows, queue_name, timezone), width="stretch", key="queues_staffing_chart")
    st.caption(_caption(rows, timezone))
    components.table(rows, file_name=f"queue_staffing_{queue_name}_{day}", key="queues_staffing_rows",
                     column_config=labels.columns(publication, STAFFING_TABLE_COLUMNS),
                     caption=f"{components.plain(queue_name)}, {day_label(day)}: the mart's {len(rows)} intervals.")
    components.drill_down(
        rows[rows["offered_calls"] > 0], key="queues_staffing_interval", what="offered calls",
        file_name="queue_interval_calls", label=interval_label, records=lambda row: interval_calls(publication, row))


def staffing_figure(rows: pd.DataFrame, queue_name: str, timezone: str) -> go.Figure:
    # Plain strings and float arrays: Plotly copies and validates each element it is given.
    x = pd.to_datetime(rows["interval_start_local_at"]).dt.strftime("%Y-%m-%d %H:%M").tolist()
    text = [f"Offered {offered}, service level {percent(sl)}<br>Load {load:.2f} Erlangs; predicted service level "
            f"with the required agents {percent(predicted)}"
            for offered, sl, load, predicted in zip(rows["offered_calls"], rows["service_level_rate"],
                                                    rows["traffic_erlangs"].fillna(0),
                                                    rows["required_agents_service_level_rate"])]
    understaffed = rows["is_understaffed"].to_numpy(dtype=bool)
    traces = [
        go.Bar(x=x, y=rows["required_agents"].to_numpy(dtype=float), name="Required (Erlang C)",
               marker_color=REQUIRED_COLOR, text=text, textposition="none",
               hovertemplate="%{x|%H:%M}: %{y} required<br>%{text}<extra></extra>"),
        go.Scatter(x=x, y=rows["staffed_agents"].to_numpy(dtype=float), name="Staffed (logged in)",
                   mode="lines+markers", line={"color": charts.PALETTE[0], "width": 2}, marker={"size": 5},
                   text=text, hovertemplate="%{x|%H:%M}: %{y:.2f} staffed<br>%{text}<extra></extra>"),
        go.Scatter(x=[time for time, short in zip(x, understaffed) if short],
                   y=rows.loc[understaffed, "staffed_agents"].to_numpy(dtype=float), name="Understaffed",
                   mode="markers", marker={"color": UNDERSTAFFED_COLOR, "size": 11, "symbol": "x"},
                   hovertemplate="%{x|%H:%M}: understaffed (%{y:.2f} staffed)<extra></extra>"),
    ]
    figure = go.Figure(data=traces)
    figure.update_layout(xaxis_title=f"Interval start ({timezone})", yaxis_title="Agents",
                         legend_title_text=charts.chart_text(queue_name),
                         bargap=0.15, hovermode="closest", margin={"t": 30, "b": 40})
    figure.update_xaxes(type="date", tickformat="%H:%M")
    return figure


def _caption(rows: pd.DataFrame, timezone: str) -> str:
    target = first(rows, "service_level_target", 0.8)
    threshold = int(first(rows, "sl_threshold_seconds", 20))
    minutes = int(first(rows, "queue_interval_minutes", 15))
    known = rows["staffed_agents"].notna() & rows["required_agents"].notna()
    unknown = ""
    if rows["required_agents"].isna().any():
        unknown += " No bar: nothing was answered in the queue that day, so there is no AHT and no load to size on."
    if rows["staffed_agents"].isna().any():
        unknown += " No staffed point: no agent-state data covers the interval."
    return (
        f"**How many agents did we need at each {minutes}-minute interval, and how many did we have?** "
        f"**Required agents** (bars) is Erlang C's answer: the fewest agents whose predicted service level (answered "
        f"within {threshold} s) reaches the {target:.0%} target for the interval's offered load (offered calls x the "
        "queue's AHT over the day / interval length). Erlang C assumes callers never hang up, so it errs towards "
        "more agents. **Staffed agents** (line) is time-weighted agents logged in whose routing profile mainly "
        "serves this queue, breaks included. **Red crosses: understaffed** (staffed below required, the mart's "
        "`is_understaffed`): "
        f"{int(rows['is_understaffed'].sum())} of the {int(known.sum())} intervals that have both. Times in "
        f"{timezone}.{unknown}"
    )
