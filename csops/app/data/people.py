"""Agents and teams: the weekly scorecards, the agents' outlier scores and the training cohorts.

Every rate, mean, interval and z-score comes from the marts (``team_performance_weekly``,
``agent_performance_weekly``, ``training_impact``); these queries only select, filter and
join the names (``dim_teams``, ``dim_agents``) and the teams an agent was in
(``dim_agent_teams``).
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from csops.app.data import AGENT_TEAMS_OF_WEEK, frame, has_table
from csops.kernel.publication import Publication

TEAM_MART = "team_performance_weekly"
AGENT_MART = "agent_performance_weekly"
TRAINING_MART = "training_impact"

# The robust z-score columns of agent_performance_weekly, per KPI: (score, flag). The page
# shows the outlier section only when the publication's mart carries all of them.
OUTLIER_COLUMNS = {
    "aht_seconds": ("aht_robust_z_score", "is_aht_outlier"),
    "operational_fcr_rate": ("operational_fcr_robust_z_score", "is_operational_fcr_outlier"),
    "csat_top2_rate": ("csat_top2_robust_z_score", "is_csat_top2_outlier"),
}


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week: the weekly marts' ``week_start_date``."""
    return day - timedelta(days=day.weekday())


def team_weeks(publication: Publication, start_date: date, end_date: date, teams: tuple[str, ...]) -> pd.DataFrame:
    """``team_performance_weekly`` rows of the chosen teams for the weeks touching
    ``start_date``..``end_date`` (a week is shown whole), with the team's name."""
    return frame(publication, f"""
        select
            performance.week_start_date,
            performance.team_key,
            coalesce(teams.team_name, performance.team_key) as team_name,
            performance.* exclude (week_start_date, team_key)
        from marts.{TEAM_MART} as performance
        left join marts.dim_teams as teams
            on performance.team_key = teams.team_key
        where performance.week_start_date between $first_week and $end_date
            and list_contains($teams, performance.team_key)
        order by performance.week_start_date, team_name
    """, {"first_week": week_start(start_date), "end_date": end_date, "teams": tuple(sorted(teams))})


def agent_week_starts(publication: Publication, start_date: date, end_date: date) -> list[date]:
    """The weeks of ``agent_performance_weekly`` touching ``start_date``..``end_date``, oldest first."""
    weeks = frame(publication, f"""
        select distinct week_start_date
        from marts.{AGENT_MART}
        where week_start_date between $first_week and $end_date
        order by week_start_date
    """, {"first_week": week_start(start_date), "end_date": end_date})
    return list(weeks["week_start_date"])


def agent_week(publication: Publication, week_start_date: date, teams: tuple[str, ...],
               include_teamless: bool) -> pd.DataFrame:
    """One week of ``agent_performance_weekly`` for the agents who were in a chosen team on
    any day of it (``dim_agent_teams``), with the agent's name and the team(s) of that week.

    ``include_teamless`` also keeps agents in no team that week (when every team is chosen).
    An agent who moved mid-week is listed with both teams, oldest first; their row is one
    figure for the week, as the mart states it. Every column of the mart is kept, so the
    outlier columns come along when the publication has them.
    """
    return frame(publication, f"""
        with week_spells as ({AGENT_TEAMS_OF_WEEK})

        select
            performance.week_start_date,
            performance.agent_id,
            coalesce(agents.agent_name, performance.agent_id::varchar) as agent_name,
            coalesce(week_spells.team_names, 'No team') as team_names,
            performance.* exclude (week_start_date, agent_id)
        from marts.{AGENT_MART} as performance
        left join marts.dim_agents as agents
            on performance.agent_id = agents.agent_id
        left join week_spells
            on performance.agent_id = week_spells.agent_id
        where performance.week_start_date = $week_start_date
            and (
                list_has_any(week_spells.team_keys, $teams)
                or ($include_teamless and week_spells.team_keys is null)
            )
        order by team_names, agent_name, performance.agent_id
    """, {"week_start_date": week_start_date, "teams": tuple(sorted(teams)), "include_teamless": include_teamless})


def agent_mart_columns(publication: Publication) -> tuple[str, ...]:
    """The columns ``agent_performance_weekly`` has in this publication (the outlier scores
    arrived later than the mart, so older publications lack them)."""
    columns = frame(publication, f"""
        select column_name
        from information_schema.columns
        where table_schema = 'marts' and table_name = '{AGENT_MART}'
        order by ordinal_position
    """)
    return tuple(columns["column_name"])


def has_outlier_columns(publication: Publication) -> bool:
    needed = {column for pair in OUTLIER_COLUMNS.values() for column in pair}
    return needed <= set(agent_mart_columns(publication))


def team_names(publication: Publication) -> dict[str, str]:
    """team_key -> team_name (``dim_teams``)."""
    if not has_table(publication, "dim_teams"):
        return {}
    rows = frame(publication, "select team_key, team_name from marts.dim_teams")
    return dict(zip(rows["team_key"], rows["team_name"]))


def training_impact(publication: Publication) -> pd.DataFrame:
    """Every ``training_impact`` row: cohorts (training x completion date) x KPI, newest cohort first."""
    return frame(publication, f"""
        select *
        from marts.{TRAINING_MART}
        order by completed_on desc, training_name,
            case kpi when 'aht_seconds' then 1 when 'operational_fcr_rate' then 2 else 3 end
    """)
