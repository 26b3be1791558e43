"""First contact resolution, as the FCR marts state it: operational and survey FCR side by side
per channel (``fcr_by_channel_week``, ``fcr_by_channel_day``), team (``fcr_by_team_week``) and
agent (``fcr_by_agent_week``), the repeat contacts and where customers went next
(``fcr_repeat_paths_weekly``), and the target (``kpi_targets``).

Rows come back at the marts' grain with the marts' columns; nothing here forms a rate.
Weekly marts are read whole: a week is returned when any of its days is in the date range.
Team filters: the marts count contacts nobody in a team handled as team ``unknown``, which no
team filter can pick, so it is returned only when every team is selected (as on the SLA page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from csops.app.data import frame, has_table
from csops.kernel.publication import Publication

CHANNEL_WEEK_MART = "fcr_by_channel_week"
CHANNEL_DAY_MART = "fcr_by_channel_day"
TEAM_WEEK_MART = "fcr_by_team_week"
AGENT_WEEK_MART = "fcr_by_agent_week"
PATHS_MART = "fcr_repeat_paths_weekly"
TARGETS_MART = "kpi_targets"
TARGET_KPI = "operational_fcr_rate"
UNKNOWN_TEAM = "unknown"
DAYS_IN_WEEK = 7

# The measure columns every fcr_by_* mart shares, in the order the page shows and exports them,
# after the grain's period and group columns. Named rather than ``select *`` so that a mart
# gaining a column changes nothing here.
FCR_MEASURE_COLUMNS = (
    "inbound_contact_count",
    "resolved_on_contact_count",
    "fcr_eligible_contact_count",
    "first_contact_resolved_count",
    "window_open_contact_count",
    "operational_fcr_rate",
    "survey_fcr_response_count",
    "survey_fcr_rate",
    "fcr_window_days",
)
# One (week, channel, issue category) group of the repeat-paths mart: the columns it states
# once per group (repeated on each of the group's next-channel rows).
REPEAT_GROUP_COLUMNS = (
    "week_start_date",
    "channel",
    "issue_category",
    "fcr_eligible_contact_count",
    "group_repeat_contact_count",
    "repeat_rate",
    "inbound_contact_count",
    "window_open_contact_count",
    "fcr_window_days",
)
REPEAT_PATH_COLUMNS = (
    "week_start_date",
    "channel",
    "issue_category",
    "next_channel",
    "repeat_contact_count",
    "group_repeat_contact_count",
    "next_channel_share_rate",
    "next_channel_repeat_rate",
    "fcr_eligible_contact_count",
    "repeat_rate",
    "fcr_window_days",
)


@dataclass(frozen=True)
class FcrGrain:
    """A period grain of FCR by channel, and the mart that states FCR at that grain."""

    label: str
    mart: str
    period_column: str
    period_label: str
    days: int  # how many contact days one period holds

    def first_period(self, start_date: date) -> date:
        """The first period touching ``start_date``: a week is read whole."""
        return week_start(start_date) if self.days == DAYS_IN_WEEK else start_date

    def last_day(self, period_start: date) -> date:
        """The last contact date of the period starting on ``period_start``."""
        return period_start + timedelta(days=self.days - 1)


# Weekly first: a day's FCR is a small sample, and most days' windows are still open late in the range.
FCR_GRAINS = (
    FcrGrain("Week", CHANNEL_WEEK_MART, "week_start_date", "Week starting (Monday)", DAYS_IN_WEEK),
    FcrGrain("Day", CHANNEL_DAY_MART, "contact_date", "Contact date", 1),
)


# The sets of contacts a drill-down can show, and the filters on the records that give each
# (columns of records.fcr_contacts). The counts the marts state for each set: eligible =
# fcr_eligible_contact_count, window still open = window_open_contact_count, all inbound =
# inbound_contact_count; "came back" = group_repeat_contact_count in the repeat-paths mart.
CONTACT_SETS = {
    "FCR-eligible (the rate's denominator)": {"is_resolved_on_contact": True, "is_window_closed": True},
    "Came back (resolved, then a repeat)": {"is_resolved_on_contact": True, "is_window_closed": True,
                                            "is_first_contact_resolved": False},
    "Window still open (left out of the rate)": {"is_resolved_on_contact": True, "is_window_closed": False},
    "Every inbound contact": {},
}


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week: the weekly marts' ``week_start_date``."""
    return day - timedelta(days=day.weekday())


def fcr_grains(publication: Publication) -> list[FcrGrain]:
    """The grains whose mart this publication carries, weekly first."""
    return [grain for grain in FCR_GRAINS if has_table(publication, grain.mart)]


def target(publication: Publication) -> dict | None:
    """The ``kpi_targets`` row of operational FCR (value, direction, label, source); None without one."""
    if not has_table(publication, TARGETS_MART):
        return None
    rows = frame(publication, f"""
        select kpi_name, kpi_label, target_value, target_direction, unit, target_source, definition_ref
        from marts.{TARGETS_MART}
        where kpi_name = $kpi_name
    """, {"kpi_name": TARGET_KPI})
    return None if rows.empty else rows.iloc[0].to_dict()


def channel_rows(publication: Publication, grain: FcrGrain, start_date: date, end_date: date,
                 channels: tuple[str, ...]) -> pd.DataFrame:
    """The grain's mart rows for the periods touching ``start_date``..``end_date`` in the chosen
    channels, by period then channel."""
    period = grain.period_column
    return frame(publication, f"""
        select {period}, channel, {", ".join(FCR_MEASURE_COLUMNS)}
        from marts.{grain.mart}
        where {period} between $first_period and $end_date
            and list_contains($channels, channel)
        order by {period}, channel
    """, {"first_period": grain.first_period(start_date), "end_date": end_date,
          "channels": tuple(sorted(channels))})


def weeks(publication: Publication, start_date: date, end_date: date) -> pd.DataFrame:
    """The weeks of ``fcr_by_channel_week`` touching the range, newest first, each with whether
    any of its contacts' repeat windows is still open on any channel (``has_open_windows``: the
    week's FCR is not final yet)."""
    return frame(publication, f"""
        select
            week_start_date,
            bool_or(window_open_contact_count > 0) as has_open_windows
        from marts.{CHANNEL_WEEK_MART}
        where week_start_date between $first_week and $end_date
        group by week_start_date
        order by week_start_date desc
    """, {"first_week": week_start(start_date), "end_date": end_date})


def team_rows(publication: Publication, start_date: date, end_date: date, teams: tuple[str, ...],
              every_team: bool) -> pd.DataFrame:
    """``fcr_by_team_week`` rows of the chosen teams (and team ``unknown`` when every team is
    chosen) for the weeks touching the range, with the team's name; by week, then team name."""
    return frame(publication, f"""
        select
            fcr.week_start_date,
            fcr.team_key,
            coalesce(teams.team_name, fcr.team_key) as team_name,
            {", ".join(f"fcr.{column}" for column in FCR_MEASURE_COLUMNS)}
        from marts.{TEAM_WEEK_MART} as fcr
        left join marts.dim_teams as teams
            on fcr.team_key = teams.team_key
        where fcr.week_start_date between $first_week and $end_date
            and (list_contains($teams, fcr.team_key)
                 or ($every_team and (fcr.team_key = '{UNKNOWN_TEAM}' or fcr.team_key is null)))
        order by fcr.week_start_date, team_name
    """, {"first_week": week_start(start_date), "end_date": end_date, "teams": tuple(sorted(teams)),
          "every_team": bool(every_team)})


def agent_rows(publication: Publication, week_start_date: date, teams: tuple[str, ...],
               every_team: bool) -> pd.DataFrame:
    """One week of ``fcr_by_agent_week`` for the agents who handled a contact that week in a
    chosen team (``fct_contacts.team_key``, the agent's team on the contact's day), with the
    agent's name and the team(s) of that week. The row of contacts no agent handled
    (``agent_id`` null) and agents only in team ``unknown`` come when every team is chosen.
    Ordered by team and name: the page lists agents, it does not rank them."""
    return frame(publication, f"""
        with week_teams as (
            select
                contacts.agent_id,
                string_agg(distinct coalesce(teams.team_name, contacts.team_key), ' / ') as team_names,
                list(distinct contacts.team_key) as team_keys
            from marts.fct_contacts as contacts
            left join marts.dim_teams as teams
                on contacts.team_key = teams.team_key
            where contacts.is_inbound
                and contacts.contact_date between $week_start_date and $week_start_date + {DAYS_IN_WEEK - 1}
                and contacts.agent_id is not null
            group by contacts.agent_id
        )

        select
            fcr.week_start_date,
            fcr.agent_id,
            case when fcr.agent_id is null then 'No agent (not handled)'
                 else coalesce(agents.agent_name, fcr.agent_id::varchar) end as agent_name,
            coalesce(week_teams.team_names, '{UNKNOWN_TEAM}') as team_names,
            {", ".join(f"fcr.{column}" for column in FCR_MEASURE_COLUMNS)}
        from marts.{AGENT_WEEK_MART} as fcr
        left join marts.dim_agents as agents
            on fcr.agent_id = agents.agent_id
        left join week_teams
            on fcr.agent_id = week_teams.agent_id
        where fcr.week_start_date = $week_start_date
            and (list_has_any(week_teams.team_keys, $teams) or $every_team)
        order by fcr.agent_id is null, team_names, agent_name, fcr.agent_id
    """, {"week_start_date": week_start_date, "teams": tuple(sorted(teams)), "every_team": bool(every_team)})


def repeat_groups(publication: Publication, week_start_date: date, channels: tuple[str, ...]) -> pd.DataFrame:
    """One row per (channel, issue category) of ``fcr_repeat_paths_weekly`` in the week: the
    group's eligible contacts, those that came back, and its repeat rate, as the mart states them."""
    return frame(publication, f"""
        select distinct {", ".join(REPEAT_GROUP_COLUMNS)}
        from marts.{PATHS_MART}
        where week_start_date = $week_start_date
            and list_contains($channels, channel)
        order by channel, issue_category nulls last
    """, {"week_start_date": week_start_date, "channels": tuple(sorted(channels))})


def repeat_paths(publication: Publication, week_start_date: date, channels: tuple[str, ...]) -> pd.DataFrame:
    """The week's rows of ``fcr_repeat_paths_weekly`` with a next channel (groups without any
    repeat have none), from the chosen channels to any channel."""
    return frame(publication, f"""
        select {", ".join(REPEAT_PATH_COLUMNS)}
        from marts.{PATHS_MART}
        where week_start_date = $week_start_date
            and list_contains($channels, channel)
            and next_channel is not null
        order by channel, issue_category nulls last, next_channel
    """, {"week_start_date": week_start_date, "channels": tuple(sorted(channels))})
