"""Page: SLA and backlog. Are we meeting our ticket SLAs, where not, what is breaching right now,
and how big and how old is the backlog?

Every rate, percentile and count of the charts is a mart column, shown at the mart's grain
(one creation day x channel x priority x team for compliance, one day x team x channel for
the backlog): days and rows are never pooled into a rate. The tickets breaching now are
rows of ``fct_ticket_slas``, counted as they are.
"""

from __future__ import annotations


import pandas as pd
import plotly.colors
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from csops.app import components, data, filters
from csops.app.data import records, sla

TITLE = "SLA and backlog"
URL_PATH = "sla-and-backlog"

SLA_KIND_LABELS = {"first_response": "First response", "agent_work": "Agent work (resolution)"}
PRIORITIES = ("urgent", "high", "normal", "low")
PRIORITY_COLORS = {"urgent": "#d62728", "high": "#ff7f0e", "normal": "#1f77b4", "low": "#7f7f7f"}
# What the compliance charts colour and group by: the mart's three dimensions besides the day.
DIMENSIONS = {"Priority": "ticket_priority", "Channel": "channel", "Team": "team_key"}
UNKNOWN_TEAM_LABEL = "unknown (no team)"
ONE_DAY_MILLISECONDS = 24 * 60 * 60 * 1000
DAILY_TICKS_MAX_DAYS = 14
HEATMAP_ROW_PIXELS = 18
# The trend's largest marker (the row with the most tickets), in pixels across.
MAX_MARKER_PIXELS = 22
BACKLOG_AGES = {"Median (p50)": ("backlog_age_p50_hours", "p50"),
                "90th percentile (p90)": ("backlog_age_p90_hours", "p90")}

NO_TICKET_CHANNEL = ("Ticket SLAs and the backlog cover ticket channels only; phone calls are measured by "
                     "service level on the Queues and staffing page.")

COMPLIANCE_TABLE_CONFIG = {
    "created_date": st.column_config.DateColumn("Created", format="YYYY-MM-DD"),
    "ticket_priority": st.column_config.TextColumn("Priority"),
    "channel": st.column_config.TextColumn("Channel"),
    "team_name": st.column_config.TextColumn("Team"),
    "policy_hours": st.column_config.TextColumn("Hours"),
    "target_minutes": st.column_config.NumberColumn("Target (min)", format="%d"),
    "ticket_count": st.column_config.NumberColumn("Tickets", format="%d"),
    "met_count": st.column_config.NumberColumn("Met", format="%d"),
    "breached_count": st.column_config.NumberColumn("Breached", format="%d"),
    "in_flight_count": st.column_config.NumberColumn("In flight", format="%d"),
    "unmeasured_count": st.column_config.NumberColumn("Unmeasured", format="%d"),
    # "percent" in the browser rather than a pandas Styler, which formats every cell of a table
    # this long on each rerun (about 0.3 s for two months).
    "sla_compliance_rate": st.column_config.NumberColumn("SLA compliance", format="percent"),
    "mean_completed_elapsed_sla_minutes": st.column_config.NumberColumn("Mean elapsed (min)", format="%.0f"),
    "p50_completed_elapsed_sla_minutes": st.column_config.NumberColumn("Median elapsed (min)", format="%.0f"),
}
BREACH_COUNT_CONFIG = {
    "sla_kind": st.column_config.TextColumn("SLA"),
    "team_name": st.column_config.TextColumn("Team"),
    "ticket_priority": st.column_config.TextColumn("Priority"),
    "breached_in_flight_count": st.column_config.NumberColumn("Breaching now", format="%d"),
}
BREACH_TICKET_CONFIG = {
    "ticket_id": st.column_config.NumberColumn("Ticket", format="%d"),
    "sla_kind": st.column_config.TextColumn("SLA"),
    "ticket_priority": st.column_config.TextColumn("Priority"),
    "channel": st.column_config.TextColumn("Channel"),
    "team_name": st.column_config.TextColumn("Team"),
    "created_at": st.column_config.DatetimeColumn("Created (UTC)", format="YYYY-MM-DD HH:mm"),
    "policy_hours": st.column_config.TextColumn("Hours"),
    "target_minutes": st.column_config.NumberColumn("Target (min)", format="%d"),
    "elapsed_sla_minutes": st.column_config.NumberColumn("Elapsed (policy min)", format="%.0f"),
    "elapsed_calendar_minutes": st.column_config.NumberColumn("Elapsed (calendar min)", format="%.0f"),
}
BACKLOG_TABLE_CONFIG = {
    "backlog_date": st.column_config.DateColumn("Day", format="YYYY-MM-DD"),
    "team_name": st.column_config.TextColumn("Team"),
    "channel": st.column_config.TextColumn("Channel"),
    "backlog_ticket_count": st.column_config.NumberColumn("Backlog (tickets)", format="%d"),
    "backlog_age_p50_hours": st.column_config.NumberColumn("Age p50 (h)", format="%.1f"),
    "backlog_age_p90_hours": st.column_config.NumberColumn("Age p90 (h)", format="%.1f"),
    "created_ticket_count": st.column_config.NumberColumn("Created", format="%d"),
    "solve_count": st.column_config.NumberColumn("Solves", format="%d"),
    "reopen_count": st.column_config.NumberColumn("Reopens", format="%d"),
    "measured_at": st.column_config.DatetimeColumn("Measured at (UTC)", format="YYYY-MM-DD HH:mm"),
}


def render() -> None:
    st.title(TITLE)
    page = components.start_page()
    if page is None:
        return
    publication, chosen = page
    options = chosen.options
    if not chosen.has_selection:
        st.info(components.NO_SELECTION)
        return
    team_names = {**dict(options.teams), sla.UNKNOWN_TEAM: UNKNOWN_TEAM_LABEL}
    colors = _colors(options)
    st.caption(
        f"Tickets created {chosen.start_date} to {chosen.end_date} (compliance) and backlog days in the same range, "
        "in the channels and teams chosen in the sidebar. Tickets whose group is no team appear as "
        f"'{UNKNOWN_TEAM_LABEL}' when every team is selected."
    )
    _render_compliance(publication, chosen, team_names, colors)
    _render_breaches(publication, chosen)
    _render_backlog(publication, chosen, colors)


# --- Compliance -------------------------------------------------------------------------------------------------

def _render_compliance(publication, chosen: filters.Filters, team_names: dict[str, str],
                       colors: dict[str, dict[str, str]]) -> None:
    st.subheader("Are we meeting our SLAs, and where not?")
    if not components.needs_tables(publication, sla.COMPLIANCE_MART):
        return
    kinds = sla.sla_kinds(publication)
    if not kinds:
        st.info("The SLA compliance mart has no rows yet: no ticket has been loaded.")
        return
    left, right = st.columns(2)
    kind = left.radio("SLA", kinds, format_func=_kind_label, horizontal=True, key="sla_kind")
    dimension_label = right.radio("Colour by", list(DIMENSIONS), horizontal=True, key="sla_colour_by")
    dimension = DIMENSIONS[dimension_label]
    rows = sla.compliance_rows(publication, kind, chosen.start_date, chosen.end_date, chosen.channels,
                               chosen.teams, chosen.is_every_team)
    if rows.empty:
        st.info(f"No ticket with a {_kind_label(kind).lower()} SLA was created between {chosen.start_date} and "
                f"{chosen.end_date} in the selected channels and teams. {NO_TICKET_CHANNEL}")
        return
    rows = rows.assign(team_name=rows["team_key"].map(team_names).fillna(rows["team_key"]))
    target = sla.compliance_target(publication) if kind == "first_response" else None

    st.plotly_chart(_compliance_trend(rows, dimension, dimension_label, colors, team_names, target),
                    width="stretch", key="sla_compliance_trend")
    st.caption(
        f"**Are we meeting our {_kind_label(kind).lower()} SLA, day by day?** Each point is one row of "
        "`ticket_sla_compliance_daily`: the tickets created that day in one priority, channel and team, with their "
        "compliance = met / (met + breached). Tickets still in flight count in neither. Rows are not pooled: "
        f"a day has one point per priority x channel x team, grouped by {dimension_label.lower()}. A point's area "
        "is its number of tickets: a small point rests on few tickets and swings easily. Hover for the counts. "
        "A day with nothing met or breached yet has no point."
        + (f" Dashed line: the {target['target_value']:.0%} target of the overview "
           f"({str(target['target_source']).replace('_', ' ')})." if target is not None else "")
    )
    st.plotly_chart(_compliance_heatmap(rows, dimension, team_names), width="stretch", key="sla_compliance_heatmap")
    st.caption(
        f"**Where are we missing it?** One line per priority x channel x team (grouped by "
        f"{dimension_label.lower()} first), one column per creation day; red is low compliance, green high, "
        "blank where the row has no settled ticket. Nothing is ranked: the rows are the mart's, in a fixed order."
    )
    components.table(
        rows[["created_date", "ticket_priority", "channel", "team_name", *[
            column for column in sla.COMPLIANCE_COLUMNS
            if column not in ("created_date", "ticket_priority", "channel")]]],
        file_name=f"ticket_sla_compliance_daily_{kind}_{chosen.start_date}_{chosen.end_date}",
        key="sla_compliance", column_config=COMPLIANCE_TABLE_CONFIG,
        caption=f"The mart's {len(rows):,} rows for these filters: {int(rows['met_count'].sum()):,} tickets met, "
                f"{int(rows['breached_count'].sum()):,} breached, {int(rows['in_flight_count'].sum()):,} in flight "
                f"(elapsed minutes in the policy's hours; rates in the CSV are fractions from 0 to 1).",
    )
    _render_compliance_drill_down(publication, rows, kind)


def _render_compliance_drill_down(publication, rows: pd.DataFrame, kind: str) -> None:
    days = sorted(rows["created_date"].unique(), reverse=True)
    day = st.selectbox("Drill-down: creation day", days, key="sla_drill_day",
                       help="Pick a day, then one of its rows below, to list the tickets behind it.")
    day_rows = rows[rows["created_date"] == day]
    components.drill_down(
        day_rows, key="sla_compliance", what="tickets", file_name=f"ticket_slas_{kind}",
        label=lambda row: (f"{row['created_date']} {row['ticket_priority']} {row['channel']} {row['team_name']}: "
                           f"{row['ticket_count']} tickets ({row['met_count']} met, {row['breached_count']} "
                           f"breached, {row['in_flight_count']} in flight)"),
        records=lambda row: records.ticket_slas_of_team(
            publication, row["team_key"], row["created_date"], row["created_date"], sla_kind=kind,
            channel=row["channel"], ticket_priority=row["ticket_priority"], is_sla_applicable=True),
    )


def _compliance_trend(rows: pd.DataFrame, dimension: str, dimension_label: str, colors: dict[str, dict[str, str]],
                      team_names: dict[str, str], target: pd.Series | None) -> go.Figure:
    figure = go.Figure()
    # Marker area in proportion to the row's tickets: a rate of 0% over one ticket stays a small dot.
    size_reference = 2.0 * max(float(rows["ticket_count"].max()), 1.0) / MAX_MARKER_PIXELS ** 2
    hover = (
        "<b>%{x|%Y-%m-%d}</b> %{customdata[0]} / %{customdata[1]} / %{customdata[2]}<br>"
        "compliance %{y:.1%}<br>met %{customdata[3]}, breached %{customdata[4]}, in flight %{customdata[5]}, "
        "tickets %{customdata[6]}"
        "<extra></extra>"
    )
    # The names the hover shows, as Plotly text; rows keeps them as the data has them, to pick each trace's rows.
    shown_rows = rows.assign(**{column: rows[column].map(components.chart_text, na_action="ignore")
                                for column in ("ticket_priority", "channel", "team_name")})
    for value in _ordered_values(rows[dimension], dimension):
        value_rows = shown_rows[rows[dimension] == value]
        name = components.chart_text(team_names.get(value, value) if dimension == "team_key" else value)
        figure.add_trace(go.Scatter(
            x=value_rows["created_date"], y=value_rows["sla_compliance_rate"], name=name, offsetgroup=name,
            mode="markers",
            marker={"color": colors[dimension].get(value, "#999999"), "size": value_rows["ticket_count"],
                    "sizemode": "area", "sizeref": size_reference, "sizemin": 3, "opacity": 0.65},
            customdata=value_rows[["ticket_priority", "channel", "team_name", "met_count", "breached_count",
                                   "in_flight_count", "ticket_count"]].to_numpy(),
            hovertemplate=hover,
        ))
    if target is not None:
        figure.add_hline(y=float(target["target_value"]), line_dash="dash", line_color="#444444",
                         annotation_text=f"target {float(target['target_value']):.0%}",
                         annotation_position="bottom right")
    figure.update_layout(
        xaxis_title="Ticket creation date", yaxis_title="SLA compliance (met / settled)", yaxis_tickformat=".0%",
        yaxis_range=[-0.03, 1.03], legend_title_text=dimension_label, legend_itemsizing="constant",
        scattermode="group", scattergap=0.5,
        hovermode="closest", margin={"t": 30, "b": 40},
    )
    figure.update_xaxes(tickformat="%Y-%m-%d", **_day_ticks(rows["created_date"]))
    return figure


def _compliance_heatmap(rows: pd.DataFrame, dimension: str, team_names: dict[str, str]) -> go.Figure:
    others = [column for column in DIMENSIONS.values() if column != dimension]
    order = [dimension, *others]
    keys = rows[order].drop_duplicates()
    for column in order:
        keys[f"_{column}_rank"] = keys[column].map(
            {value: index for index, value in enumerate(_ordered_values(rows[column], column))})
    keys = keys.sort_values([f"_{column}_rank" for column in order])
    names = {"team_key": lambda key: team_names.get(key, key)}
    labelled = keys.assign(label=keys[order].apply(
        lambda key: components.chart_text(" · ".join(names.get(column, str)(key[column]) for column in order)),
        axis=1))
    label_of = dict(zip(map(tuple, labelled[order].to_numpy()), labelled["label"]))
    with_labels = rows.assign(label=[label_of[tuple(key)] for key in rows[order].to_numpy()])
    text = (with_labels["met_count"].astype(str) + " met, " + with_labels["breached_count"].astype(str)
            + " breached, " + with_labels["in_flight_count"].astype(str) + " in flight")
    with_labels = with_labels.assign(hover_text=text)
    days = sorted(rows["created_date"].unique())
    rates = with_labels.pivot(index="label", columns="created_date", values="sla_compliance_rate")
    hover_text = with_labels.pivot(index="label", columns="created_date", values="hover_text")
    # Top to bottom in the order above: Plotly draws the first y category at the bottom.
    labels = list(reversed(labelled["label"].tolist()))
    rates = rates.reindex(index=labels, columns=days)
    hover_text = hover_text.reindex(index=labels, columns=days).fillna("no tickets")
    figure = go.Figure(go.Heatmap(
        x=days, y=labels, z=rates.to_numpy(), text=hover_text.to_numpy(), zmin=0, zmax=1,
        colorscale="RdYlGn", colorbar={"title": {"text": "Compliance"}, "tickformat": ".0%"}, xgap=1, ygap=1,
        hovertemplate="<b>%{y}</b><br>%{x|%Y-%m-%d}: compliance %{z:.1%}<br>%{text}<extra></extra>",
    ))
    figure.update_layout(
        xaxis_title="Ticket creation date", yaxis_title=None, margin={"t": 30, "b": 40, "l": 10},
        height=120 + HEATMAP_ROW_PIXELS * len(labels),
    )
    figure.update_xaxes(tickformat="%Y-%m-%d", **_day_ticks(rows["created_date"]))
    figure.update_yaxes(type="category", tickfont={"size": 11})
    return figure


# --- Breaches in flight ------------------------------------------------------------------------------------------

def _render_breaches(publication, chosen: filters.Filters) -> None:
    st.subheader("What is breaching right now?")
    if not components.needs_tables(publication, sla.SLA_FACT, sla.TEAMS_DIMENSION):
        return
    as_of = sla.as_of_at(publication)
    as_of_text = f"{as_of:%Y-%m-%d %H:%M} UTC" if as_of else "the as-of time"
    st.caption(
        f"Tickets whose SLA target is already exceeded and whose clock still runs at {as_of_text} (first response: "
        "no agent reply yet; agent work: not solved yet). The date filter does not apply here: a ticket breaching "
        "now is shown whatever day it was created. Channel and team filters apply (team: the team whose schedule "
        "governs the clock)."
    )
    counts = sla.breach_counts(publication, chosen.channels, chosen.teams, chosen.is_every_team)
    tickets = sla.breaches_in_flight(publication, chosen.channels, chosen.teams, chosen.is_every_team)
    kinds = [kind for kind in SLA_KIND_LABELS if kind in set(counts["sla_kind"])] + sorted(
        set(counts["sla_kind"]) - set(SLA_KIND_LABELS))
    metric_columns = st.columns(max(len(SLA_KIND_LABELS), 1))
    for column, kind in zip(metric_columns, SLA_KIND_LABELS):
        column.metric(f"{SLA_KIND_LABELS[kind]}: breaching now",
                      f"{int(counts.loc[counts['sla_kind'] == kind, 'breached_in_flight_count'].sum()):,} tickets")
    if counts.empty:
        st.info(f"No ticket is breaching its SLA at {as_of_text} in the selected channels and teams.")
        return
    st.plotly_chart(_breach_figure(counts, kinds), width="stretch", key="sla_breach_counts")
    st.caption("**Which teams and priorities hold the breaches?** Tickets breaching now, per team whose schedule "
               "governs the clock, stacked by priority. Counts, not rates: a big team has more tickets to breach.")
    components.table(counts, file_name="tickets_breaching_now_by_team_priority", key="sla_breach_counts",
                     column_config=BREACH_COUNT_CONFIG)
    components.drill_down(
        counts, key="sla_breaches", what="tickets", file_name="tickets_breaching_now",
        label=lambda row: (f"{_kind_label(row['sla_kind'])} {row['team_name']} {row['ticket_priority']}: "
                           f"{row['breached_in_flight_count']} tickets"),
        records=lambda row: records.ticket_slas_of_team(
            publication, row["team_key"], sla_kind=row["sla_kind"], ticket_priority=row["ticket_priority"],
            sla_status="breached", is_completed=False, channel=tuple(chosen.channels)),
    )
    components.table(
        tickets, file_name="tickets_breaching_now", key="sla_breach_tickets", column_config=BREACH_TICKET_CONFIG,
        caption=(f"**Which tickets?** The {len(tickets):,} tickets breaching now, the oldest ticket first (the mart "
                 "does not state the moment of each breach). Elapsed time is in the policy's minutes (business "
                 "minutes of the team's schedule, or calendar minutes), to the as-of time."),
    )


def _breach_figure(counts: pd.DataFrame, kinds: list[str]) -> go.Figure:
    figure = make_subplots(rows=1, cols=len(kinds), subplot_titles=[components.chart_text(_kind_label(kind))
                                                                    for kind in kinds], shared_yaxes=True)
    # Team names become tick labels and the hover's %{x}: Plotly text (the kind and priority still pick rows).
    counts = counts.assign(team_name=counts["team_name"].map(components.chart_text, na_action="ignore"))
    shown_in_legend: set[str] = set()
    for index, kind in enumerate(kinds, start=1):
        kind_counts = counts[counts["sla_kind"] == kind]
        for priority in _ordered_values(counts["ticket_priority"], "ticket_priority"):
            priority_counts = kind_counts[kind_counts["ticket_priority"] == priority]
            if priority_counts.empty:
                continue
            shown_priority = components.chart_text(priority)
            figure.add_trace(go.Bar(
                x=priority_counts["team_name"], y=priority_counts["breached_in_flight_count"], name=shown_priority,
                legendgroup=shown_priority, showlegend=priority not in shown_in_legend,
                marker_color=PRIORITY_COLORS.get(priority, "#999999"),
                hovertemplate=f"<b>%{{x}}</b> {shown_priority}: %{{y}} tickets<extra></extra>",
            ), row=1, col=index)
            shown_in_legend.add(priority)
    figure.update_layout(barmode="stack", legend_title_text="Priority", margin={"t": 40, "b": 40}, height=340)
    # The same team order in every panel, whichever team has breaches of which kind.
    figure.update_xaxes(categoryorder="array", categoryarray=sorted(counts["team_name"].unique()))
    figure.update_yaxes(title_text="Tickets breaching now", row=1, col=1)
    return figure


# --- Backlog -------------------------------------------------------------------------------------------------------

def _render_backlog(publication, chosen: filters.Filters, colors: dict[str, dict[str, str]]) -> None:
    st.subheader("How big and how old is the backlog?")
    if not components.needs_tables(publication, sla.BACKLOG_MART, sla.TEAMS_DIMENSION):
        return
    rows = sla.backlog_rows(publication, chosen.start_date, chosen.end_date, chosen.channels, chosen.teams,
                            chosen.is_every_team)
    if rows.empty:
        st.info(f"No backlog rows between {chosen.start_date} and {chosen.end_date} for the selected channels and "
                f"teams. {NO_TICKET_CHANNEL}")
        return
    timezone = ", ".join(sorted(rows["reporting_timezone"].dropna().unique())) or "the reporting timezone"
    age_label = st.radio("Backlog age", list(BACKLOG_AGES), horizontal=True, key="sla_backlog_age")
    st.plotly_chart(_backlog_figure(rows, colors, *BACKLOG_AGES[age_label]), width="stretch", key="sla_backlog")
    st.caption(
        f"**Is the backlog growing, and is it getting old?** Per team (the team of the ticket's latest group), "
        f"tickets unsolved (new, open, pending, on hold) at the end of each day ({timezone}; the last day ends at "
        f"the as-of time). Left: the backlog, stacked by channel. Right: its age in hours, the {age_label.lower()} "
        "of each team x channel as the mart states it; ages of different channels are not combined."
    )
    components.table(
        rows[[column for column in BACKLOG_TABLE_CONFIG] + ["team_key", "reporting_timezone"]],
        file_name=f"ticket_backlog_daily_{chosen.start_date}_{chosen.end_date}", key="sla_backlog",
        column_config=BACKLOG_TABLE_CONFIG,
        caption=(f"The mart's {len(rows):,} rows for these filters. No drill-down to tickets here: the publication "
                 "has no ticket-level record of which tickets were open at each day's end (the tickets behind the "
                 "SLA rows are in the drill-downs above)."),
    )


def _backlog_figure(rows: pd.DataFrame, colors: dict[str, dict[str, str]], age_column: str,
                    age_label: str) -> go.Figure:
    teams = list(dict.fromkeys(rows.sort_values("team_name")["team_name"]))
    figure = make_subplots(
        rows=len(teams), cols=2, shared_xaxes=True, horizontal_spacing=0.08,
        vertical_spacing=min(0.08, 0.3 / max(len(teams), 1)),
        subplot_titles=[title for team in map(components.chart_text, teams)
                        for title in (f"{team}: tickets in backlog", f"{team}: {age_label} age (hours)")],
    )
    shown_in_legend: set[str] = set()
    for row_index, team in enumerate(teams, start=1):
        team_rows = rows[rows["team_name"] == team]
        shown_team = components.chart_text(team)
        for channel in sorted(team_rows["channel"].unique()):
            channel_rows = team_rows[team_rows["channel"] == channel]
            color = colors["channel"].get(channel, "#999999")
            shown_channel = components.chart_text(channel)
            legend = {"legendgroup": shown_channel, "name": shown_channel}
            figure.add_trace(go.Scatter(
                x=channel_rows["backlog_date"], y=channel_rows["backlog_ticket_count"], stackgroup=f"team{row_index}",
                mode="lines", line={"color": color, "width": 1}, showlegend=channel not in shown_in_legend,
                hovertemplate=f"{shown_team} {shown_channel} %{{x|%Y-%m-%d}}: %{{y}} tickets<extra></extra>", **legend,
            ), row=row_index, col=1)
            shown_in_legend.add(channel)
            figure.add_trace(go.Scatter(
                x=channel_rows["backlog_date"], y=channel_rows[age_column], mode="lines",
                line={"color": color, "width": 1.5}, showlegend=False,
                hovertemplate=(f"{shown_team} {shown_channel} %{{x|%Y-%m-%d}}: {age_label} age %{{y:.1f}} h"
                               "<extra></extra>"),
                **legend,
            ), row=row_index, col=2)
    figure.update_layout(height=80 + 200 * len(teams), legend_title_text="Channel", margin={"t": 40, "b": 40},
                         hovermode="closest")
    figure.update_xaxes(tickformat="%Y-%m-%d", **_day_ticks(rows["backlog_date"]))
    figure.update_xaxes(title_text="End of day", row=len(teams))
    figure.update_yaxes(title_text="Tickets", col=1)
    figure.update_yaxes(title_text="Hours", col=2)
    return figure


# --- Shared ---------------------------------------------------------------------------------------------------------

def _kind_label(kind: str) -> str:
    return SLA_KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


def _ordered_values(values: pd.Series, dimension: str) -> list[str]:
    present = set(values.dropna())
    if dimension == "ticket_priority":
        return [p for p in PRIORITIES if p in present] + sorted(present - set(PRIORITIES))
    if dimension == "team_key":
        return sorted(present - {sla.UNKNOWN_TEAM}) + ([sla.UNKNOWN_TEAM] if sla.UNKNOWN_TEAM in present else [])
    return sorted(present)


def _colors(options: data.FilterOptions) -> dict[str, dict[str, str]]:
    """Colours per value of each dimension, assigned over every value so that filtering keeps them."""
    palette = plotly.colors.qualitative.Plotly
    teams = [key for key, _ in options.teams] + [sla.UNKNOWN_TEAM]
    return {
        "ticket_priority": PRIORITY_COLORS,
        "channel": {channel: palette[index % len(palette)] for index, channel in enumerate(options.channels)},
        "team_key": {team: plotly.colors.qualitative.Dark2[index % 8] for index, team in enumerate(teams)},
    }


def _day_ticks(days: pd.Series) -> dict:
    """One tick per day over short ranges; Plotly otherwise labels a short range by the hour."""
    spanned = (max(days) - min(days)).days + 1 if len(days) else 0
    return {"dtick": ONE_DAY_MILLISECONDS} if 0 < spanned <= DAILY_TICKS_MAX_DAYS else {}


if __name__ == "__main__":  # Streamlit runs the page's file as a script
    render()
