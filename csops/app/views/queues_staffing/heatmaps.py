"""Section: when do we miss service level? One week's intervals as heatmaps of service level,
offered calls and abandon rate (``queue_interval_metrics``)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from csops.app import charts, components, filters, labels
from csops.app.data import queues
from csops.app.views.queues_staffing.calls import day_label, first, interval_calls, interval_label, percent, week_label
from csops.app.weeks import DAYS_IN_WEEK
from csops.kernel.publication import Publication

ALL_QUEUES = "All queues (side by side)"
HEATMAP_COLUMNS_PER_ROW = 3
# Pixels per interval row of a heatmap, so that a 15-minute day stays readable without scrolling forever.
HEATMAP_ROW_PIXELS = 13
HEATMAP_MIN_HEIGHT = 380
BELOW_TARGET_COLORS = ("#b2182b", "#f4a582")  # 0% .. just below target
AT_TARGET_COLORS = ("#92c5de", "#2166ac")  # target .. 100%
# The week's intervals as rows: the staffing table's columns after the queue, and the call counts
# (understaffing is the staffing section's, one queue-day at a time).
WEEK_TABLE_COLUMNS = (
    "queue_name", "interval_start_local_at", "interval_start_at", "offered_calls", "service_level_rate",
    "required_agents", "staffed_agents", "required_agents_service_level_rate", "traffic_erlangs", "erlang_aht_seconds",
    "occupancy_rate", "asa_seconds", "abandon_rate", "answered_calls", "abandoned_calls", "short_abandoned_calls",
    "callback_requested_calls",
)


def render(publication: Publication, chosen: filters.Filters, names: list[str], timezone: str) -> queues.Week | None:
    """The heatmaps of the chosen week, which the staffing section opens on."""
    st.subheader("When do we miss service level?")
    choices = queues.weeks(publication, chosen.start_date, chosen.end_date)
    default = queues.default_week(choices)
    week_column, queue_column = st.columns(2)
    week = week_column.selectbox("Week", choices, index=choices.index(default), key="queues_week",
                                 format_func=week_label)
    queue_choice = queue_column.selectbox("Queue", [ALL_QUEUES, *names], key="queues_heatmap_queue")
    shown_queues = names if queue_choice == ALL_QUEUES else [queue_choice]
    first_day, last_day = max(week.start_date, chosen.start_date), min(week.end_date, chosen.end_date)
    rows = queues.interval_rows(publication, first_day, last_day, shown_queues, timezone)
    if rows.empty:
        st.info(f"No interval rows for {components.plain(queue_choice)} in the week of {week.start_date}. "
                "Pick another week or queue.")
        return week
    rows = with_time_labels(rows)
    target = float(rows["service_level_target"].iloc[0])
    minutes = int(rows["queue_interval_minutes"].iloc[0])
    threshold = int(rows["sl_threshold_seconds"].iloc[0])

    sl_tab, offered_tab, abandon_tab = st.tabs(["Service level", "Offered calls", "Abandon rate"])
    with sl_tab:
        st.plotly_chart(heatmap_figure(rows, week, shown_queues, "service_level_rate", service_level_axis(target)),
                        width="stretch", key="queues_heatmap_sl")
        st.caption(
            f"**When do we miss service level?** Each cell is one {minutes}-minute interval's service level as "
            f"`marts.queue_interval_metrics` states it: calls answered within {threshold} s / (offered - short "
            f"abandons - callbacks requested). **Red: below the {target:.0%} target**; blue: at or above it. "
            "An interval with a handful of calls swings between 0% and 100%: hover for its offered calls. "
            "Blank: no call that service level counts, or no row at all (no call, no agent logged in).")
    with offered_tab:
        st.plotly_chart(heatmap_figure(rows, week, shown_queues, "offered_calls", offered_axis(rows)),
                        width="stretch", key="queues_heatmap_offered")
        st.caption(
            "**When do the calls come?** Each cell is the interval's offered calls (inbound calls that entered "
            "the queue, counted in the interval they entered it; a queue-to-queue transfer is offered again in the "
            "second queue; callbacks and calls that ended in the IVR are not offered). Blank: no row (no call, no "
            "agent logged in).")
    with abandon_tab:
        st.plotly_chart(heatmap_figure(rows, week, shown_queues, "abandon_rate", abandon_axis()),
                        width="stretch", key="queues_heatmap_abandon")
        st.caption(
            "**When do callers abandon?** Each cell is the interval's abandon rate: abandoned / (offered - short "
            f"abandons), short abandons being callers who hung up after less than "
            f"{int(first(rows, 'short_abandon_seconds', 5))} s. Blank: no call it counts.")
    partial = "" if (first_day, last_day) == (week.start_date, week.end_date) else (
        f" Only {first_day} to {last_day} of this week is inside the date filter; its other days are left empty.")
    st.caption(
        f"Columns are the week's days (reporting dates, {timezone}); rows are the interval's start time in "
        f"**{timezone}**, the reporting timezone (the mart's intervals are UTC {minutes}-minute intervals, dated "
        f"in {timezone}). One week at a time, as the mart states it: no average over weeks.{partial}")
    with st.expander("The week's intervals as rows (table and CSV)"):
        components.table(rows.drop(columns=["time_label", "hover_text", "is_understaffed"]),
                         file_name=f"queue_intervals_week_{week.start_date}", key="queues_week_rows",
                         column_config=labels.columns(publication, WEEK_TABLE_COLUMNS),
                         caption=f"{len(rows):,} queue-intervals of the week of {week.start_date}.")
    components.drill_down(
        rows[rows["offered_calls"] > 0], key="queues_week_interval", what="offered calls",
        file_name="queue_interval_calls", label=interval_label, records=lambda row: interval_calls(publication, row))
    return week


def with_time_labels(rows: pd.DataFrame) -> pd.DataFrame:
    """Each interval's start time of day in the reporting timezone, the heatmap's row label.

    On the autumn clock change an hour of local times repeats: the second pass is labelled apart
    rather than laid over the first.
    """
    rows = rows.copy()
    times = pd.to_datetime(rows["interval_start_local_at"]).dt.strftime("%H:%M")
    repeated = rows.assign(time_label=times).duplicated(["queue_name", "interval_date", "time_label"])
    rows["time_label"] = times.where(~repeated, times + " (2nd)")
    rows["hover_text"] = [f"Service level {percent(sl)}<br>Offered {offered}, answered {answered}<br>"
                          f"Abandoned {abandoned} (abandon rate {percent(abandon)})"
                          for sl, offered, answered, abandoned, abandon in zip(
                              rows["service_level_rate"], rows["offered_calls"], rows["answered_calls"],
                              rows["abandoned_calls"], rows["abandon_rate"])]
    return rows


def _time_grid(rows: pd.DataFrame) -> list[str]:
    """Every interval start from the earliest to the latest shown, so that quiet stretches show as gaps."""
    minutes = int(rows["queue_interval_minutes"].iloc[0])
    plain = rows.loc[~rows["time_label"].str.contains("2nd"), "time_label"]
    starts = sorted({int(label[:2]) * 60 + int(label[3:5]) for label in plain})
    grid = [f"{m // 60:02d}:{m % 60:02d}" for m in range(starts[0], starts[-1] + 1, minutes)] if starts else []
    repeated = sorted(set(rows["time_label"]) - set(grid))
    if repeated:  # the repeated hour's second pass, after its first pass
        after = grid.index(repeated[-1][:5]) + 1
        grid[after:after] = repeated
    return grid


def heatmap_figure(rows: pd.DataFrame, week: queues.Week, shown_queues: list[str], column: str,
                   color_axis: dict) -> go.Figure:
    days = [week.start_date + timedelta(days=offset) for offset in range(DAYS_IN_WEEK)]
    day_labels = [day_label(day) for day in days]
    grid = _time_grid(rows)
    columns = min(len(shown_queues), HEATMAP_COLUMNS_PER_ROW)
    row_count = math.ceil(len(shown_queues) / columns)
    shown_names = [charts.chart_text(queue_name) for queue_name in shown_queues]
    figure = make_subplots(rows=row_count, cols=columns, subplot_titles=shown_names if len(shown_queues) > 1 else None,
                           shared_yaxes=True, horizontal_spacing=0.03, vertical_spacing=0.08)
    for index, queue_name in enumerate(shown_queues):
        queue_rows = rows[rows["queue_name"] == queue_name]
        # Numbers as a float array and the hover as one string per cell: Plotly copies and validates
        # every element it is given, which for lists of mixed values costs most of a rerun.
        z = _pivot(queue_rows, column, days, grid, float("nan")).to_numpy(dtype=float)
        text = _pivot(queue_rows, "hover_text", days, grid, "").to_numpy(dtype=object).tolist()
        figure.add_trace(go.Heatmap(
            x=day_labels, y=grid, z=z, text=text, coloraxis="coloraxis", name=shown_names[index],
            xgap=1, ygap=1, hoverongaps=False,
            hovertemplate=f"<b>{shown_names[index]}</b> %{{x}} %{{y}}<br>%{{text}}<extra></extra>",
        ), row=index // columns + 1, col=index % columns + 1)
    figure.update_yaxes(autorange="reversed", type="category", title_text=None)
    figure.update_yaxes(title_text="Interval start (reporting time)", col=1)
    figure.update_xaxes(type="category", tickangle=-45)
    figure.update_layout(coloraxis=color_axis, margin={"t": 40, "b": 40},
                         height=max(HEATMAP_MIN_HEIGHT, row_count * len(grid) * HEATMAP_ROW_PIXELS + 120))
    return figure


def _pivot(queue_rows: pd.DataFrame, column: str, days: list[date], grid: list[str], empty) -> pd.DataFrame:
    """One queue's ``column`` as a (time of day x day) matrix over the whole grid; ``empty`` where no row."""
    return (queue_rows.pivot(index="time_label", columns="interval_date", values=column)
            .reindex(index=grid, columns=days).astype(object).where(lambda cells: cells.notna(), empty))


def service_level_axis(target: float) -> dict:
    below, at = BELOW_TARGET_COLORS, AT_TARGET_COLORS
    # A sharp break at the target: every red cell missed it, every blue one met it.
    return {"cmin": 0, "cmax": 1, "colorscale": [[0, below[0]], [target, below[1]], [min(target + 1e-6, 1), at[0]],
                                                 [1, at[1]]],
            "colorbar": {"title": {"text": "Service level"}, "tickformat": ".0%"}}


def offered_axis(rows: pd.DataFrame) -> dict:
    return {"cmin": 0, "cmax": max(1, int(rows["offered_calls"].max())), "colorscale": "Blues",
            "colorbar": {"title": {"text": "Offered calls"}}}


def abandon_axis() -> dict:
    return {"cmin": 0, "cmax": 1, "colorscale": "Reds", "colorbar": {"title": {"text": "Abandon rate"},
                                                                     "tickformat": ".0%"}}
