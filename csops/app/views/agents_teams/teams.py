"""Section: the team scorecards, week by week (``team_performance_weekly``)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from csops.app import charts, components, filters, labels
from csops.app.data import people
from csops.app.views.agents_teams.scorecard import (CHARTED_KPIS, CSAT, KPI_COUNTS, SHOWN_COLUMNS, contacts_label,
                                                    handled_contacts)
from csops.app.weeks import DAYS_IN_WEEK
from csops.kernel.publication import Publication


def render(publication: Publication, chosen: filters.Filters) -> None:
    st.header("Team scorecards")
    rows = people.team_weeks(publication, chosen.start_date, chosen.end_date, chosen.teams)
    if rows.empty:
        st.info(f"No team-week for the chosen teams between {chosen.start_date} and {chosen.end_date}. "
                "Widen the dates or choose other teams in the sidebar.")
        return
    measures = {column: labels.measure(publication, column) for column in CHARTED_KPIS}
    kpi = st.selectbox("KPI to chart by team", list(measures), format_func=lambda column: measures[column].label,
                       key="people_team_kpi")
    st.plotly_chart(team_figure(rows, measures[kpi], charts.colors(chosen.all_teams)), width="stretch",
                    key="people_team_chart")
    low_sample = " **Hollow markers are low-sample team-weeks** (fewer CSAT responses than `min_responses`): " \
                 "read them as indicative, not to rank teams." if kpi == CSAT else ""
    st.caption(f"How is each team doing, week by week? Each line is a team's weekly "
               f"{components.plain(measures[kpi].label)} as `team_performance_weekly` states it; an agent counts in "
               f"the team they were in on the day of the activity. Hover for the n behind each point.{low_sample}")
    components.table(
        rows, file_name=f"team_performance_weekly_{chosen.start_date}_{chosen.end_date}", key="people_teams",
        column_config=labels.columns(publication, ("week_start_date", "team_name", *SHOWN_COLUMNS)),
        caption=f"{len(rows)} team-weeks, in week then team order (not a ranking); "
                f"{int(rows['is_low_sample'].sum())} with a low CSAT sample (marked). A rate with nothing to "
                "measure (no calls, tickets or responses) is empty, never 0.")
    components.drill_down(
        rows, key="people_team_week", what="contacts", file_name="team_week_contacts",
        label=lambda row: contacts_label(row, row["team_name"]),
        records=lambda row: handled_contacts(publication, row["week_start_date"], team_key=(row["team_key"],)))


def team_figure(rows: pd.DataFrame, measure: labels.Measure, team_colors: dict[str, str]) -> go.Figure:
    """One line per team of ``measure`` week by week; for CSAT, low samples hollow and the mart's interval."""
    count_column, count_label = KPI_COUNTS[measure.column]
    is_csat = measure.column == CSAT
    label = charts.chart_text(measure.label)
    figure = go.Figure()
    for (team_key, team_name), team_rows in rows.groupby(["team_key", "team_name"], sort=False):
        color = team_colors.get(team_key, charts.MUTED_COLOR)
        low = team_rows["is_low_sample"].astype(bool) if is_csat else pd.Series(False, index=team_rows.index)
        shown_name = charts.chart_text(team_name)
        figure.add_trace(charts.series_trace(
            team_rows["week_start_date"], team_rows[measure.column], shown_name, color, hollow=low,
            customdata=list(zip(team_rows[count_column], ["low sample" if flag else "" for flag in low])),
            hovertemplate=(f"<b>{shown_name}</b> week of %{{x|{charts.DATE_FORMAT}}}<br>{label} {measure.field()}"
                           f"<br>n = %{{customdata[0]:,.0f}} {count_label} %{{customdata[1]}}<extra></extra>"),
            **({"error_y": charts.wilson_bars(team_rows, color)} if is_csat else {}),
        ))
    figure.update_layout(xaxis_title="Week starting (Monday)", yaxis_title=label, legend_title_text="Team",
                         margin={"t": 30, "b": 40}, hovermode="closest")
    if measure.is_rate:
        figure.update_yaxes(tickformat=".0%")
    figure.update_xaxes(**charts.period_ticks(rows["week_start_date"], DAYS_IN_WEEK))
    return figure
