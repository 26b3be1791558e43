"""Section: how big and how old is the backlog? Each day's end-of-day backlog per team and
channel, and its age (``ticket_backlog_daily``)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from csops.app import charts, components, filters, labels
from csops.app.data import sla
from csops.app.views.sla_backlog.dimensions import NO_TICKET_CHANNEL
from csops.kernel.publication import Publication

BACKLOG_AGES = {"Median (p50)": ("backlog_age_p50_hours", "p50"),
                "90th percentile (p90)": ("backlog_age_p90_hours", "p90")}
TABLE_COLUMNS = ("backlog_date", "team_name", "channel", "backlog_ticket_count", "backlog_age_p50_hours",
                 "backlog_age_p90_hours", "created_ticket_count", "solve_count", "reopen_count", "measured_at")


def render(publication: Publication, chosen: filters.Filters, colors: dict[str, dict[str, str]]) -> None:
    st.subheader("How big and how old is the backlog?")
    rows = sla.backlog_rows(publication, chosen.start_date, chosen.end_date, chosen.channels, chosen.teams,
                            chosen.is_every_team)
    if rows.empty:
        st.info(f"No backlog rows between {chosen.start_date} and {chosen.end_date} for the selected channels and "
                f"teams. {NO_TICKET_CHANNEL}")
        return
    timezone = ", ".join(sorted(rows["reporting_timezone"].dropna().unique())) or "the reporting timezone"
    age_label = st.radio("Backlog age", list(BACKLOG_AGES), horizontal=True, key="sla_backlog_age")
    st.plotly_chart(backlog_figure(rows, colors["channel"], *BACKLOG_AGES[age_label]), width="stretch",
                    key="sla_backlog")
    st.caption(
        f"**Is the backlog growing, and is it getting old?** Per team (the team of the ticket's latest group), "
        f"tickets unsolved (new, open, pending, on hold) at the end of each day ({timezone}; the last day ends at "
        f"the as-of time). Left: the backlog, stacked by channel. Right: its age in hours, the {age_label.lower()} "
        "of each team x channel as the mart states it; ages of different channels are not combined."
    )
    components.table(
        rows, file_name=f"ticket_backlog_daily_{chosen.start_date}_{chosen.end_date}", key="sla_backlog",
        column_config=labels.columns(publication, TABLE_COLUMNS),
        caption=(f"The mart's {len(rows):,} rows for these filters. No drill-down to tickets here: the publication "
                 "has no ticket-level record of which tickets were open at each day's end (the tickets behind the "
                 "SLA rows are in the drill-downs above)."),
    )


def backlog_figure(rows: pd.DataFrame, channel_colors: dict[str, str], age_column: str, age_label: str) -> go.Figure:
    teams = list(dict.fromkeys(rows.sort_values("team_name")["team_name"]))
    figure = make_subplots(
        rows=len(teams), cols=2, shared_xaxes=True, horizontal_spacing=0.08,
        vertical_spacing=min(0.08, 0.3 / max(len(teams), 1)),
        subplot_titles=[title for team in map(charts.chart_text, teams)
                        for title in (f"{team}: tickets in backlog", f"{team}: {age_label} age (hours)")],
    )
    shown_in_legend: set[str] = set()
    for row_index, team in enumerate(teams, start=1):
        team_rows = rows[rows["team_name"] == team]
        shown_team = charts.chart_text(team)
        for channel in sorted(team_rows["channel"].unique()):
            channel_rows = team_rows[team_rows["channel"] == channel]
            color = channel_colors.get(channel, charts.MUTED_COLOR)
            shown_channel = charts.chart_text(channel)
            legend = {"legendgroup": shown_channel, "name": shown_channel}
            figure.add_trace(go.Scatter(
                x=channel_rows["backlog_date"], y=channel_rows["backlog_ticket_count"], stackgroup=f"team{row_index}",
                mode="lines", line={"color": color, "width": 1}, showlegend=channel not in shown_in_legend,
                hovertemplate=(f"{shown_team} {shown_channel} %{{x|{charts.DATE_FORMAT}}}: %{{y}} tickets"
                               "<extra></extra>"),
                **legend,
            ), row=row_index, col=1)
            shown_in_legend.add(channel)
            figure.add_trace(go.Scatter(
                x=channel_rows["backlog_date"], y=channel_rows[age_column], mode="lines",
                line={"color": color, "width": 1.5}, showlegend=False,
                hovertemplate=(f"{shown_team} {shown_channel} %{{x|{charts.DATE_FORMAT}}}: {age_label} age "
                               "%{y:.1f} h<extra></extra>"),
                **legend,
            ), row=row_index, col=2)
    figure.update_layout(height=80 + 200 * len(teams), legend_title_text="Channel", margin={"t": 40, "b": 40},
                         hovermode="closest")
    figure.update_xaxes(**charts.period_ticks(rows["backlog_date"]))
    figure.update_xaxes(title_text="End of day", row=len(teams))
    figure.update_yaxes(title_text="Tickets", col=1)
    figure.update_yaxes(title_text="Hours", col=2)
    return figure
