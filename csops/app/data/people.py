"""Agents and teams: the weekly scorecards, the agents' outlier scores and the training cohorts.

Every rate, mean, interval, z-score and flag comes from the marts (``team_performance_weekly``,
``agent_performance_weekly``, ``training_impact``); these queries only select, filter and
join the names (``dim_teams``, ``dim_agents``) and the teams an agent was in
(``dim_agent_teams``).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from csops.app.data import MartColumns, agent_week_rows, frame
from csops.app.weeks import week_start
from csops.kernel.publication import Publication

# The scorecard's columns, shared by the team and the agent marts, after the grain's key.
SCORECARD_COLUMNS = (
    "handled_contact_count", "answered_calls", "aht_seconds", "occupancy_rate", "staffed_agents",
    "first_response_met_count", "first_response_compliance_rate", "agent_work_met_count",
    "agent_work_compliance_rate", "solved_at_least_once_ticket_count", "reopen_rate", "first_replied_ticket_count",
    "escalation_rate", "transfer_rate", "fcr_eligible_contact_count", "operational_fcr_rate", "csat_response_count",
    "csat_top2_rate", "csat_top2_rate_ci95_low", "csat_top2_rate_ci95_high", "is_low_sample",
)
# The robust z-score columns of agent_performance_weekly, per KPI: (score, flag).
OUTLIER_COLUMNS = {
    "aht_seconds": ("aht_robust_z_score", "is_aht_outlier"),
    "operational_fcr_rate": ("operational_fcr_robust_z_score", "is_operational_fcr_outlier"),
    "csat_top2_rate": ("csat_top2_robust_z_score", "is_csat_top2_outlier"),
}
# What each agent is compared with, per KPI: (the peers' median, how many peers).
PEER_COLUMNS = {
    "aht_seconds": ("aht_peer_median_seconds", "aht_peer_agent_count"),
    "operational_fcr_rate": ("operational_fcr_peer_median_rate", "operational_fcr_peer_agent_count"),
    "csat_top2_rate": ("csat_top2_peer_median_rate", "csat_top2_peer_agent_count"),
}
TEAM_WEEK = MartColumns("team_performance_weekly", ("week_start_date", "team_key", *SCORECARD_COLUMNS))
AGENT_WEEK = MartColumns("agent_performance_weekly", (
    "week_start_date", "agent_id", *SCORECARD_COLUMNS, "peer_team_key",
    *(column for pair in PEER_COLUMNS.values() for column in pair),
    *(column for pair in OUTLIER_COLUMNS.values() for column in pair), "is_any_outlier",
    "outlier_robust_z_threshold", "outlier_min_peer_agents",
))
TRAINING = MartColumns("training_impact", (
    "training_name", "completed_on", "kpi", "trained_agent_count", "control_agent_count", "trained_before_value",
    "trained_after_value", "control_before_value", "control_after_value", "difference_in_differences",
    "difference_ci95_low", "difference_ci95_high", "is_shown", "is_window_complete", "training_window_weeks",
    "training_min_agents",
))
TEAM_NAMES = MartColumns("dim_teams", ("team_key", "team_name"))
# Every mart the agents and teams page reads.
PAGE_MARTS = (TEAM_WEEK.mart, AGENT_WEEK.mart, TRAINING.mart, TEAM_NAMES.mart, "dim_agents", "dim_agent_teams")


def team_weeks(publication: Publication, start_date: date, end_date: date, teams: tuple[str, ...]) -> pd.DataFrame:
    """``team_performance_weekly`` rows of the chosen teams for the weeks touching
    ``start_date``..``end_date`` (a week is shown whole), with the team's name."""
    return frame(publication, f"""
        select
            {TEAM_WEEK.select("performance")},
            coalesce(teams.team_name, performance.team_key) as team_name
        from {TEAM_WEEK.table} as performance
        left join {TEAM_NAMES.table} as teams
            on performance.team_key = teams.team_key
        where performance.week_start_date between $first_week and $end_date
            and list_contains($teams, performance.team_key)
        order by performance.week_start_date, team_name
    """, {"first_week": week_start(start_date), "end_date": end_date, "teams": tuple(sorted(teams))})


def agent_week_starts(publication: Publication, start_date: date, end_date: date) -> list[date]:
    """The weeks of ``agent_performance_weekly`` touching ``start_date``..``end_date``, oldest first."""
    weeks = frame(publication, f"""
        select distinct week_start_date
        from {AGENT_WEEK.table}
        where week_start_date between $first_week and $end_date
        order by week_start_date
    """, {"first_week": week_start(start_date), "end_date": end_date})
    return list(weeks["week_start_date"])


def agent_week(publication: Publication, week_start_date: date, teams: tuple[str, ...],
               include_teamless: bool) -> pd.DataFrame:
    """One week of ``agent_performance_weekly`` for the agents of the chosen teams (see
    :func:`csops.app.data.agent_week_rows`), by team and name."""
    return agent_week_rows(publication, AGENT_WEEK, week_start_date, teams, include_teamless,
                           order_by="team_names, agent_name, performance.agent_id")


def team_names(publication: Publication) -> dict[str, str]:
    """team_key -> team_name (``dim_teams``)."""
    rows = frame(publication, f"select {TEAM_NAMES.select()} from {TEAM_NAMES.table}")
    return dict(zip(rows["team_key"], rows["team_name"]))


def training_impact(publication: Publication) -> pd.DataFrame:
    """Every ``training_impact`` row: cohorts (training x completion date) x KPI, newest cohort first."""
    return frame(publication, f"""
        select {TRAINING.select()}
        from {TRAINING.table}
        order by completed_on desc, training_name,
            case kpi when 'aht_seconds' then 1 when 'operational_fcr_rate' then 2 else 3 end
    """)
