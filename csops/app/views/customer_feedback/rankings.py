"""Sections: who drags CSAT down? The week's channels, teams and agents, ranked by CSAT as the
feedback marts state it, with the records behind each row."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from csops.app import components, filters, labels
from csops.app.data import feedback, records
from csops.app.views.customer_feedback.ranking import RANK_COLUMN, dot_interval_figure, in_rank_order, ranked_count
from csops.app.weeks import week_end
from csops.kernel.publication import Publication

RESPONSES_MODE = "Surveyed contacts, with their answers"
CONTACTS_MODE = "Every contact handled"
DRILL_MODES = (RESPONSES_MODE, CONTACTS_MODE)
# The measures each ranking table shows after its rank and names (the CSV keeps every column).
MEASURES_SHOWN = (
    "response_count", "csat_response_count", "csat_top2_rate", "csat_top2_rate_ci95_low", "csat_top2_rate_ci95_high",
    "csat_mean_score", "is_low_sample", "nps", "nps_response_count", "ces_mean_score", "ces_response_count",
    "response_rate", "survey_fcr_rate", "csat_good_rate",
)


def render_channels(publication: Publication, chosen: filters.Filters, week: date, centre: dict,
                    drill_mode: str) -> None:
    st.subheader("By channel")
    rows = feedback.channel_week(publication, week, chosen.channels)
    if rows.empty:
        st.info(f"No survey responses in the week of {week} in the selected channels. Choose other channels or "
                "another week.")
        return
    ranked = in_rank_order(rows.assign(label=rows["channel"]), "channel")
    _render_ranking(
        publication, ranked, centre, key="feedback_channel", names=("channel",), what="channel",
        scope="The channel filter applies; the team filter does not (the mart has no team: each channel counts "
              "every team).", file_name=f"{feedback.CHANNEL_WEEK.mart}_{week}")
    _drill_down(publication, ranked, week, drill_mode, key="feedback_channel", column="channel")


def render_teams(publication: Publication, chosen: filters.Filters, week: date, centre: dict,
                 drill_mode: str) -> None:
    st.subheader("By team")
    rows = feedback.team_week(publication, week, chosen.teams)
    teamless = rows[rows["team_key"].isna()]
    rows = rows[rows["team_key"].notna()]
    if rows.empty:
        st.info(f"No survey responses in the week of {week} for the selected teams. Choose other teams or "
                "another week.")
        return
    ranked = in_rank_order(rows.assign(label=rows["team_name"]), "team_name")
    not_shown = (f" {int(teamless['response_count'].sum()):,} responses of the week were for contacts with no "
                 "team; they count in the channels above, not here." if not teamless.empty else "")
    _render_ranking(
        publication, ranked, centre, key="feedback_team", names=("team_name",), what="team",
        scope="The team filter applies; the channel filter does not (the mart has no channel: each team counts "
              "all its channels). A contact counts in the team its agent was in that day." + not_shown,
        file_name=f"{feedback.TEAM_WEEK.mart}_{week}")
    _drill_down(publication, ranked, week, drill_mode, key="feedback_team", column="team_key")


def render_agents(publication: Publication, chosen: filters.Filters, week: date, centre: dict,
                  drill_mode: str) -> None:
    st.subheader("By agent")
    rows = feedback.agent_week(publication, week, chosen.teams, chosen.is_every_team)
    agentless = rows[rows["agent_id"].isna()]
    rows = rows[rows["agent_id"].notna()]
    if rows.empty:
        st.info(f"No survey responses in the week of {week} for agents of the selected teams.")
        return
    labels_shown = rows["agent_name"] + " (" + rows["team_names"] + ")"
    duplicated = labels_shown.duplicated(keep=False)
    labels_shown = labels_shown.where(~duplicated, labels_shown + " #" + rows["agent_id"].astype("Int64").astype(str))
    ranked = in_rank_order(rows.assign(label=labels_shown), "agent_name")
    not_shown = (f" {int(agentless['response_count'].sum()):,} responses of the week were for contacts no "
                 "agent handled; they are not shown here." if not agentless.empty else "")
    _render_ranking(
        publication, ranked, centre, key="feedback_agent", names=("agent_name", "team_names"), what="agent",
        scope="Agents who were in a selected team on any day of the week; an agent who moved lists both teams and "
              "has one row for the week, all teams together. The channel filter does not apply (the mart has no "
              "channel)." + not_shown, file_name=f"{feedback.AGENT_WEEK.mart}_{week}")
    _drill_down(publication, ranked, week, drill_mode, key="feedback_agent", column="agent_id")


def _render_ranking(publication: Publication, ranked: pd.DataFrame, centre: dict, *, key: str,
                    names: tuple[str, ...], what: str, scope: str, file_name: str) -> None:
    csat = labels.kpi(publication, "csat_top2_rate")
    # Rows without a CSAT rate (no 1-5 response) have no dot: the table lists them.
    st.plotly_chart(dot_interval_figure(ranked[ranked["csat_top2_rate"].notna()], csat, centre), width="stretch",
                    key=f"{key}_chart")
    shown_ranked = ranked_count(ranked)
    worst = ranked.iloc[0] if shown_ranked else None
    answer = (f"Lowest CSAT among the {shown_ranked} ranked {what}s: **{components.plain(worst['label'])}**, "
              f"{csat.format(worst['csat_top2_rate'])} (95% interval {csat.format(worst['csat_top2_rate_ci95_low'])} "
              f"to {csat.format(worst['csat_top2_rate_ci95_high'])}, n = {int(worst['csat_response_count'])}). "
              if worst is not None else f"No {what} has enough responses this week to be ranked. ")
    article = "an" if what[:1] in "aeiou" else "a"
    st.caption(
        f"**Which {what} drags CSAT down?** {answer}Each dot is {article} {what}'s {components.plain(csat.label)} "
        "for the week (share of 1-5 responses scoring 4 or 5), the bar its Wilson 95% interval; ranked lowest first. "
        f"**Hollow grey dots are low samples** (fewer than {min_responses(ranked)} responses): they are **not "
        f"ranked** and are listed after the ranked {what}s, by name ({len(ranked) - shown_ranked} this week; "
        f"{article} {what} with no 1-5 response has no dot, only a table row). "
        + ("A dot whose whole bar lies left of the dotted line is below the whole centre beyond its own sampling "
           "noise. " if centre.get("csat_top2_rate") is not None else "")
        + scope
    )
    components.table(ranked.drop(columns=["label"]), file_name=file_name, key=key,
                     column_config=labels.columns(publication, (RANK_COLUMN, *names, *MEASURES_SHOWN)),
                     caption=f"NPS, CES, response rate and survey FCR of the same {what}s, as the mart states them "
                             "(NPS and CES have no interval; read them with their n).")


def min_responses(rows: pd.DataFrame) -> str:
    values = rows["min_responses"].dropna().unique()
    return f"{int(values[0])}" if len(values) == 1 else "`min_responses`"


def _drill_down(publication: Publication, ranked: pd.DataFrame, week: date, drill_mode: str, *, key: str,
                column: str) -> None:
    by_responses = drill_mode == RESPONSES_MODE

    def rows_behind(row: pd.Series) -> pd.DataFrame:
        value = int(row[column]) if column == "agent_id" else row[column]
        behind = records.survey_responses if by_responses else records.contacts
        return behind(publication, week, week_end(week), **{column: value})

    components.drill_down(
        ranked, key=key, what="surveyed contacts" if by_responses else "contacts",
        label=lambda row: f"{row['label']}, week of {week:%Y-%m-%d}: {int(row['response_count'])} responses",
        records=rows_behind, file_name="survey_responses" if by_responses else "contacts")
