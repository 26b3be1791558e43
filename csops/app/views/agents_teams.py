"""Page: Agents and teams. How is each team and each agent doing, who stands out from their
team, and did a training help?

Every number is a mart column: ``team_performance_weekly`` and ``agent_performance_weekly``
(the scorecards, the agents' robust z-scores when the mart has them) and ``training_impact``
(the difference in differences and its interval). The page filters, lays out and links them
to the contacts behind; it computes no KPI, score or interval of its own.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import plotly.colors
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from csops.app import components, data, filters
from csops.app.data import people, records
from csops.kernel.publication import Publication

TITLE = "Agents and teams"
URL_PATH = "agents-and-teams"

NEEDED_MARTS = (people.TEAM_MART, people.AGENT_MART, "dim_teams", "dim_agents", "dim_agent_teams")
NO_OUTLIER_COLUMNS = (
    "This publication's `marts.agent_performance_weekly` has no outlier columns yet (robust z-scores of AHT, "
    "operational FCR and CSAT against the agent's team). Run `csops run` with the current models to publish them; "
    "the app does not compute scores itself."
)
NO_CHANNEL_FILTER = (
    "The agent and team marts have no channel: every KPI here covers all of a team's or an agent's channels, "
    "whichever channels the sidebar chooses. The sidebar's teams and dates apply."
)

LOW_SAMPLE_MARKER, SAMPLE_MARKER = "circle-open", "circle"
ONE_DAY_MILLISECONDS = 24 * 60 * 60 * 1000
WEEKLY_TICKS_MAX = 16  # weeks on the team chart with a tick each; beyond, one tick per four weeks
OUTLIER_COLOR, SCORED_COLOR, MUTED_COLOR = "#d62728", "#1f77b4", "#9e9e9e"

# KPI column -> (label, is a 0-1 rate). The order is the order of the KPI choice and the tables.
KPIS = {
    "aht_seconds": ("AHT (seconds)", False),
    "occupancy_rate": ("Occupancy", True),
    "first_response_compliance_rate": ("First response SLA compliance", True),
    "agent_work_compliance_rate": ("Resolution SLA compliance (agent work)", True),
    "reopen_rate": ("Reopen rate", True),
    "escalation_rate": ("Escalation rate", True),
    "transfer_rate": ("Transfer rate", True),
    "operational_fcr_rate": ("Operational FCR", True),
    "csat_top2_rate": ("CSAT top-2", True),
}
# The n behind each KPI, shown in the charts' hover.
KPI_COUNTS = {
    "aht_seconds": ("answered_calls", "calls answered"),
    "occupancy_rate": ("staffed_agents", "agents staffed (time-weighted)"),
    "first_response_compliance_rate": ("first_response_met_count", "first responses met"),
    "agent_work_compliance_rate": ("agent_work_met_count", "resolutions met"),
    "reopen_rate": ("solved_at_least_once_ticket_count", "tickets solved"),
    "escalation_rate": ("first_replied_ticket_count", "tickets first replied"),
    "transfer_rate": ("answered_calls", "calls answered"),
    "operational_fcr_rate": ("fcr_eligible_contact_count", "resolved contacts, window closed"),
    "csat_top2_rate": ("csat_response_count", "CSAT responses"),
}
RATE_COLUMNS = [column for column, (_, is_rate) in KPIS.items() if is_rate] + [
    "csat_top2_rate_ci95_low", "csat_top2_rate_ci95_high"]

SCORECARD_COLUMNS = {
    "handled_contact_count": st.column_config.NumberColumn("Contacts handled", format="%d"),
    "answered_calls": st.column_config.NumberColumn("Calls answered", format="%d"),
    "aht_seconds": st.column_config.NumberColumn("AHT (s)", format="%.0f"),
    "occupancy_rate": st.column_config.NumberColumn("Occupancy"),
    "first_response_compliance_rate": st.column_config.NumberColumn("First response SLA"),
    "agent_work_compliance_rate": st.column_config.NumberColumn("Resolution SLA"),
    "reopen_rate": st.column_config.NumberColumn("Reopen rate"),
    "escalation_rate": st.column_config.NumberColumn("Escalation rate"),
    "transfer_rate": st.column_config.NumberColumn("Transfer rate"),
    "fcr_eligible_contact_count": st.column_config.NumberColumn("FCR n", format="%d",
                                                                help="Resolved contacts whose FCR window has closed"),
    "operational_fcr_rate": st.column_config.NumberColumn("Operational FCR"),
    "csat_response_count": st.column_config.NumberColumn("CSAT n", format="%d"),
    "csat_top2_rate": st.column_config.NumberColumn("CSAT top-2"),
    "csat_top2_rate_ci95_low": st.column_config.NumberColumn("CSAT 95% low"),
    "csat_top2_rate_ci95_high": st.column_config.NumberColumn("CSAT 95% high"),
    "is_low_sample": st.column_config.CheckboxColumn("Low sample (CSAT)"),
}

# The three KPIs the agents' distributions and outlier scores cover: column -> short label.
AGENT_KPIS = {"aht_seconds": "AHT (s)", "operational_fcr_rate": "Operational FCR", "csat_top2_rate": "CSAT top-2"}
# Why a KPI can have no value for any agent in a week, for the empty distribution panel.
EMPTY_PANEL_REASONS = {
    "aht_seconds": " (no answered calls)",
    "operational_fcr_rate": "<br>(FCR windows still open)",
    "csat_top2_rate": " (no responses)",
}
# The columns the outlier table shows when the mart has them, per KPI.
OUTLIER_DETAIL = {
    "aht_seconds": ("aht_peer_median_seconds", "aht_peer_agent_count"),
    "operational_fcr_rate": ("operational_fcr_peer_median_rate", "operational_fcr_peer_agent_count"),
    "csat_top2_rate": ("csat_top2_peer_median_rate", "csat_top2_peer_agent_count"),
}

TRAINING_KPIS = {"aht_seconds": "AHT (seconds)", "operational_fcr_rate": "Operational FCR",
                 "csat_top2_rate": "CSAT top-2"}
# The estimates of a cohort-KPI: never shown when the mart says is_shown = false.
TRAINING_ESTIMATES = {
    "trained_before_value": "Trained, before",
    "trained_after_value": "Trained, after",
    "control_before_value": "Others, before",
    "control_after_value": "Others, after",
    "difference_in_differences": "DiD",
    "difference_ci95_low": "DiD 95% low",
    "difference_ci95_high": "DiD 95% high",
}
TRAINED_COLOR, CONTROL_COLOR = "#1f77b4", "#7f7f7f"


def render() -> None:
    """The page body; ``st.Page`` runs it on every rerun."""
    st.title(TITLE)
    page = components.start_page(*NEEDED_MARTS)
    if page is None:
        return
    publication, chosen = page
    options = chosen.options
    if not chosen.channels or not chosen.teams:
        st.info(components.NO_SELECTION)
        return
    if not chosen.is_every_channel:
        st.caption(NO_CHANNEL_FILTER)
    st.caption(f"Weeks start on Monday and are shown whole when any of their days is in the sidebar's dates. "
               f"The data run from {options.first_date} to {options.last_date}: a week beyond either end is "
               "partial.")

    _render_teams(publication, chosen)
    _render_agents(publication, chosen, options)
    _render_training(publication)


# Teams -----------------------------------------------------------------------------------------

def _render_teams(publication: Publication, chosen: filters.Filters) -> None:
    st.header("Team scorecards")
    rows = people.team_weeks(publication, chosen.start_date, chosen.end_date, chosen.teams)
    if rows.empty:
        st.info(f"No team-week for the chosen teams between {chosen.start_date} and {chosen.end_date}. "
                "Widen the dates or choose other teams in the sidebar.")
        return
    kpi = st.selectbox("KPI to chart by team", list(KPIS), format_func=lambda column: KPIS[column][0],
                       key="people_team_kpi")
    st.plotly_chart(_team_figure(rows, kpi, chosen.all_teams), width="stretch", key="people_team_chart")
    low_sample = " **Hollow markers are low-sample team-weeks** (fewer CSAT responses than `min_responses`): " \
                 "read them as indicative, not to rank teams." if kpi == "csat_top2_rate" else ""
    st.caption(f"How is each team doing, week by week? Each line is a team's weekly {KPIS[kpi][0]} as "
               "`team_performance_weekly` states it; an agent counts in the team they were in on the day of the "
               f"activity. Hover for the n behind each point.{low_sample}")
    components.table(
        rows, file_name=f"team_performance_weekly_{chosen.start_date}_{chosen.end_date}", key="people_teams",
        column_config={
            "week_start_date": st.column_config.DateColumn("Week starting", format="YYYY-MM-DD"),
            "team_name": st.column_config.TextColumn("Team"),
            **SCORECARD_COLUMNS,
        },
        percent_columns=RATE_COLUMNS,
        caption=f"{len(rows)} team-weeks, in week then team order (not a ranking); "
                f"{int(rows['is_low_sample'].sum())} with a low CSAT sample (marked). A rate with nothing to "
                "measure (no calls, tickets or responses) is empty, never 0.")
    components.drill_down(
        rows, key="people_team_week", what="contacts", file_name="team_week_contacts",
        label=lambda row: (f"{row['team_name']}, week of {row['week_start_date']}: "
                           f"{int(row['handled_contact_count']):,} contacts handled"),
        records=lambda row: _handled_contacts(publication, row["week_start_date"], team_key=(row["team_key"],)))


def _team_figure(rows: pd.DataFrame, kpi: str, all_teams: tuple[str, ...]) -> go.Figure:
    label, is_rate = KPIS[kpi]
    count_column, count_label = KPI_COUNTS[kpi]
    # One colour per team over all teams, so that choosing fewer keeps each team's colour.
    palette = plotly.colors.qualitative.Plotly
    colors = {team: palette[index % len(palette)] for index, team in enumerate(sorted(all_teams))}
    figure = go.Figure()
    for (team_key, team_name), team_rows in rows.groupby(["team_key", "team_name"], sort=False):
        color = colors.get(team_key, MUTED_COLOR)
        is_csat = kpi == "csat_top2_rate"
        low = team_rows["is_low_sample"].astype(bool) if is_csat else pd.Series(False, index=team_rows.index)
        value = team_rows[kpi]
        shown_name = components.chart_text(team_name)
        trace = go.Scatter(
            x=team_rows["week_start_date"], y=value, name=shown_name, mode="lines+markers",
            line={"color": color, "width": 2},
            marker={"color": color, "size": 9, "line": {"width": 2, "color": color},
                    "symbol": [LOW_SAMPLE_MARKER if flag else SAMPLE_MARKER for flag in low]},
            customdata=list(zip(team_rows[count_column], ["low sample" if flag else "" for flag in low])),
            hovertemplate=(f"<b>{shown_name}</b> week of %{{x|%Y-%m-%d}}<br>{label} "
                           + ("%{y:.1%}" if is_rate else "%{y:.0f}")
                           + f"<br>n = %{{customdata[0]:,.0f}} {count_label} %{{customdata[1]}}<extra></extra>"),
        )
        if is_csat:
            trace.error_y = {"type": "data", "symmetric": False,
                             "array": team_rows["csat_top2_rate_ci95_high"] - value,
                             "arrayminus": value - team_rows["csat_top2_rate_ci95_low"],
                             "color": color, "thickness": 1.5, "width": 3}
        figure.add_trace(trace)
    figure.update_layout(xaxis_title="Week starting (Monday)", yaxis_title=label, legend_title_text="Team",
                         margin={"t": 30, "b": 40}, hovermode="closest")
    if is_rate:
        figure.update_yaxes(tickformat=".0%")
    weeks = rows["week_start_date"].nunique()
    # A tick on each Monday, or every fourth one on long ranges (left alone, Plotly ticks Sundays).
    figure.update_xaxes(tickformat="%Y-%m-%d", tick0=rows["week_start_date"].min(),
                        dtick=7 * ONE_DAY_MILLISECONDS * (1 if weeks <= WEEKLY_TICKS_MAX else 4))
    return figure


# Agents ----------------------------------------------------------------------------------------

def _render_agents(publication: Publication, chosen: filters.Filters, options: data.FilterOptions) -> None:
    st.header("Agent scorecards")
    weeks = people.agent_week_starts(publication, chosen.start_date, chosen.end_date)
    if not weeks:
        st.info(f"No agent-week between {chosen.start_date} and {chosen.end_date}. Widen the dates in the sidebar.")
        _render_outliers_heading()
        return
    week = st.selectbox("Week", weeks, index=len(weeks) - 1, key="people_week",
                        format_func=lambda start: _week_label(start, options))
    agents = people.agent_week(publication, week, chosen.teams, include_teamless=chosen.is_every_team)
    if agents.empty:
        st.info(f"No agent of the chosen teams has a row in the week of {week}. Choose another week or other "
                "teams in the sidebar.")
        _render_outliers_heading()
        return

    low_count = int(agents["is_low_sample"].sum())
    components.table(
        agents, file_name=f"agent_performance_weekly_{week}", key="people_agents",
        column_config={
            "agent_name": st.column_config.TextColumn("Agent"),
            "team_names": st.column_config.TextColumn("Team(s) that week"),
            **SCORECARD_COLUMNS,
        },
        percent_columns=RATE_COLUMNS,
        caption=(f"How is each agent doing? {len(agents)} agents of the chosen teams in the week of {week}, "
                 "listed by team and name (not ranked). An agent who changed team that week is listed with both "
                 f"teams, oldest first. {low_count} have a low CSAT sample (marked): their CSAT is indicative "
                 "and never used to rank them."))
    components.drill_down(
        agents, key="people_agent_week", what="contacts", file_name="agent_week_contacts",
        label=lambda row: (f"{row['agent_name']} ({row['team_names']}), week of {row['week_start_date']}: "
                           f"{int(row['handled_contact_count']):,} contacts handled"),
        records=lambda row: _handled_contacts(publication, row["week_start_date"], agent_id=int(row["agent_id"])))

    st.subheader("Spread across agents")
    st.plotly_chart(_distribution_figure(agents), width="stretch", key="people_distribution_chart")
    st.caption("Where do the agents stand this week? Each bar counts the agents whose week falls in that range of "
               "AHT, operational FCR or CSAT top-2 (an agent without calls, closed FCR windows or responses is "
               "left out of that panel). On CSAT, agents with a low sample are stacked apart (light): read them as "
               "indicative.")

    _render_outliers(publication, agents)


def _week_label(start: date, options: data.FilterOptions) -> str:
    end = start + timedelta(days=6)
    partial = start < options.first_date or end > options.last_date
    return f"{start} to {end}" + (" (partial week)" if partial else "")


def _distribution_figure(agents: pd.DataFrame) -> go.Figure:
    figure = make_subplots(rows=1, cols=len(AGENT_KPIS), subplot_titles=list(AGENT_KPIS.values()),
                           horizontal_spacing=0.08)
    low = agents["is_low_sample"].astype(bool)
    for column_index, (kpi, label) in enumerate(AGENT_KPIS.items(), start=1):
        is_rate = KPIS[kpi][1]
        if kpi == "csat_top2_rate":
            parts = [(agents[~low], "CSAT: sample of min_responses or more", SCORED_COLOR, 1.0),
                     (agents[low], "CSAT: low sample", SCORED_COLOR, 0.35)]
        else:
            parts = [(agents, label, SCORED_COLOR, 1.0)]
        for part, name, color, opacity in parts:
            part = part[part[kpi].notna()]
            figure.add_trace(go.Histogram(
                x=part[kpi], name=name, marker={"color": color}, opacity=opacity, nbinsx=15,
                bingroup=kpi, showlegend=kpi == "csat_top2_rate",
                hovertemplate=f"{label} %{{x}}<br>%{{y}} agents<extra></extra>",
            ), row=1, col=column_index)
        if agents[kpi].isna().all():
            # An empty panel says why rather than drawing bare axes.
            figure.add_annotation(text=f"No agent has a value<br>this week{EMPTY_PANEL_REASONS[kpi]}",
                                  showarrow=False, xref="x domain", yref="y domain", x=0.5, y=0.5,
                                  font={"color": MUTED_COLOR}, row=1, col=column_index)
            figure.update_xaxes(showticklabels=False, row=1, col=column_index)
            figure.update_yaxes(showticklabels=False, row=1, col=column_index)
        figure.update_xaxes(title_text=label, tickformat=".0%" if is_rate else None, row=1, col=column_index)
    figure.update_yaxes(title_text="Agents", row=1, col=1)
    figure.update_layout(barmode="stack", margin={"t": 40, "b": 40},
                         legend={"orientation": "h", "y": -0.25})
    return figure


# Outliers --------------------------------------------------------------------------------------

def _render_outliers_heading() -> None:
    st.subheader("Outliers: who stands out from their team?")


def _render_outliers(publication: Publication, agents: pd.DataFrame) -> None:
    _render_outliers_heading()
    if not people.has_outlier_columns(publication):
        st.info(NO_OUTLIER_COLUMNS)
        return
    threshold = _single_value(agents, "outlier_robust_z_threshold")
    min_peers = _single_value(agents, "outlier_min_peer_agents")
    scores = [people.OUTLIER_COLUMNS[kpi][0] for kpi in AGENT_KPIS]
    if agents[scores].isna().all().all():
        peers = f"{int(min_peers)}" if min_peers is not None else "`outlier_min_peer_agents`"
        st.info("No agent of this selection has a robust z-score this week: a score needs at least "
                f"{peers} agents of the same team with a value, and a spread among them (a non-zero MAD). "
                "Small teams, or a week with few calls, responses or closed FCR windows, have none.")
        return
    st.plotly_chart(_outlier_figure(agents, threshold), width="stretch", key="people_outlier_chart")
    cut = f"{threshold:g}" if threshold is not None else "`outlier_robust_z_threshold`"
    st.caption(
        "Who is an outlier? Each dot is an agent's robust z-score this week against their team's agents (the "
        "team they spent most of the week in): (value - team median) / (1.4826 x MAD), from "
        f"`agent_performance_weekly`. Beyond the dashed lines (|z| > {cut}) the mart flags an outlier (red). "
        "High AHT or low FCR and CSAT is the side to look into. Agents with a low CSAT sample are hollow and "
        "grey on the CSAT row: their CSAT is never used to single them out. Agents without a score (too few peers "
        "with a value, or no spread) are left out.")

    flagged = _flagged(agents, people.team_names(publication))
    if flagged.empty:
        st.success("No agent of this selection is an outlier this week on AHT, operational FCR or CSAT.")
        return
    config = {
        "agent_name": st.column_config.TextColumn("Agent"),
        "team_names": st.column_config.TextColumn("Team(s) that week"),
        "peer_team_name": st.column_config.TextColumn("Compared with"),
        "outlier_on": st.column_config.TextColumn("Outlier on"),
    }
    for kpi, label in AGENT_KPIS.items():
        score, flag = people.OUTLIER_COLUMNS[kpi]
        median, peer_count = OUTLIER_DETAIL[kpi]
        config[kpi] = st.column_config.NumberColumn(label, format="%.0f" if kpi == "aht_seconds" else None)
        if median in flagged.columns:
            config[median] = st.column_config.NumberColumn(f"{label}: team median",
                                                           format="%.0f" if kpi == "aht_seconds" else None)
        config[score] = st.column_config.NumberColumn(f"{label}: z", format="%.2f")
    config["csat_response_count"] = st.column_config.NumberColumn("CSAT n", format="%d")
    config["is_low_sample"] = st.column_config.CheckboxColumn("Low sample (CSAT)")
    components.table(
        flagged, file_name=f"agent_outliers_{flagged['week_start_date'].iloc[0]}", key="people_outliers",
        column_config=config,
        percent_columns=["operational_fcr_rate", "csat_top2_rate", "operational_fcr_peer_median_rate",
                         "csat_top2_peer_median_rate"],
        caption=(f"{len(flagged)} agent{'s' if len(flagged) != 1 else ''} flagged by the mart this week, by team "
                 "and name (not ranked). A CSAT flag on a low-sample week is not counted."))
    components.drill_down(
        flagged, key="people_outlier_week", what="contacts", file_name="outlier_week_contacts",
        label=lambda row: (f"{row['agent_name']} ({row['outlier_on']}), week of {row['week_start_date']}: "
                           f"{int(row['handled_contact_count']):,} contacts handled"),
        records=lambda row: _handled_contacts(publication, row["week_start_date"], agent_id=int(row["agent_id"])))


def _flagged(agents: pd.DataFrame, team_names: dict[str, str]) -> pd.DataFrame:
    """The agent-weeks the mart flags on AHT, FCR or CSAT, a CSAT flag only when its sample is not low."""
    low = agents["is_low_sample"].astype(bool)
    flags = {}
    for kpi, label in AGENT_KPIS.items():
        flag = agents[people.OUTLIER_COLUMNS[kpi][1]].fillna(False).astype(bool)
        flags[label] = flag & ~low if kpi == "csat_top2_rate" else flag
    on = pd.DataFrame(flags, index=agents.index)
    flagged = agents[on.any(axis=1)].copy()
    flagged.insert(2, "outlier_on", [", ".join(label for label in on.columns if on.at[index, label])
                                     for index in flagged.index])
    if "peer_team_key" in flagged.columns:
        flagged.insert(3, "peer_team_name", flagged["peer_team_key"].map(team_names).fillna(flagged["peer_team_key"]))
    return flagged


def _outlier_figure(agents: pd.DataFrame, threshold: float | None) -> go.Figure:
    low = agents["is_low_sample"].astype(bool)
    figure = go.Figure()
    labels = list(AGENT_KPIS.values())
    for kpi, label in AGENT_KPIS.items():
        score, flag = people.OUTLIER_COLUMNS[kpi]
        scored = agents[agents[score].notna()]
        is_low = low[scored.index] if kpi == "csat_top2_rate" else pd.Series(False, index=scored.index)
        is_flagged = scored[flag].fillna(False).astype(bool) & ~is_low
        colors = [MUTED_COLOR if lo else OUTLIER_COLOR if out else SCORED_COLOR
                  for lo, out in zip(is_low, is_flagged)]
        figure.add_trace(go.Scatter(
            x=scored[score], y=[label] * len(scored), name=label, mode="markers", showlegend=False,
            marker={"size": 11, "color": colors, "line": {"width": 2, "color": colors},
                    "symbol": [LOW_SAMPLE_MARKER if lo else SAMPLE_MARKER for lo in is_low]},
            customdata=list(zip(scored["agent_name"].map(components.chart_text, na_action="ignore"),
                                scored["team_names"].map(components.chart_text, na_action="ignore"), scored[kpi],
                                ["low sample" if lo else "" for lo in is_low])),
            hovertemplate=("<b>%{customdata[0]}</b> (%{customdata[1]})<br>" + label + " "
                           + ("%{customdata[2]:.0f}" if kpi == "aht_seconds" else "%{customdata[2]:.1%}")
                           + "<br>z = %{x:.2f} %{customdata[3]}<extra></extra>"),
        ))
    if threshold is not None:
        for cut in (-threshold, threshold):
            figure.add_vline(x=cut, line_dash="dash", line_color=OUTLIER_COLOR)
    figure.add_vline(x=0, line_color=MUTED_COLOR, line_width=1)
    figure.update_layout(xaxis_title="Robust z-score against the agent's team (0 = team median)",
                         yaxis={"categoryorder": "array", "categoryarray": labels[::-1]},
                         margin={"t": 30, "b": 40}, height=320, hovermode="closest")
    return figure


def _single_value(rows: pd.DataFrame, column: str) -> float | None:
    if column not in rows.columns:
        return None
    values = rows[column].dropna().unique()
    return float(values[0]) if len(values) == 1 else None


# Training --------------------------------------------------------------------------------------

def _render_training(publication: Publication) -> None:
    st.header("Training: did it help?")
    if not data.has_table(publication, people.TRAINING_MART):
        st.info(f"The current publication has no `marts.{people.TRAINING_MART}`. Run `csops run` again to publish "
                "it.")
        return
    rows = people.training_impact(publication)
    if rows.empty:
        st.info("No training cohort to compare yet: the training log (`CSOPS_HOME/manager/training_log.csv`) has "
                "no completion with agents who have a KPI value both in the weeks before and in the weeks after it.")
        return
    window = _single_value(rows, "training_window_weeks")
    min_agents = _single_value(rows, "training_min_agents")
    weeks = f"{int(window)} weeks" if window is not None else "`training_window_weeks`"
    fewest = f"{int(min_agents)}" if min_agents is not None else "`training_min_agents`"
    st.caption(
        f"For each training (name and completion date), each KPI over the {weeks} before and after completion: the "
        "trained agents' mean against the mean of the agents without that training over the same weeks. The "
        "difference in differences (DiD) is the trained agents' change minus the others' change, with its 95% "
        "interval (agents are the unit). An interval that excludes 0 is a change beyond chance; for AHT, below 0 "
        "means shorter calls. The sidebar's dates, teams and channels do not apply: a cohort is every trained agent, "
        "whichever their team, over all channels.")

    shown = rows[rows["is_shown"].astype(bool)]
    for (training_name, completed_on), cohort in shown.groupby(["training_name", "completed_on"], sort=False):
        completed = pd.Timestamp(completed_on).date()
        st.subheader(f"{components.plain(training_name)}, completed {completed}")  # the manager's training log
        if not cohort["is_window_complete"].astype(bool).all():
            st.caption("The weeks after completion have not all happened yet: the 'after' side is still filling.")
        st.plotly_chart(_training_figure(cohort), width="stretch", key=f"people_training_{training_name}_{completed}")

    hidden = rows[~rows["is_shown"].astype(bool)]
    if not hidden.empty:
        cohorts = ", ".join(sorted({f"{components.plain(name)} ({pd.Timestamp(day).date()}, {int(n)} trained)"
                                    for name, day, n in zip(hidden["training_name"], hidden["completed_on"],
                                                            hidden["trained_agent_count"])}))
        st.info(f"Not shown (fewer than {fewest} trained agents with the KPI before and after, too few to tell "
                f"a change from chance): {cohorts}. Their estimates read n/a below.")
    if shown.empty:
        st.caption("No cohort has enough trained agents to show an estimate yet.")

    table_rows = _masked(rows)
    table_rows.insert(2, "kpi_label", table_rows["kpi"].map(TRAINING_KPIS).fillna(table_rows["kpi"]))
    config = {
        "training_name": st.column_config.TextColumn("Training"),
        "completed_on": st.column_config.DateColumn("Completed", format="YYYY-MM-DD"),
        "kpi_label": st.column_config.TextColumn("KPI"),
        "trained_agent_count": st.column_config.NumberColumn("Trained agents (n)", format="%d"),
        "control_agent_count": st.column_config.NumberColumn("Other agents (n)", format="%d"),
    }
    tail = {
        "is_shown": st.column_config.CheckboxColumn("Shown"),
        "is_window_complete": st.column_config.CheckboxColumn("After window complete"),
    }
    aht = table_rows[table_rows["kpi"] == "aht_seconds"]
    rates = table_rows[table_rows["kpi"] != "aht_seconds"]
    if not aht.empty:
        components.table(aht, file_name="training_impact_aht", key="people_training_aht",
                         column_config={**config, **{column: st.column_config.NumberColumn(label, format="%.1f")
                                                     for column, label in TRAINING_ESTIMATES.items()}, **tail},
                         caption="AHT, in seconds (DiD below 0: the trained agents' calls got shorter than the "
                                 "others').")
    if not rates.empty:
        components.table(rates, file_name="training_impact_rates", key="people_training_rates",
                         column_config={**config, **{column: st.column_config.NumberColumn(label)
                                                     for column, label in TRAINING_ESTIMATES.items()}, **tail},
                         percent_columns=list(TRAINING_ESTIMATES),
                         caption="Operational FCR and CSAT top-2, as rates; the DiD is in percentage points "
                                 "(above 0: the trained agents improved more than the others).")
    st.caption("No drill-down here: no mart lists which agents took a training (the training log is not "
               "published), so the contacts behind a cohort cannot be picked out.")


def _masked(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows with every estimate of a cohort not shown replaced by null (n/a): the page never shows them."""
    masked = rows.copy()
    hidden = ~masked["is_shown"].astype(bool)
    for column in TRAINING_ESTIMATES:
        masked[column] = masked[column].astype("float64").where(~hidden)
    masked["completed_on"] = pd.to_datetime(masked["completed_on"]).dt.date
    return masked


def _training_figure(cohort: pd.DataFrame) -> go.Figure:
    kpis = [kpi for kpi in TRAINING_KPIS if kpi in set(cohort["kpi"])]
    figure = make_subplots(rows=2, cols=len(kpis), row_heights=[0.65, 0.35], vertical_spacing=0.2,
                           horizontal_spacing=0.1,
                           subplot_titles=[TRAINING_KPIS[kpi] for kpi in kpis] + [f"DiD, {TRAINING_KPIS[kpi]}"
                                                                                  for kpi in kpis])
    for column_index, kpi in enumerate(kpis, start=1):
        row = cohort[cohort["kpi"] == kpi].iloc[0]
        is_rate = kpi != "aht_seconds"
        value_format = ".1%" if is_rate else ".0f"
        for side, name, color, count in (("trained", "Trained agents", TRAINED_COLOR, row["trained_agent_count"]),
                                         ("control", "Other agents", CONTROL_COLOR, row["control_agent_count"])):
            figure.add_trace(go.Scatter(
                x=["Before", "After"], y=[row[f"{side}_before_value"], row[f"{side}_after_value"]],
                name=name, legendgroup=side, showlegend=column_index == 1, mode="lines+markers",
                line={"color": color, "width": 3, "dash": "solid" if side == "trained" else "dash"},
                marker={"size": 10, "color": color},
                hovertemplate=f"{name} (n = {int(count)})<br>%{{x}}: %{{y:{value_format}}}<extra></extra>",
            ), row=1, col=column_index)
        difference = row["difference_in_differences"]
        figure.add_trace(go.Scatter(
            x=[difference], y=["DiD"], mode="markers", showlegend=False, marker={"size": 12, "color": TRAINED_COLOR},
            error_x={"type": "data", "symmetric": False, "array": [row["difference_ci95_high"] - difference],
                     "arrayminus": [difference - row["difference_ci95_low"]], "thickness": 2, "width": 6},
            hovertemplate=(f"DiD %{{x:{value_format}}}<br>95% interval {row['difference_ci95_low']:{value_format}} to "
                           f"{row['difference_ci95_high']:{value_format}}<extra></extra>"),
        ), row=2, col=column_index)
        figure.add_vline(x=0, line_color=MUTED_COLOR, line_width=1, row=2, col=column_index)
        figure.update_yaxes(showticklabels=False, row=2, col=column_index)
        figure.update_yaxes(title_text=TRAINING_KPIS[kpi] if column_index == 1 else None,
                            tickformat=".0%" if is_rate else None, row=1, col=column_index)
        figure.update_xaxes(title_text="percentage points" if is_rate else "seconds",
                            tickformat=".1%" if is_rate else None, row=2, col=column_index)
    figure.update_layout(height=520, margin={"t": 40, "b": 40}, legend={"orientation": "h", "y": 1.12})
    return figure


# Records ---------------------------------------------------------------------------------------

def _handled_contacts(publication: Publication, week_start_date: date, **keys) -> pd.DataFrame:
    """The inbound contacts handled in the week (the marts' ``handled_contact_count``), all channels."""
    return records.contacts(publication, week_start_date, week_start_date + timedelta(days=6),
                            is_inbound=True, is_handled=True, **keys)


if __name__ == "__main__":  # Streamlit runs the page's file as a script
    render()
