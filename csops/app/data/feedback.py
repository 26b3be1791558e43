"""Customer feedback: CSAT, NPS and CES by channel, team and agent per week, the feedback themes
and the survey comments behind them, as the marts state them.

Marts: ``feedback_by_channel_week``, ``feedback_by_team_week``, ``feedback_by_agent_week``
(KPI_DEFINITIONS.md section 4), ``feedback_themes_weekly`` and ``survey_comment_examples``
(section 6), with names from ``dim_teams`` / ``dim_agents``, the agents' teams from
``dim_agent_teams`` and the whole centre's week from ``kpi_overview_weekly``. Every rate, mean,
interval and low-sample flag is a mart column; these queries only select, filter and join names.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from csops.app.data import AGENT_TEAMS_OF_WEEK, frame, has_table
from csops.kernel.publication import Publication
from csops.kernel.redaction import redact

CHANNEL_MART = "feedback_by_channel_week"
TEAM_MART = "feedback_by_team_week"
AGENT_MART = "feedback_by_agent_week"
THEMES_MART = "feedback_themes_weekly"
COMMENTS_MART = "survey_comment_examples"
OVERVIEW_MART = "kpi_overview_weekly"
TEAMS_DIMENSION = "dim_teams"
AGENTS_DIMENSION = "dim_agents"
AGENT_TEAMS_DIMENSION = "dim_agent_teams"

COMMENTS_SHOWN = 2_000

# The feedback marts' measure columns, in the order the page shows and exports them, after the
# grain's key (named rather than ``select *`` so that a mart gaining a column changes nothing).
FEEDBACK_COLUMNS = (
    "response_count",
    "csat_response_count",
    "csat_top2_response_count",
    "csat_top2_rate",
    "csat_top2_rate_ci95_low",
    "csat_top2_rate_ci95_high",
    "csat_mean_score",
    "is_low_sample",
    "nps",
    "nps_response_count",
    "ces_mean_score",
    "ces_response_count",
    "invitations_sent_count",
    "response_rate",
    "survey_fcr_rate",
    "resolved_question_response_count",
    "csat_good_rate",
    "csat_good_bad_response_count",
    "min_responses",
)
THEME_COLUMNS = (
    "theme_key",
    "theme_label",
    "mention_count",
    "mention_count_change",
    "comment_count",
    "comment_share_rate",
    "comment_share_rate_change",
    "csat_response_count",
    "csat_top2_response_count",
    "csat_top2_rate",
    "csat_top2_rate_ci95_low",
    "csat_top2_rate_ci95_high",
    "csat_mean_score",
    "is_low_sample",
    "sentiment_mean_score",
    "min_responses",
    "theme_pattern_count",
    "theme_lexicon_md5",
)


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week: the weekly marts' ``week_start_date``."""
    return day - timedelta(days=day.weekday())


def week_end(week_start_date: date) -> date:
    """The Sunday of the week starting ``week_start_date``."""
    return week_start_date + timedelta(days=6)


def _measures(alias: str) -> str:
    return ",\n            ".join(f"{alias}.{column}" for column in FEEDBACK_COLUMNS)


def weeks(publication: Publication, start_date: date, end_date: date) -> list[date]:
    """The weeks of the feedback marts that touch ``start_date``..``end_date``, oldest first
    (a week is shown whole when any of its days is in the range)."""
    marts = [mart for mart in (CHANNEL_MART, TEAM_MART, AGENT_MART, THEMES_MART) if has_table(publication, mart)]
    if not marts:
        return []
    union = "\n        union\n        ".join(f"select week_start_date from marts.{mart}" for mart in marts)
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
        select
            feedback.week_start_date,
            feedback.channel,
            {_measures("feedback")}
        from marts.{CHANNEL_MART} as feedback
        where feedback.week_start_date = $week_start_date
            and list_contains($channels, feedback.channel)
        order by feedback.channel
    """, {"week_start_date": week_start_date, "channels": tuple(sorted(channels))})


def team_week(publication: Publication, week_start_date: date, teams: tuple[str, ...]) -> pd.DataFrame:
    """``feedback_by_team_week`` rows of the week for the chosen teams, with the team's name,
    and the row of responses whose contact had no team (``team_key`` null), if any."""
    return frame(publication, f"""
        select
            feedback.week_start_date,
            feedback.team_key,
            coalesce(teams.team_name, feedback.team_key) as team_name,
            {_measures("feedback")}
        from marts.{TEAM_MART} as feedback
        left join marts.{TEAMS_DIMENSION} as teams
            on feedback.team_key = teams.team_key
        where feedback.week_start_date = $week_start_date
            and (feedback.team_key is null or list_contains($teams, feedback.team_key))
        order by team_name
    """, {"week_start_date": week_start_date, "teams": tuple(sorted(teams))})


def agent_week(publication: Publication, week_start_date: date, teams: tuple[str, ...],
               include_teamless: bool) -> pd.DataFrame:
    """``feedback_by_agent_week`` rows of the week for the agents who were in a chosen team on
    any day of it (``dim_agent_teams``), with the agent's name and that week's team(s); an agent
    who moved mid-week has both, oldest first, and one row for the week, as the mart states it.

    ``include_teamless`` also keeps agents in no team that week and the row of responses whose
    contact had no agent (``agent_id`` null), as when every team is chosen.
    """
    return frame(publication, f"""
        with week_spells as ({AGENT_TEAMS_OF_WEEK})

        select
            feedback.week_start_date,
            feedback.agent_id,
            coalesce(agents.agent_name, feedback.agent_id::varchar) as agent_name,
            coalesce(week_spells.team_names, 'No team') as team_names,
            {_measures("feedback")}
        from marts.{AGENT_MART} as feedback
        left join marts.{AGENTS_DIMENSION} as agents
            on feedback.agent_id = agents.agent_id
        left join week_spells
            on feedback.agent_id = week_spells.agent_id
        where feedback.week_start_date = $week_start_date
            and (
                list_has_any(week_spells.team_keys, $teams)
                or ($include_teamless and week_spells.team_keys is null)
            )
        order by agent_name, feedback.agent_id
    """, {"week_start_date": week_start_date, "teams": tuple(sorted(teams)), "include_teamless": include_teamless})


def centre_week(publication: Publication, week_start_date: date) -> pd.DataFrame:
    """The whole centre's CSAT and NPS of the week (``kpi_overview_weekly``, all channels
    together), with their targets and whether the week is over; empty without that mart."""
    if not has_table(publication, OVERVIEW_MART):
        return pd.DataFrame(columns=["kpi_name", "kpi_value", "sample_size", "is_low_sample", "target_value",
                                     "is_complete_week", "as_of_at"])
    return frame(publication, f"""
        select kpi_name, kpi_value, sample_size, is_low_sample, target_value, is_complete_week, as_of_at
        from marts.{OVERVIEW_MART}
        where week_start_date = $week_start_date
            and channel_scope = 'all'
            and kpi_name in ('csat_top2_rate', 'nps')
        order by kpi_name
    """, {"week_start_date": week_start_date})


def themes_week(publication: Publication, week_start_date: date) -> pd.DataFrame:
    """``feedback_themes_weekly`` rows of the week, one per theme."""
    return frame(publication, f"""
        select week_start_date, {", ".join(THEME_COLUMNS)}
        from marts.{THEMES_MART}
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
    total = frame(publication, f"select count(*) as n from marts.{COMMENTS_MART} as comments where {where}",
                  parameters)
    rows = frame(publication, f"""
        select
            comments.contact_date,
            comments.channel,
            coalesce(teams.team_name, comments.team_key) as team_name,
            coalesce(agents.agent_name, comments.agent_id::varchar) as agent_name,
            comments.csat_score,
            comments.sentiment_score,
            comments.sentiment_label,
            array_to_string(comments.theme_keys, ', ') as themes,
            comments.comment_text_redacted,
            comments.is_comment_redacted,
            comments.survey_response_id,
            comments.contact_id,
            comments.team_key,
            comments.agent_id,
            comments.week_start_date
        from marts.{COMMENTS_MART} as comments
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
