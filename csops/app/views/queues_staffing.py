"""Page: Queues and staffing. When do we miss service level? How many agents did an interval need, and
how many did we have? Where do callers abandon?

Every number is a column of the queue marts (``queue_interval_metrics``, ``queue_daily_metrics``),
shown at the mart's grain: one week's intervals as heatmaps, one day's intervals against Erlang C,
each queue-day as a trend. Nothing is averaged over weeks or pooled over days.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import plotly.colors
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from csops.app import components, filters
from csops.app.data import queues, records
from csops.kernel.publication import Publication

TITLE = "Queues and staffing"
URL_PATH = "queues-and-staffing"

PHONE = "phone"
ALL_QUEUES = "All queues (side by side)"
NO_PHONE = ("Queues are phone queues, and **phone** is not among the channels selected in the sidebar: this page "
            "has nothing to show. Add phone under Channels to see the queues.")
SCOPE_CAPTION = (
    "Queues are Amazon Connect phone queues: of the sidebar's channels only phone applies. **Queues are not "
    "teams:** the Teams filter does not apply to this page (an agent's time counts towards the queue their "
    "routing profile mostly serves, whatever their team). The date filter selects the queues' reporting dates "
    "({timezone})."
)

HEATMAP_COLUMNS_PER_ROW = 3
# Pixels per interval row of a heatmap, so that a 15-minute day stays readable without scrolling forever.
HEATMAP_ROW_PIXELS = 13
HEATMAP_MIN_HEIGHT = 380
BELOW_TARGET_COLORS = ("#b2182b", "#f4a582")  # 0% .. just below target
AT_TARGET_COLORS = ("#92c5de", "#2166ac")  # target .. 100%
UNDERSTAFFED_COLOR = "#d62728"

# The day's intervals, as the staffing table labels them (the CSV keeps every mart column). Rates use
# column_config's "percent" rather than components.table's percent_columns: that Styler costs a tenth of a
# second per few hundred rows, and the week's table has several hundred.
STAFFING_TABLE_CONFIG = {
    "interval_start_local_at": st.column_config.DatetimeColumn("Interval start (reporting time)",
                                                               format="YYYY-MM-DD HH:mm"),
    "interval_start_at": st.column_config.DatetimeColumn("Interval start (UTC)", format="YYYY-MM-DD HH:mm"),
    "offered_calls": st.column_config.NumberColumn("Offered", format="%d"),
    "service_level_rate": st.column_config.NumberColumn("Service level", format="percent"),
    "required_agents": st.column_config.NumberColumn("Required agents (Erlang C)", format="%d"),
    "staffed_agents": st.column_config.NumberColumn("Staffed agents", format="%.2f"),
    "is_understaffed": st.column_config.CheckboxColumn("Understaffed"),
    "required_agents_service_level_rate": st.column_config.NumberColumn("Predicted SL with required",
                                                                        format="percent"),
    "traffic_erlangs": st.column_config.NumberColumn("Load (Erlangs)", format="%.2f"),
    "erlang_aht_seconds": st.column_config.NumberColumn("AHT used (s)", format="%.0f"),
    "occupancy_rate": st.column_config.NumberColumn("Occupancy", format="percent"),
    "asa_seconds": st.column_config.NumberColumn("ASA (s)", format="%.1f"),
    "abandon_rate": st.column_config.NumberColumn("Abandon rate", format="percent"),
}
# The week's intervals: the staffing table's columns after the queue, and the call counts.
WEEK_TABLE_CONFIG = {
    "queue_name": st.column_config.TextColumn("Queue"),
    **{column: config for column, config in STAFFING_TABLE_CONFIG.items() if column != "is_understaffed"},
    "answered_calls": st.column_config.NumberColumn("Answered", format="%d"),
    "abandoned_calls": st.column_config.NumberColumn("Abandoned", format="%d"),
    "short_abandoned_calls": st.column_config.NumberColumn("Short abandons", format="%d"),
    "callback_requested_calls": st.column_config.NumberColumn("Callbacks requested", format="%d"),
}

DAILY_TABLE_CONFIG = {
    "queue_date": st.column_config.DateColumn("Date", format="YYYY-MM-DD"),
    "queue_name": st.column_config.TextColumn("Queue"),
    "offered_calls": st.column_config.NumberColumn("Offered", format="%d"),
    "abandoned_calls": st.column_config.NumberColumn("Abandoned", format="%d"),
    "short_abandoned_calls": st.column_config.NumberColumn("Short abandons", format="%d"),
    "callback_requested_calls": st.column_config.NumberColumn("Callbacks requested", format="%d"),
    "abandon_rate": st.column_config.NumberColumn("Abandon rate", format="percent"),
    "asa_seconds": st.column_config.NumberColumn("ASA (s)", format="%.1f"),
    "service_level_rate": st.column_config.NumberColumn("Service level", format="percent"),
    "p90_wait_seconds": st.column_config.NumberColumn("p90 wait (s)", format="%.0f"),
    "longest_wait_seconds": st.column_config.NumberColumn("Longest wait (s)", format="%d"),
}


@dataclass(frozen=True)
class Measure:
    """A daily mart column the trend can draw, and the KPI whose target it is held to."""

    label: str
    column: str
    axis_title: str
    is_rate: bool
    target_kpi: str


TREND_MEASURES = (
    Measure("Abandon rate", "abandon_rate", "Abandon rate (abandoned / (offered - short abandons))", True,
            "abandon_rate"),
    Measure("Service level", "service_level_rate", "Service level (answered within threshold)", True,
            "service_level_rate"),
    Measure("ASA", "asa_seconds", "Average speed of answer (seconds)", False, "asa_seconds"),
)


def render() -> None:
    st.title(TITLE)
    page = components.start_page(queues.INTERVAL_MART, queues.DAILY_MART)
    if page is None:
        return
    publication, chosen = page
    timezone = queues.reporting_timezone(publication)
    st.caption(SCOPE_CAPTION.format(timezone=timezone))
    if PHONE not in chosen.channels:
        st.info(NO_PHONE)
        return
    names = queues.queue_names(publication, chosen.start_date, chosen.end_date)
    if not names:
        st.info(f"No queue has an interval between {chosen.start_date} and {chosen.end_date}. Widen the dates in "
                "the sidebar.")
        return
    week = _render_heatmaps(publication, chosen, names, timezone)
    _render_staffing(publication, chosen, names, timezone, week)
    _render_abandons(publication, chosen, names, timezone)


# --- When do we miss service level? ------------------------------------------------------------------------


def _render_heatmaps(publication: Publication, chosen: filters.Filters, names: list[str],
                     timezone: str) -> queues.Week | None:
    st.subheader("When do we miss service level?")
    choices = queues.weeks(publication, chosen.start_date, chosen.end_date)
    default = queues.default_week(choices)
    week_column, queue_column = st.columns(2)
    week = week_column.selectbox("Week", choices, index=choices.index(default), key="queues_week",
                                 format_func=_week_label)
    queue_choice = queue_column.selectbox("Queue", [ALL_QUEUES, *names], key="queues_heatmap_queue")
    shown_queues = names if queue_choice == ALL_QUEUES else [queue_choice]
    first_day, last_day = max(week.start_date, chosen.start_date), min(week.end_date, chosen.end_date)
    rows = queues.interval_rows(publication, first_day, last_day, shown_queues, timezone)
    if rows.empty:
        st.info(f"No interval rows for {components.plain(queue_choice)} in the week of {week.start_date}. "
                "Pick another week or queue.")
        return week
    rows = _with_time_labels(rows)
    target = float(rows["service_level_target"].iloc[0])
    minutes = int(rows["queue_interval_minutes"].iloc[0])
    threshold = int(rows["sl_threshold_seconds"].iloc[0])

    sl_tab, offered_tab, abandon_tab = st.tabs(["Service level", "Offered calls", "Abandon rate"])
    with sl_tab:
        st.plotly_chart(_heatmap_figure(rows, week, shown_queues, "service_level_rate", _service_level_axis(target)),
                        width="stretch", key="queues_heatmap_sl")
        st.caption(
            f"**When do we miss service level?** Each cell is one {minutes}-minute interval's service level as "
            f"`marts.queue_interval_metrics` states it: calls answered within {threshold} s / (offered - short "
            f"abandons - callbacks requested). **Red: below the {target:.0%} target**; blue: at or above it. "
            "An interval with a handful of calls swings between 0% and 100%: hover for its offered calls. "
            "Blank: no call that service level counts, or no row at all (no call, no agent logged in).")
    with offered_tab:
        st.plotly_chart(_heatmap_figure(rows, week, shown_queues, "offered_calls", _offered_axis(rows)),
                        width="stretch", key="queues_heatmap_offered")
        st.caption(
            "**When do the calls come?** Each cell is the interval's offered calls (inbound calls that entered "
            "the queue, counted in the interval they entered it; a queue-to-queue transfer is offered again in the "
            "second queue; callbacks and calls that ended in the IVR are not offered). Blank: no row (no call, no "
            "agent logged in).")
    with abandon_tab:
        st.plotly_chart(_heatmap_figure(rows, week, shown_queues, "abandon_rate", _abandon_axis()),
                        width="stretch", key="queues_heatmap_abandon")
        short_abandon = int(_first(rows, "short_abandon_seconds", 5))
        st.caption(
            "**When do callers abandon?** Each cell is the interval's abandon rate: abandoned / (offered - short "
            f"abandons), short abandons being callers who hung up after less than {short_abandon} s. "
            "Blank: no call it counts.")
    partial = "" if (first_day, last_day) == (week.start_date, week.end_date) else (
        f" Only {first_day} to {last_day} of this week is inside the date filter; its other days are left empty.")
    st.caption(
        f"Columns are the week's days (reporting dates, {timezone}); rows are the interval's start time in "
        f"**{timezone}**, the reporting timezone (the mart's intervals are UTC {minutes}-minute intervals, dated "
        f"in {timezone}). One week at a time, as the mart states it: no average over weeks.{partial}")
    _render_week_rows(publication, rows, week)
    return week


def _render_week_rows(publication: Publication, rows: pd.DataFrame, week: queues.Week) -> None:
    with st.expander("The week's intervals as rows (table and CSV)"):
        components.table(rows.drop(columns=["time_label", "hover_text"]),
                         file_name=f"queue_intervals_week_{week.start_date}", key="queues_week_rows",
                         column_config=WEEK_TABLE_CONFIG,
                         caption=f"{len(rows):,} queue-intervals of the week of {week.start_date}.")
    offered = rows[rows["offered_calls"] > 0]
    components.drill_down(
        offered, key="queues_week_interval", what="offered calls", file_name="queue_interval_calls",
        label=_interval_label, records=lambda row: _interval_calls(publication, row))


def _with_time_labels(rows: pd.DataFrame) -> pd.DataFrame:
    """Each interval's start time of day in the reporting timezone, the heatmap's row label.

    On the autumn clock change an hour of local times repeats: the second pass is labelled apart
    rather than laid over the first.
    """
    rows = rows.copy()
    labels = pd.to_datetime(rows["interval_start_local_at"]).dt.strftime("%H:%M")
    repeated = rows.assign(time_label=labels).duplicated(["queue_name", "interval_date", "time_label"])
    rows["time_label"] = labels.where(~repeated, labels + " (2nd)")
    rows["hover_text"] = _hover_text(rows)
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


def _heatmap_figure(rows: pd.DataFrame, week: queues.Week, shown_queues: list[str], column: str,
                    color_axis: dict) -> go.Figure:
    days = [week.start_date + timedelta(days=offset) for offset in range(7)]
    day_labels = [_day_label(day) for day in days]
    grid = _time_grid(rows)
    columns = min(len(shown_queues), HEATMAP_COLUMNS_PER_ROW)
    row_count = math.ceil(len(shown_queues) / columns)
    shown_names = [components.chart_text(queue_name) for queue_name in shown_queues]
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


def _hover_text(rows: pd.DataFrame) -> list[str]:
    return [f"Service level {_percent(sl)}<br>Offered {offered}, answered {answered}<br>"
            f"Abandoned {abandoned} (abandon rate {_percent(abandon)})"
            for sl, offered, answered, abandoned, abandon in zip(
                rows["service_level_rate"], rows["offered_calls"], rows["answered_calls"], rows["abandoned_calls"],
                rows["abandon_rate"])]


def _service_level_axis(target: float) -> dict:
    below, at = BELOW_TARGET_COLORS, AT_TARGET_COLORS
    # A sharp break at the target: every red cell missed it, every blue one met it.
    return {"cmin": 0, "cmax": 1, "colorscale": [[0, below[0]], [target, below[1]], [min(target + 1e-6, 1), at[0]],
                                                 [1, at[1]]],
            "colorbar": {"title": {"text": "Service level"}, "tickformat": ".0%"}}


def _offered_axis(rows: pd.DataFrame) -> dict:
    return {"cmin": 0, "cmax": max(1, int(rows["offered_calls"].max())), "colorscale": "Blues",
            "colorbar": {"title": {"text": "Offered calls"}}}


def _abandon_axis() -> dict:
    return {"cmin": 0, "cmax": 1, "colorscale": "Reds", "colorbar": {"title": {"text": "Abandon rate"},
                                                                     "tickformat": ".0%"}}


# --- How many agents did we need, and how many did we have? ---------------------------------------------------


def _render_staffing(publication: Publication, chosen: filters.Filters, names: list[str], timezone: str,
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
                               key="queues_staffing_day", format_func=_day_label)
    rows = queues.interval_rows(publication, day, day, [queue_name], timezone)
    rows = rows.assign(is_understaffed=_understaffed(rows))
    st.plotly_chart(_staffing_figure(rows, queue_name, timezone), width="stretch", key="queues_staffing_chart")
    st.caption(_staffing_caption(rows, timezone))
    components.table(rows, file_name=f"queue_staffing_{queue_name}_{day}", key="queues_staffing_rows",
                     column_config=STAFFING_TABLE_CONFIG,
                     caption=f"{components.plain(queue_name)}, {_day_label(day)}: the mart's {len(rows)} intervals.")
    components.drill_down(
        rows[rows["offered_calls"] > 0], key="queues_staffing_interval", what="offered calls",
        file_name="queue_interval_calls", label=_interval_label, records=lambda row: _interval_calls(publication, row))


def _understaffed(rows: pd.DataFrame) -> pd.Series:
    """Fewer agents logged in than Erlang C requires; unknown (False) where either is null."""
    known = rows["staffed_agents"].notna() & rows["required_agents"].notna()
    return known & (rows["staffed_agents"] < rows["required_agents"])


def _staffing_figure(rows: pd.DataFrame, queue_name: str, timezone: str) -> go.Figure:
    # Plain strings and float arrays: Plotly copies and validates each element it is given.
    x = pd.to_datetime(rows["interval_start_local_at"]).dt.strftime("%Y-%m-%d %H:%M").tolist()
    text = [f"Offered {offered}, service level {_percent(sl)}<br>Load {load:.2f} Erlangs; predicted service level "
            f"with the required agents {_percent(predicted)}"
            for offered, sl, load, predicted in zip(rows["offered_calls"], rows["service_level_rate"],
                                                    rows["traffic_erlangs"].fillna(0),
                                                    rows["required_agents_service_level_rate"])]
    understaffed = rows["is_understaffed"].to_numpy()
    palette = plotly.colors.qualitative.Plotly
    traces = [
        go.Bar(x=x, y=rows["required_agents"].to_numpy(dtype=float), name="Required (Erlang C)",
               marker_color="#b0b7c3", text=text, textposition="none",
               hovertemplate="%{x|%H:%M}: %{y} required<br>%{text}<extra></extra>"),
        go.Scatter(x=x, y=rows["staffed_agents"].to_numpy(dtype=float), name="Staffed (logged in)",
                   mode="lines+markers", line={"color": palette[0], "width": 2}, marker={"size": 5}, text=text,
                   hovertemplate="%{x|%H:%M}: %{y:.2f} staffed<br>%{text}<extra></extra>"),
        go.Scatter(x=[time for time, short in zip(x, understaffed) if short],
                   y=rows.loc[understaffed, "staffed_agents"].to_numpy(dtype=float), name="Understaffed",
                   mode="markers", marker={"color": UNDERSTAFFED_COLOR, "size": 11, "symbol": "x"},
                   hovertemplate="%{x|%H:%M}: understaffed (%{y:.2f} staffed)<extra></extra>"),
    ]
    figure = go.Figure(data=traces)
    figure.update_layout(xaxis_title=f"Interval start ({timezone})", yaxis_title="Agents",
                         legend_title_text=components.chart_text(queue_name),
                         bargap=0.15, hovermode="closest", margin={"t": 30, "b": 40})
    figure.update_xaxes(type="date", tickformat="%H:%M")
    return figure


def _staffing_caption(rows: pd.DataFrame, timezone: str) -> str:
    target = _first(rows, "service_level_target", 0.8)
    threshold = int(_first(rows, "sl_threshold_seconds", 20))
    minutes = int(_first(rows, "queue_interval_minutes", 15))
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
        "serves this queue, breaks included. **Red crosses: understaffed** (staffed below required): "
        f"{int(rows['is_understaffed'].sum())} of the {int(known.sum())} intervals that have both. Times in "
        f"{timezone}.{unknown}"
    )


# --- Where do callers abandon? ---------------------------------------------------------------------------------


def _render_abandons(publication: Publication, chosen: filters.Filters, names: list[str], timezone: str) -> None:
    st.subheader("Where do callers abandon?")
    rows = queues.daily_rows(publication, chosen.start_date, chosen.end_date, names)
    if rows.empty:
        st.info(f"No queue-day between {chosen.start_date} and {chosen.end_date}. Widen the dates in the sidebar.")
        return
    measure = st.radio("Measure", TREND_MEASURES, format_func=lambda m: m.label, horizontal=True,
                       key="queues_trend_measure")
    target = _trend_target(publication, measure, rows)
    st.plotly_chart(_trend_figure(rows, measure, target, names), width="stretch", key="queues_trend_chart")
    short_abandon = int(_first(rows, "short_abandon_seconds", 5))
    target_text = f" The dashed line is the target ({_format(measure, target)})." if target is not None else ""
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
                     key="queues_daily_rows", column_config=DAILY_TABLE_CONFIG,
                     caption=f"{len(table_rows):,} queue-days, newest first.")
    only_abandoned = st.checkbox("Drill down to the abandoned calls only (abandoned and short abandons)",
                                 key="queues_abandoned_only")
    components.drill_down(
        table_rows[table_rows["offered_calls"] > 0], key="queues_day", file_name="queue_day_calls",
        what="abandoned calls" if only_abandoned else "offered calls",
        label=lambda row: (f"{row['queue_name']} {_day_label(row['queue_date'])}: {int(row['offered_calls'])} offered, "
                           f"{int(row['abandoned_calls'])} abandoned, abandon rate {_percent(row['abandon_rate'])}"),
        records=lambda row: _day_calls(publication, row, only_abandoned))


def _trend_target(publication: Publication, measure: Measure, rows: pd.DataFrame) -> float | None:
    if measure.column == "service_level_rate":
        return _first(rows, "service_level_target", None)
    target = queues.kpi_target(publication, measure.target_kpi)
    return target[0] if target else None


def _trend_figure(rows: pd.DataFrame, measure: Measure, target: float | None, names: list[str]) -> go.Figure:
    palette = plotly.colors.qualitative.Plotly
    value_format = "%{y:.1%}" if measure.is_rate else "%{y:.1f} s"
    traces = []
    for index, queue_name in enumerate(names):
        queue_rows = rows[rows["queue_name"] == queue_name]
        if queue_rows.empty:
            continue
        shown_name = components.chart_text(queue_name)
        # ISO strings and float arrays: Plotly copies and validates each element it is given.
        traces.append(go.Scatter(
            x=[day.isoformat() for day in queue_rows["queue_date"]], y=queue_rows[measure.column].to_numpy(dtype=float),
            name=shown_name, mode="lines+markers", line={"color": palette[index % len(palette)], "width": 2},
            customdata=queue_rows[["offered_calls", "abandoned_calls", "short_abandoned_calls"]].to_numpy(dtype=float),
            hovertemplate=(f"<b>{shown_name}</b> %{{x|%a %Y-%m-%d}}<br>{measure.label} {value_format}<br>"
                           "Offered %{customdata[0]:,.0f}, abandoned %{customdata[1]:,.0f}, short abandons "
                           "%{customdata[2]:,.0f}<extra></extra>"),
        ))
    figure = go.Figure(data=traces)
    if target is not None:
        figure.add_hline(y=target, line_dash="dash", line_color="#555", annotation_text="target",
                         annotation_position="top left")
    figure.update_layout(xaxis_title="Reporting date", yaxis_title=measure.axis_title, legend_title_text="Queue",
                         hovermode="closest", margin={"t": 30, "b": 40})
    if measure.is_rate:
        figure.update_yaxes(tickformat=".0%", rangemode="tozero")
    figure.update_xaxes(type="date", tickformat="%Y-%m-%d")
    return figure


# --- Drill-down and labels ------------------------------------------------------------------------------------


def _interval_calls(publication: Publication, row: pd.Series) -> pd.DataFrame:
    """The offered calls of one queue-interval: as many as the mart's offered_calls."""
    return records.queue_segments(publication, queue_name=row["queue_name"],
                                  interval_start_at=pd.Timestamp(row["interval_start_at"]).to_pydatetime(),
                                  is_offered=True)


def _day_calls(publication: Publication, row: pd.Series, only_abandoned: bool) -> pd.DataFrame:
    """The offered (or abandoned) calls of one queue-day: as many as the mart's count."""
    outcome = {"queue_outcome": ("abandoned", "short_abandon")} if only_abandoned else {}
    return records.queue_segments(publication, row["queue_date"], row["queue_date"], queue_name=row["queue_name"],
                                  is_offered=True, **outcome)


def _interval_label(row: pd.Series) -> str:
    local = pd.Timestamp(row["interval_start_local_at"])
    return (f"{row['queue_name']} {local:%a %Y-%m-%d %H:%M}: {int(row['offered_calls'])} offered, "
            f"service level {_percent(row['service_level_rate'])}")


def _week_label(week: queues.Week) -> str:
    return f"{week.start_date:%a %Y-%m-%d} to {week.end_date:%a %Y-%m-%d}" + ("" if week.is_complete else " (partial)")


def _day_label(day: date) -> str:
    return f"{day:%a %Y-%m-%d}"


def _percent(value) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{value:.0%}"


def _format(measure: Measure, value: float) -> str:
    return f"{value:.0%}" if measure.is_rate else f"{value:.0f} s"


def _first(rows: pd.DataFrame, column: str, default):
    values = rows[column].dropna() if column in rows.columns else pd.Series(dtype=float)
    return values.iloc[0] if not values.empty else default


if __name__ == "__main__":  # Streamlit runs the page's file as a script
    render()
