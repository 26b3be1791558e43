"""Section: the agent scorecards of one week and the spread across agents
(``agent_performance_weekly``)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from csops.app import charts, components, data, filters, labels
from csops.app.data import people
from csops.app.views.agents_teams.scorecard import AGENT_KPIS, CSAT, SHOWN_COLUMNS, contacts_label, handled_contacts
from csops.app.weeks import week_end
from csops.kernel.publication import Publication

# Why a KPI can have no value for any agent in a week, for the empty distribution panel.
EMPTY_PANEL_REASONS = {
    "aht_seconds": " (no answered calls)",
    "operational_fcr_rate": "<br>(FCR windows still open)",
    "csat_top2_rate": " (no responses)",
}
CSAT_SAMPLE_NAMES = {False: "CSAT: sample of min_responses or more", True: "CSAT: low sample"}


def render(publication: Publication, chosen: filters.Filters) -> pd.DataFrame | None:
    """The agents of the chosen week, as shown (None when there are none)."""
    st.header("Agent scorecards")
    weeks = people.agent_week_starts(publication, chosen.start_date, chosen.end_date)
    if not weeks:
        st.info(f"No agent-week between {chosen.start_date} and {chosen.end_date}. Widen the dates in the sidebar.")
        return None
    week = st.selectbox("Week", weeks, index=len(weeks) - 1, key="people_week",
                        format_func=lambda start: week_label(start, chosen.options))
    agents = people.agent_week(publication, week, chosen.teams, include_teamless=chosen.is_every_team)
    if agents.empty:
        st.info(f"No agent of the chosen teams has a row in the week of {week}. Choose another week or other "
                "teams in the sidebar.")
        return None

    low_count = int(agents["is_low_sample"].sum())
    components.table(
        agents, file_name=f"agent_performance_weekly_{week}", key="people_agents",
        column_config=labels.columns(publication, ("agent_name", "team_names", *SHOWN_COLUMNS)),
        caption=(f"How is each agent doing? {len(agents)} agents of the chosen teams in the week of {week}, "
                 "listed by team and name (not ranked). An agent who changed team that week is listed with both "
                 f"teams, oldest first. {low_count} have a low CSAT sample (marked): their CSAT is indicative "
                 "and never used to rank them."))
    components.drill_down(
        agents, key="people_agent_week", what="contacts", file_name="agent_week_contacts",
        label=lambda row: contacts_label(row, f"{row['agent_name']} ({row['team_names']})"),
        records=lambda row: handled_contacts(publication, row["week_start_date"], agent_id=int(row["agent_id"])))

    st.subheader("Spread across agents")
    measures = {column: labels.measure(publication, column) for column in AGENT_KPIS}
    st.plotly_chart(distribution_figure(agents, measures), width="stretch", key="people_distribution_chart")
    st.caption("Where do the agents stand this week? Each bar counts the agents whose week falls in that range of "
               + ", ".join(components.plain(measure.label) for measure in measures.values())
               + " (an agent without calls, closed FCR windows or responses is left out of that panel). On CSAT, "
               "agents with a low sample are stacked apart (light): read them as indicative.")
    return agents


def week_label(start: date, options: data.FilterOptions) -> str:
    partial = start < options.first_date or week_end(start) > options.last_date
    return f"{start} to {week_end(start)}" + (" (partial week)" if partial else "")


def distribution_figure(agents: pd.DataFrame, measures: dict[str, labels.Measure]) -> go.Figure:
    """A histogram of the agents' week per KPI; on CSAT, low samples stacked apart."""
    titles = [charts.chart_text(measure.label) for measure in measures.values()]
    figure = make_subplots(rows=1, cols=len(measures), subplot_titles=titles, horizontal_spacing=0.08)
    low = agents["is_low_sample"].astype(bool)
    for column_index, (column, measure) in enumerate(measures.items(), start=1):
        title = titles[column_index - 1]
        parts = ([(agents[low == is_low], CSAT_SAMPLE_NAMES[is_low], 0.35 if is_low else 1.0)
                  for is_low in (False, True)] if column == CSAT else [(agents, title, 1.0)])
        for part, name, opacity in parts:
            part = part[part[column].notna()]
            figure.add_trace(go.Histogram(
                x=part[column], name=name, marker={"color": charts.PALETTE[0]}, opacity=opacity, nbinsx=15,
                bingroup=column, showlegend=column == CSAT,
                hovertemplate=f"{title} %{{x}}<br>%{{y}} agents<extra></extra>",
            ), row=1, col=column_index)
        if agents[column].isna().all():
            # An empty panel says why rather than drawing bare axes.
            figure.add_annotation(text=f"No agent has a value<br>this week{EMPTY_PANEL_REASONS[column]}",
                                  showarrow=False, xref="x domain", yref="y domain", x=0.5, y=0.5,
                                  font={"color": charts.MUTED_COLOR}, row=1, col=column_index)
            figure.update_xaxes(showticklabels=False, row=1, col=column_index)
            figure.update_yaxes(showticklabels=False, row=1, col=column_index)
        figure.update_xaxes(title_text=title, tickformat=".0%" if measure.is_rate else None, row=1, col=column_index)
    figure.update_yaxes(title_text="Agents", row=1, col=1)
    figure.update_layout(barmode="stack", margin={"t": 40, "b": 40}, legend={"orientation": "h", "y": -0.25})
    return figure
