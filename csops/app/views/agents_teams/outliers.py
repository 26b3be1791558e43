"""Section: who stands out from their team this week? The agents' robust z-scores and the
mart's outlier flags (``agent_performance_weekly``)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from csops.app import charts, components, labels
from csops.app.data import people
from csops.app.views.agents_teams.scorecard import AGENT_KPIS, CSAT, contacts_label, handled_contacts
from csops.kernel.publication import Publication

OUTLIER_COLOR, SCORED_COLOR = "#d62728", charts.PALETTE[0]


def render(publication: Publication, agents: pd.DataFrame | None) -> None:
    st.subheader("Outliers: who stands out from their team?")
    if agents is None:
        return
    threshold = single_value(agents, "outlier_robust_z_threshold")
    min_peers = single_value(agents, "outlier_min_peer_agents")
    scores = [people.OUTLIER_COLUMNS[kpi][0] for kpi in AGENT_KPIS]
    if agents[scores].isna().all().all():
        peers = f"{int(min_peers)}" if min_peers is not None else "`outlier_min_peer_agents`"
        st.info("No agent of this selection has a robust z-score this week: a score needs at least "
                f"{peers} agents of the same team with a value, and a spread among them (a non-zero MAD). "
                "Small teams, or a week with few calls, responses or closed FCR windows, have none.")
        return
    measures = {column: labels.measure(publication, column) for column in AGENT_KPIS}
    st.plotly_chart(outlier_figure(agents, measures, threshold), width="stretch", key="people_outlier_chart")
    cut = f"{threshold:g}" if threshold is not None else "`outlier_robust_z_threshold`"
    st.caption(
        "Who is an outlier? Each dot is an agent's robust z-score this week against their team's agents (the "
        "team they spent most of the week in): (value - team median) / (1.4826 x MAD), from "
        f"`agent_performance_weekly`. Beyond the dashed lines (|z| > {cut}) the mart flags an outlier (red). "
        "High AHT or low FCR and CSAT is the side to look into. Agents with a low CSAT sample are hollow and "
        "grey on the CSAT row: their CSAT is never used to single them out. Agents without a score (too few peers "
        "with a value, or no spread) are left out.")

    flagged = flagged_agents(agents, measures, people.team_names(publication))
    if flagged.empty:
        st.success("No agent of this selection is an outlier this week on "
                   + ", ".join(components.plain(measure.label) for measure in measures.values()) + ".")
        return
    shown = ["agent_name", "team_names", "peer_team_name", "outlier_on"]
    for kpi in AGENT_KPIS:
        shown += [kpi, people.PEER_COLUMNS[kpi][0], people.OUTLIER_COLUMNS[kpi][0]]
    components.table(
        flagged, file_name=f"agent_outliers_{flagged['week_start_date'].iloc[0]}", key="people_outliers",
        column_config=labels.columns(publication, (*shown, "csat_response_count", "is_low_sample")),
        caption=(f"{len(flagged)} agent{'s' if len(flagged) != 1 else ''} flagged by the mart this week, by team "
                 "and name (not ranked). The mart never flags CSAT on a low-sample week."))
    components.drill_down(
        flagged, key="people_outlier_week", what="contacts", file_name="outlier_week_contacts",
        label=lambda row: contacts_label(row, f"{row['agent_name']} ({row['outlier_on']})"),
        records=lambda row: handled_contacts(publication, row["week_start_date"], agent_id=int(row["agent_id"])))


def _is_true(flags: pd.Series) -> pd.Series:
    """A flag of the mart as plain booleans: null (the agent has no score) is no flag."""
    return flags.fillna(False).astype(bool)


def _is_flagged(agents: pd.DataFrame, kpi: str) -> pd.Series:
    """The mart's outlier flag of the KPI."""
    return _is_true(agents[people.OUTLIER_COLUMNS[kpi][1]])


def flagged_agents(agents: pd.DataFrame, measures: dict[str, labels.Measure],
                   team_names: dict[str, str]) -> pd.DataFrame:
    """The agent-weeks the mart flags (``is_any_outlier``; a CSAT flag never rests on a low sample), with
    what they are flagged on and the team they are compared with."""
    flagged = agents[_is_true(agents["is_any_outlier"])].copy()
    flags = {kpi: _is_flagged(flagged, kpi) for kpi in AGENT_KPIS}
    flagged.insert(2, "outlier_on", [", ".join(measures[kpi].label for kpi in AGENT_KPIS if flags[kpi][index])
                                     for index in flagged.index])
    flagged.insert(3, "peer_team_name", flagged["peer_team_key"].map(team_names).fillna(flagged["peer_team_key"]))
    return flagged


def outlier_figure(agents: pd.DataFrame, measures: dict[str, labels.Measure], threshold: float | None) -> go.Figure:
    """One row of dots per KPI: each agent's robust z-score, red where the mart flags an outlier,
    hollow and grey on CSAT where the sample is low."""
    low = agents["is_low_sample"].astype(bool)
    figure = go.Figure()
    titles = [charts.chart_text(measure.label) for measure in measures.values()]
    for (kpi, measure), title in zip(measures.items(), titles):
        score = people.OUTLIER_COLUMNS[kpi][0]
        scored = agents[agents[score].notna()]
        is_low = low[scored.index] if kpi == CSAT else pd.Series(False, index=scored.index)
        colors = [charts.MUTED_COLOR if lo else OUTLIER_COLOR if out else SCORED_COLOR
                  for lo, out in zip(is_low, _is_flagged(scored, kpi))]
        figure.add_trace(go.Scatter(
            x=scored[score], y=[title] * len(scored), name=title, mode="markers", showlegend=False,
            marker={"size": 11, "color": colors, "line": {"width": 2, "color": colors},
                    "symbol": charts.sample_symbols(is_low)},
            customdata=list(zip(charts.chart_texts(scored["agent_name"]), charts.chart_texts(scored["team_names"]),
                                scored[kpi], ["low sample" if lo else "" for lo in is_low])),
            hovertemplate=(f"<b>%{{customdata[0]}}</b> (%{{customdata[1]}})<br>{title} "
                           f"{measure.field('customdata[2]')}<br>z = %{{x:.2f}} %{{customdata[3]}}<extra></extra>"),
        ))
    if threshold is not None:
        for cut in (-threshold, threshold):
            figure.add_vline(x=cut, line_dash="dash", line_color=OUTLIER_COLOR)
    figure.add_vline(x=0, line_color=charts.MUTED_COLOR, line_width=1)
    figure.update_layout(xaxis_title="Robust z-score against the agent's team (0 = team median)",
                         yaxis={"categoryorder": "array", "categoryarray": titles[::-1]},
                         margin={"t": 30, "b": 40}, height=320, hovermode="closest")
    return figure


def single_value(rows: pd.DataFrame, column: str) -> float | None:
    """The one value a column holds on every row (a build parameter the mart repeats), else None."""
    values = rows[column].dropna().unique()
    return float(values[0]) if len(values) == 1 else None
