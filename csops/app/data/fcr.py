"""First contact resolution, as the FCR marts state it: operational and survey FCR side by side
per channel (``fcr_by_channel_week``, ``fcr_by_channel_day``), team (``fcr_by_team_week``) and
agent (``fcr_by_agent_week``), the repeat contacts and where customers went next
(``fcr_repeat_paths_weekly``). The target is the KPI registry's (``csops.app.labels``).

Rows come back at the marts' grain with the marts' columns; nothing here forms a rate.
Weekly marts are read whole: a week is returned when any of its days is in the date range.
Team filters: the marts count contacts nobody in a team handled as team ``unknown``, the unknown
member of ``dim_teams``, which the team filter picks like any team.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from csops.app.data import MartColumns, PeriodGrain, frame
from csops.app.weeks import DAYS_IN_WEEK, week_start
from csops.kernel.publication import Publication

TARGET_KPI = "operational_fcr_rate"
UNKNOWN_TEAM = "unknown"

# The measure columns every fcr_by_* mart shares, in the order the page shows and exports them,
# after the grain's period and group columns. Named rather than ``select *`` so that a mart
# gaining a column changes nothing here.
FCR_MEASURE_COLUMNS = (
    "inbound_contact_count", "resolved_on_contact_count", "fcr_eligible_contact_count",
    "first_contact_resolved_count", "window_open_contact_count", "operational_fcr_rate",
    "survey_fcr_response_count", "survey_fcr_rate", "fcr_window_days",
)
CHANNEL_WEEK = MartColumns("fcr_by_channel_week", ("week_start_date", "channel", *FCR_MEASURE_COLUMNS))
CHANNEL_DAY = MartColumns("fcr_by_channel_day", ("contact_date", "channel", *FCR_MEASURE_COLUMNS))
TEAM_WEEK = MartColumns("fcr_by_team_week", ("week_start_date", "team_key", *FCR_MEASURE_COLUMNS))
AGENT_WEEK = MartColumns("fcr_by_agent_week", ("week_start_date", "agent_id", *FCR_MEASURE_COLUMNS))
# One (week, channel, issue category) group of the repeat-paths mart: the columns it states
# once per group (repeated on each of the group's next-channel rows).
REPEAT_GROUPS = MartColumns("fcr_repeat_paths_weekly", (
    "week_start_date", "channel", "issue_category", "fcr_eligible_contact_count", "group_repeat_contact_count",
    "repeat_rate", "inbound_contact_count", "window_open_contact_count", "fcr_window_days",
))
REPEAT_PATHS = MartColumns("fcr_repeat_paths_weekly", (
    "week_start_date", "channel", "issue_category", "next_channel", "repeat_contact_count",
    "group_repeat_contact_count", "next_channel_share_rate", "next_channel_repeat_rate",
    "fcr_eligible_contact_count", "repeat_rate", "fcr_window_days",
))
CHANNEL_WEEK_MART, TEAM_WEEK_MART, AGENT_WEEK_MART, PATHS_MART = (CHANNEL_WEEK.mart, TEAM_WEEK.mart, AGENT_WEEK.mart,
                                                                  REPEAT_PATHS.mart)
# Every mart the FCR page reads, its drill-downs' included.
PAGE_MARTS = (CHANNEL_WEEK.mart, CHANNEL_DAY.mart, TEAM_WEEK.mart, AGENT_WEEK.mart, REPEAT_PATHS.mart, "fct_contacts",
              "fct_contact_resolutions", "dim_teams", "dim_agents")


# Weekly first: a day's FCR is a small sample, and most days' windows are still open late in the range.
FCR_GRAINS = (
    PeriodGrain("Week", CHANNEL_WEEK, "week_start_date", "Week starting (Monday)", DAYS_IN_WEEK),
    PeriodGrain("Day", CHANNEL_DAY, "contact_date", "Contact date", 1),
)


# The sets of contacts a drill-down can show, and the filters on the records that give each
# (flags of fct_contact_resolutions, as records.fcr_contacts lists them). The counts the marts
# state for each set: eligible = fcr_eligible_contact_count, window still open =
# window_open_contact_count, all inbound = inbound_contact_count; "came back" =
# group_repeat_contact_count in the repeat-paths mart.
CONTACT_SETS = {
    "FCR-eligible (the rate's denominator)": {"is_fcr_eligible": True},
    "Came back (resolved, then a repeat)": {"is_fcr_eligible": True, "is_first_contact_resolved": False},
    "Window still open (left out of the rate)": {"is_resolved_on_contact": True, "is_window_closed": False},
    "Every inbound contact": {},
}


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


def team_rows(publication: Publication, start_date: date, end_date: date, teams: tuple[str, ...]) -> pd.DataFrame:
    """``fcr_by_team_week`` rows of the chosen teams for the weeks touching the range, with the
    team's name; by week, then team name."""
    return frame(publication, f"""
        select
            coalesce(teams.team_name, fcr.team_key) as team_name,
            {TEAM_WEEK.select("fcr")}
        from marts.{TEAM_WEEK_MART} as fcr
        left join marts.dim_teams as teams
            on fcr.team_key = teams.team_key
        where fcr.week_start_date between $first_week and $end_date
            and list_contains($teams, fcr.team_key)
        order by fcr.week_start_date, team_name
    """, {"first_week": week_start(start_date), "end_date": end_date, "teams": tuple(sorted(teams))})


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
            case when fcr.agent_id is null then 'No agent (not handled)'
                 else coalesce(agents.agent_name, fcr.agent_id::varchar) end as agent_name,
            coalesce(week_teams.team_names, '{UNKNOWN_TEAM}') as team_names,
            {AGENT_WEEK.select("fcr")}
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
        select distinct {REPEAT_GROUPS.select()}
        from marts.{PATHS_MART}
        where week_start_date = $week_start_date
            and list_contains($channels, channel)
        order by channel, issue_category nulls last
    """, {"week_start_date": week_start_date, "channels": tuple(sorted(channels))})


def repeat_paths(publication: Publication, week_start_date: date, channels: tuple[str, ...]) -> pd.DataFrame:
    """The week's rows of ``fcr_repeat_paths_weekly`` with a next channel (groups without any
    repeat have none), from the chosen channels to any channel."""
    return frame(publication, f"""
        select {REPEAT_PATHS.select()}
        from marts.{PATHS_MART}
        where week_start_date = $week_start_date
            and list_contains($channels, channel)
            and next_channel is not null
        order by channel, issue_category nulls last, next_channel
    """, {"week_start_date": week_start_date, "channels": tuple(sorted(channels))})
