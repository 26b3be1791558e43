"""The "Customer feedback" page on a publication the pipeline built (``pipeline_home``), run
through Streamlit's AppTest. Expected values are read straight from the publication file."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from csops.kernel.paths import CsopsHome
from tests.app.pages import (assert_no_exception, captions, contact_dates, infos, open_page, plotly_values,
                             read_published, sidebar_filters, table_with, widget)

PAGE = "views/customer_feedback/__init__.py"
NOT_RANKED = "not ranked"


def chart(app: AppTest, key: str) -> dict:
    charts = [element for element in app.get("plotly_chart") if element.proto.id and key in element.proto.id]
    assert len(charts) == 1, f"{len(charts)} charts keyed {key}"
    return json.loads(charts[0].proto.spec)


def team_rows(home: CsopsHome, week: date, teams: list[str] | None = None) -> pd.DataFrame:
    return read_published(home, """
        select feedback.*, teams.team_name
        from marts.feedback_by_team_week as feedback
        inner join marts.dim_teams as teams on feedback.team_key = teams.team_key
        where feedback.week_start_date = ? and (? is null or list_contains(?, feedback.team_key))
    """, [week, teams, teams])


def latest_week(home: CsopsHome) -> date:
    latest = read_published(home, "select max(week_start_date) as week from marts.feedback_by_team_week")
    return latest.iloc[0]["week"].date()


FEEDBACK_VALUES = ("response_count", "csat_response_count", "csat_top2_rate", "csat_top2_rate_ci95_low",
                   "csat_top2_rate_ci95_high", "nps", "ces_mean_score", "response_rate")
THEME_VALUES = ("mention_count", "comment_share_rate", "csat_response_count", "csat_top2_rate",
                "csat_top2_rate_ci95_low", "csat_top2_rate_ci95_high", "sentiment_mean_score")


def assert_ranked_like_the_mart(shown: pd.DataFrame, expected: pd.DataFrame, name: str,
                                values: tuple[str, ...] = FEEDBACK_VALUES) -> None:
    """Same rows and values as the mart; ranked rows (enough responses) by rate, lowest first,
    numbered 1..k (the mart's ``csat_rank``, where the mart states one); then the low-sample rows,
    unranked, by name."""
    is_ranked = ~expected["is_low_sample"].astype(bool) & expected["csat_top2_rate"].notna()
    if "csat_rank" in expected.columns:
        assert expected["csat_rank"].notna().tolist() == is_ranked.tolist()
        ranked = expected[is_ranked].sort_values("csat_rank")
    else:  # the themes: ties by key, as the marts rank
        ranked = expected[is_ranked].sort_values(["csat_top2_rate", "theme_key"])
    assert ranked["csat_top2_rate"].is_monotonic_increasing
    unranked = expected[~is_ranked].sort_values(name)
    assert list(shown[name]) == list(ranked[name]) + list(unranked[name])
    assert list(shown["csat_rank"]) == [str(rank) for rank in range(1, len(ranked) + 1)] + [NOT_RANKED] * len(unranked)
    in_order = pd.concat([ranked, unranked], ignore_index=True)
    for column in values:
        assert shown[column].astype(float).tolist() == pytest.approx(in_order[column].astype(float).tolist(),
                                                                      nan_ok=True), column
    assert shown["is_low_sample"].astype(bool).tolist() == in_order["is_low_sample"].astype(bool).tolist()


def test_latest_week_ranks_channels_teams_and_agents_as_the_marts_state_them(pipeline_app_home):
    app = open_page(PAGE, allow_error=False)
    week = latest_week(pipeline_app_home)

    assert app.selectbox(key="feedback_week").value == week
    assert_ranked_like_the_mart(table_with(app, "team_name", "csat_rank"), team_rows(pipeline_app_home, week),
                                "team_name")
    channels = read_published(pipeline_app_home,
                              "select * from marts.feedback_by_channel_week where week_start_date = ?", [week])
    assert_ranked_like_the_mart(table_with(app, "channel", "csat_rank"), channels, "channel")
    agents = read_published(pipeline_app_home, """
        select feedback.*, agents.agent_name
        from marts.feedback_by_agent_week as feedback
        inner join marts.dim_agents as agents on feedback.agent_id = agents.agent_id
        where feedback.week_start_date = ?
    """, [week])
    assert len(agents) > 0
    assert_ranked_like_the_mart(table_with(app, "agent_name", "csat_rank"), agents, "agent_name")
    # The link to the CSAT trend page, not a repeat of it.
    assert "[CSAT by channel](csat-by-channel" in captions(app)
    assert "not ranked" in captions(app)

    earlier = app.selectbox(key="feedback_week").options[0]  # the week picker: another week of the range
    app.selectbox(key="feedback_week").set_value(earlier).run()
    assert_no_exception(app, allow_error=False)
    earlier_week = date.fromisoformat(earlier)
    assert earlier_week < week
    assert_ranked_like_the_mart(table_with(app, "team_name", "csat_rank"), team_rows(pipeline_app_home, earlier_week),
                                "team_name")


def test_team_chart_draws_mart_rates_and_intervals_with_low_samples_hollow_and_unranked(pipeline_app_home):
    app = open_page(PAGE, allow_error=False)
    expected = team_rows(pipeline_app_home, latest_week(pipeline_app_home)).set_index("team_name")

    figure = chart(app, "feedback_team_chart")
    traces = {trace["name"]: trace for trace in figure["data"]}
    ranked = traces["Ranked"]
    names = list(ranked["y"])
    assert names == list(expected[~expected["is_low_sample"]].sort_values("csat_top2_rate").index)
    assert plotly_values(ranked["x"]) == pytest.approx(expected.loc[names, "csat_top2_rate"].tolist())
    upper = expected.loc[names, "csat_top2_rate_ci95_high"] - expected.loc[names, "csat_top2_rate"]
    assert plotly_values(ranked["error_x"]["array"]) == pytest.approx(upper.tolist())
    assert ranked["marker"]["symbol"] == "circle"
    low = expected[expected["is_low_sample"] & expected["csat_top2_rate"].notna()]
    if len(low):
        assert sorted(traces["Low sample (not ranked)"]["y"]) == sorted(low.index)
        assert traces["Low sample (not ranked)"]["marker"]["symbol"] == "circle-open"
    # Top to bottom: ranked lowest first, then the low samples (a team with no CSAT has no dot).
    shown = table_with(app, "team_name", "csat_rank")
    assert figure["layout"]["yaxis"]["categoryarray"] == list(shown[shown["csat_top2_rate"].notna()]["team_name"])


def test_filters_choose_week_teams_and_channels(pipeline_app_home):
    app = open_page(PAGE, allow_error=False)
    first_week = read_published(pipeline_app_home, "select min(week_start_date) as week "
                                                   "from marts.feedback_by_team_week").iloc[0]["week"].date()
    first_day, _ = contact_dates(pipeline_app_home)
    teams, channels = ["billing", "tier1_west"], ["email", "phone"]

    # A range inside the first week of feedback: the whole week is shown.
    sidebar_filters(app, dates=(max(first_day, first_week), first_week + timedelta(days=6)), channels=channels,
                    teams=teams, allow_error=False)

    assert app.selectbox(key="feedback_week").value == first_week
    assert_ranked_like_the_mart(table_with(app, "team_name", "csat_rank"),
                                team_rows(pipeline_app_home, first_week, teams), "team_name")
    shown_channels = table_with(app, "channel", "csat_rank")
    assert sorted(shown_channels["channel"]) == channels
    expected_channels = read_published(pipeline_app_home, "select * from marts.feedback_by_channel_week "
                                                          "where week_start_date = ? and list_contains(?, channel)",
                                       [first_week, channels])
    assert_ranked_like_the_mart(shown_channels, expected_channels, "channel")
    agents_in_teams = read_published(pipeline_app_home, """
        select distinct agent_id from marts.dim_agent_teams
        where list_contains(?, team_key) and valid_from_date < ?::date + 7
            and (valid_to_date is null or valid_to_date > ?)
    """, [teams, first_week, first_week])
    shown_agents = table_with(app, "agent_name", "csat_rank")
    expected_agents = read_published(pipeline_app_home, "select agent_id from marts.feedback_by_agent_week "
                                                        "where week_start_date = ? and list_contains(?, agent_id)",
                                     [first_week, agents_in_teams["agent_id"].tolist()])
    assert sorted(shown_agents["agent_id"]) == sorted(expected_agents["agent_id"])

    # The comments follow the channel and team filters; the theme counts (no such columns) do not.
    theme_key = app.selectbox(key="feedback_theme").value
    comments = table_with(app, "comment_text_redacted", "is_comment_redacted")
    expected_comments = read_published(pipeline_app_home, """
        select survey_response_id from marts.survey_comment_examples
        where is_contact_matched and week_start_date = ? and list_contains(theme_keys, ?)
            and list_contains(?, channel) and list_contains(?, team_key)
    """, [first_week, theme_key, channels, teams])
    assert len(expected_comments) > 0
    assert sorted(comments["survey_response_id"]) == sorted(expected_comments["survey_response_id"])
    assert set(comments["channel"]) <= set(channels) and set(comments["team_key"]) <= set(teams)


def test_drill_down_lists_the_responses_and_the_contacts_behind_a_team_week_and_an_agent_week(pipeline_app_home):
    app = open_page(PAGE, allow_error=False)
    week = latest_week(pipeline_app_home)
    teams = table_with(app, "team_name", "csat_rank")

    app.selectbox(key="drill_feedback_team").set_value(0).run()  # the first row: the lowest ranked team
    assert_no_exception(app, allow_error=False)
    responses = table_with(app, "survey_response_id", "csat_scale")
    assert len(responses) == int(teams.iloc[0]["response_count"])  # the mart's n
    assert set(responses["team_key"]) == {teams.iloc[0]["team_key"]}
    assert responses["csat_score"].dropna().is_monotonic_increasing  # lowest CSAT first
    assert f"{len(responses):,} surveyed contacts." in captions(app)

    app.radio(key="feedback_drill_mode").set_value("Every contact handled").run()
    assert_no_exception(app, allow_error=False)
    contacts = table_with(app, "contact_id", "is_handled")
    expected = read_published(pipeline_app_home, "select count(*) as n from marts.fct_contacts where team_key = ? "
                                                 "and contact_date between ? and ?",
                              [teams.iloc[0]["team_key"], week, week + timedelta(days=6)])
    total = int(expected.iloc[0]["n"])
    assert len(contacts) == min(total, 2000)
    assert f"{total:,} contacts" in captions(app)

    app.radio(key="feedback_drill_mode").set_value("Surveyed contacts, with their answers").run()
    agents = table_with(app, "agent_name", "csat_rank")
    app.selectbox(key="drill_feedback_agent").set_value(len(agents) - 1).run()  # an unranked one, if any
    assert_no_exception(app, allow_error=False)
    agent_responses = [element.value for element in app.dataframe
                       if {"survey_response_id", "csat_scale"} <= set(element.value.columns)
                       and set(element.value["agent_id"]) == {agents.iloc[-1]["agent_id"]}]
    assert len(agent_responses) == 1
    assert len(agent_responses[0]) == int(agents.iloc[-1]["response_count"])


def test_themes_of_the_week_and_the_comments_of_one_theme(pipeline_app_home):
    app = open_page(PAGE, allow_error=False)
    week = latest_week(pipeline_app_home)
    expected = read_published(pipeline_app_home,
                              "select * from marts.feedback_themes_weekly where week_start_date = ?", [week])

    themes = table_with(app, "theme_key", "mention_count")
    assert_ranked_like_the_mart(themes, expected, "theme_label", THEME_VALUES)
    by_key = expected.set_index("theme_key")
    # The default theme is the lowest-CSAT ranked one.
    assert app.selectbox(key="feedback_theme").value == themes.iloc[0]["theme_key"]

    theme_key = by_key["mention_count"].idxmax()
    app.selectbox(key="feedback_theme").set_value(theme_key).run()
    assert_no_exception(app, allow_error=False)
    comments = table_with(app, "comment_text_redacted", "is_comment_redacted")
    # Every channel and team selected: exactly the comments the mart counts.
    assert len(comments) == int(by_key.loc[theme_key, "mention_count"])
    assert all(theme_key in themes_of_comment.split(", ") for themes_of_comment in comments["themes"])
    scores = comments["csat_score"]
    scored = int(scores.notna().sum())
    assert scores.iloc[:scored].is_monotonic_increasing and scores.iloc[scored:].isna().all()  # lowest first, none last
    assert len(app.get("download_button")) >= 5  # channel, team, agent, theme and comment tables


def test_a_channel_without_responses_and_no_channel_at_all_say_what_to_do(pipeline_app_home):
    app = open_page(PAGE, allow_error=False)
    with_feedback = set(read_published(pipeline_app_home,
                                       "select distinct channel from marts.feedback_by_channel_week")["channel"])
    channels = widget(app.sidebar.multiselect, "Channels")
    silent = sorted(set(channels.options) - with_feedback)
    assert silent, "the fixture needs a channel without survey responses"

    channels.set_value(silent[:1]).run()
    assert_no_exception(app, allow_error=False)
    assert "No survey responses in the week" in infos(app)
    assert "No comment mentions" in infos(app)
    # Teams have no channel column: they are still shown, and the caption says the filter does not apply.
    assert len(table_with(app, "team_name", "csat_rank")) > 0
    assert "the channel filter does not" in captions(app)

    widget(app.sidebar.multiselect, "Channels").set_value([]).run()
    assert_no_exception(app, allow_error=False)
    assert any("Select at least one channel" in info.value for info in app.info)
    assert not app.dataframe and not app.get("plotly_chart")


def test_no_publication_explains_how_to_get_one(empty_home):
    app = open_page(PAGE, allow_error=False)
    assert any("csops run" in info.value for info in app.info)
    assert not app.dataframe
