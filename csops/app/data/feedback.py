"""Customer feedback: CSAT, NPS and CES by channel, team and agent per week, CSAT per channel by day
or week, the feedback themes and the survey comments behind them, as the marts state them.

Marts: ``feedback_by_channel_week``, ``feedback_by_team_week``, ``feedback_by_agent_week``
(KPI_DEFINITIONS.md section 4), the CSAT marts by channel, ``feedback_themes_weekly`` and
``survey_comment_examples`` (section 6), with names from ``dim_teams`` / ``dim_agents``, the
agents' teams from ``dim_agent_teams`` and the whole centre's week from ``kpi_overview_weekly``.
Every rate, mean, interval and low-sample flag is a mart column; these queries only select,
filter and join names.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from csops.app.data import MartColumns, PeriodGrain, agent_week_rows, frame
from csops.app.weeks import DAYS_IN_WEEK, week_start
from csops.kernel.publication import Publication
from csops.kernel.redaction import redact

COMMENTS_SHOWN = 2_000

# The feedback marts' measure columns, in the order the page shows and exports them, after the
# grain's key: ``csat_rank`` is the mart's (1 = the lowest CSAT of the week among the rows not
# low-sample; null = not ranked).
FEEDBACK_COLUMNS = (
    "csat_rank", "response_count", "csat_response_count", "csat_top2_response_count", "csat_top2_rate",
    "csat_top2_rate_ci95_low", "csat_top2_rate_ci95_high", "csat_mean_score", "is_low_sample", "nps",
    "nps_response_count", "ces_mean_score", "ces_response_count", "invitations_sent_count", "response_rate",
    "survey_fcr_rate", "resolved_question_response_count", "csat_good_rate", "csat_good_bad_response_count",
    "min_responses",
)
CHANNEL_WEEK = MartColumns("feedback_by_channel_week", ("week_start_date", "channel", *FEEDBACK_COLUMNS))
TEAM_WEEK = MartColumns("feedback_by_team_week", ("week_start_date", "team_key", *FEEDBACK_COLUMNS))
AGENT_WEEK = MartColumns("feedback_by_agent_week", ("week_start_date", "agent_id", *FEEDBACK_COLUMNS))
THEMES = MartColumns("feedback_themes_weekly", (
    "week_start_date", "theme_key", "theme_label", "mention_count", "mention_count_change", "comment_count",
    "comment_share_rate", "comment_share_rate_change", "csat_response_count", "csat_top2_response_count",
    "csat_top2_rate", "csat_top2_rate_ci95_low", "csat_top2_rate_ci95_high", "csat_mean_score", "is_low_sample",
    "sentiment_mean_score", "min_responses", "theme_pattern_count", "theme_lexicon_md5", "csat_rank",
))
COMMENTS = MartColumns("survey_comment_examples", (
    "contact_date", "channel", "csat_score", "sentiment_score", "sentiment_label", "comment_text_redacted",
    "is_comment_redacted", "survey_response_id", "contact_id", "team_key", "agent_id", "week_start_date",
))
CENTRE_WEEK = MartColumns("kpi_overview_weekly", (
    "kpi_name", "kpi_value", "sample_size", "is_low_sample", "target_value", "is_complete_week", "as_of_at",
))
# CSAT per channel, by week or day (the same vocabulary as the feedback marts'): the CSAT page's trend.
CSAT_MEASURES = (
    "channel", "csat_response_count", "csat_top2_response_count", "csat_top2_rate", "csat_top2_rate_ci95_low",
    "csat_top2_rate_ci95_high", "csat_mean_score", "is_low_sample", "min_responses",
)
CSAT_CHANNEL_WEEK = MartColumns(CHANNEL_WEEK.mart, ("week_start_date", *CSAT_MEASURES))
CSAT_CHANNEL_DAY = MartColumns("feedback_by_channel_day", ("contact_date", *CSAT_MEASURES))
# Weekly first: a channel's day rarely reaches min_responses, its week usually does.
CSAT_GRAINS = (
    PeriodGrain("Week", CSAT_CHANNEL_WEEK, "week_start_date", "Week starting (Monday)", DAYS_IN_WEEK),
    PeriodGrain("Day", CSAT_CHANNEL_DAY, "contact_date", "Contact date", 1),
)
TEAMS_DIMENSION, AGENTS_DIMENSION, AGENT_TEAMS_DIMENSION = "dim_teams", "dim_agents", "dim_agent_teams"
# Every mart the customer feedback page reads.
PAGE_MARTS = (CHANNEL_WEEK.mart, TEAM_WEEK.mart, AGENT_WEEK.mart, THEMES.mart, COMMENTS.mart, CENTRE_WEEK.mart,
              TEAMS_DIMENSION, AGENTS_DIMENSION, AGENT_TEAMS_DIMENSION)


def weeks(publication: Publication, start_date: date, end_date: date) -> list[date]:
    """The weeks of the feedback marts that touch ``start_date``..``end_date``, oldest first
    (a week is shown whole when any of its days is in the range)."""
    union = "\n        union\n        ".join(f"select week_start_date from {read.table}"
                                          for read in (CHANNEL_WEEK, TEAM_WEEK, AGENT_WEEK, THEMES))
    rows = frame(publication, f"""
        select distinct week_start_date
        from ({union}) as feedback_weeks
        where week_start_date between $first_week and $end_date
        order by week_start_date
    """, {"first_week": week_start(start_date), "end_date": end_date})
    return list(rows["week_start_date"])


def channel_week(publication: Publication, week_start_date: date, channels: tuple[str, ...]) -> pd.DataFrame:
    """``feedback_by_channel_week`` rows of the week for the chosen channels."""
    return frame(publication, f"""
        select {CHANNEL_WEEK.select()}
        from {CHANNEL_WEEK.table}
        where week_start_date = $week_start_date
            and list_contains($channels, channel)
        order by channel
    """, {"week_start_date": week_start_date, "channels": tuple(sorted(channels))})


def team_week(publication: Publication, week_start_date: date, teams: tuple[str, ...]) -> pd.DataFrame:
    """``feedback_by_team_week`` rows of the week for the chosen teams, with the team's name,
    and the row of responses whose contact had no team (``team_key`` null), if any."""
    return frame(publication, f"""
        select
            {TEAM_WEEK.select("feedback")},
            coalesce(teams.team_name, feedback.team_key) as team_name
        from {TEAM_WEEK.table} as feedback
        left join marts.{TEAMS_DIMENSION} as teams
            on feedback.team_key = teams.team_key
        where feedback.week_start_date = $week_start_date
            and (feedback.team_key is null or list_contains($teams, feedback.team_key))
        order by team_name
    """, {"week_start_date": week_start_date, "teams": tuple(sorted(teams))})


def agent_week(publication: Publication, week_start_date: date, teams: tuple[str, ...],
               include_teamless: bool) -> pd.DataFrame:
    """``feedback_by_agent_week`` rows of the week for the agents of the chosen teams (see
    :func:`csops.app.data.agent_week_rows`), by name."""
    return agent_week_rows(publication, AGENT_WEEK, week_start_date, teams, include_teamless,
                           order_by="agent_name, performance.agent_id")


def centre_week(publication: Publication, week_start_date: date) -> pd.DataFrame:
    """The whole centre's CSAT and NPS of the week (``kpi_overview_weekly``, all channels
    together), with their targets and whether the week is over."""
    return frame(publication, f"""
        select {CENTRE_WEEK.select()}
        from {CENTRE_WEEK.table}
        where week_start_date = $week_start_date
            and channel_scope = 'all'
            and kpi_name in ('csat_top2_rate', 'nps')
        order by kpi_name
    """, {"week_start_date": week_start_date})


def themes_week(publication: Publication, week_start_date: date) -> pd.DataFrame:
    """``feedback_themes_weekly`` rows of the week, one per theme."""
    return frame(publication, f"""
        select {THEMES.select()}
        from {THEMES.table}
        where week_start_date = $week_start_date
        order by theme_label, theme_key
    """, {"week_start_date": week_start_date})


def theme_comments(publication: Publication, week_start_date: date, theme_key: str, channels: tuple[str, ...],
                   teams: tuple[str, ...], include_teamless: bool) -> pd.DataFrame:
    """The week's comments that mention ``theme_key`` (``survey_comment_examples``, contacts in
    the warehouse only, as ``feedback_themes_weekly`` counts them), in the chosen channels and
    teams (and comments whose contact had no team when ``include_teamless``), lowest CSAT first
    (no score last), then most negative sentiment. At most ``COMMENTS_SHOWN`` rows, with the full
    count in ``attrs["total_count"]``."""
    parameters = {"week_start_date": week_start_date, "theme_key": theme_key, "channels": tuple(sorted(channels)),
                  "teams": tuple(sorted(teams)), "include_teamless": include_teamless}
    where = """
        comments.is_contact_matched
            and comments.week_start_date = $week_start_date
            and list_contains(comments.theme_keys, $theme_key)
            and list_contains($channels, comments.channel)
            and (list_contains($teams, comments.team_key) or ($include_teamless and comments.team_key is null))
    """
    total = frame(publication, f"select count(*) as n from {COMMENTS.table} as comments where {where}", parameters)
    rows = frame(publication, f"""
        select
            {COMMENTS.select("comments")},
            coalesce(teams.team_name, comments.team_key) as team_name,
            coalesce(agents.agent_name, comments.agent_id::varchar) as agent_name,
            array_to_string(comments.theme_keys, ', ') as themes
        from {COMMENTS.table} as comments
        left join marts.{TEAMS_DIMENSION} as teams
            on comments.team_key = teams.team_key
        left join marts.{AGENTS_DIMENSION} as agents
            on comments.agent_id = agents.agent_id
        where {where}
        order by comments.csat_score asc nulls last, comments.sentiment_score, comments.contact_date,
            comments.survey_response_id
        limit {COMMENTS_SHOWN}
    """, parameters)
    # Redacted again as shown: a publication made before the redaction knew every country's
    # phone numbers and every script's addresses (issue 15) still shows none.
    rows = rows.assign(comment_text_redacted=rows["comment_text_redacted"].map(redact))
    rows.attrs["total_count"] = int(total.iloc[0]["n"])
    return rows
