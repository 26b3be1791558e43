"""The "Customer feedback" page on a publication the pipeline built (``pipeline_home``), run
through Streamlit's AppTest. Expected values are read straight from the publication file."""

from __future__ import annotations

import base64
import json
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from csops.paths import CsopsHome
from csops.publication import read_current

APP_ENTRY_POINT = Path(__file__).resolve().parents[2] / "app" / "streamlit_app.py"
PAGE = "views/customer_feedback.py"
NOT_RANKED = "not ranked"


@pytest.fixture
def home(pipeline_home, monkeypatch) -> CsopsHome:
    monkeypatch.setenv("CSOPS_HOME", str(pipeline_home.root))
    return pipeline_home


def open_page() -> AppTest:
    app = AppTest.from_file(APP_ENTRY_POINT, default_timeout=60).run()
    app.switch_page(PAGE).run()
    assert_no_exception(app)
    return app


def assert_no_exception(app: AppTest) -> None:
    assert not app.exception, [exception.value for exception in app.exception]
    assert not app.error, [error.value for error in app.error]


def read(home: CsopsHome, sql: str, parameters: list | None = None) -> pd.DataFrame:
    with duckdb.connect(str(read_current(home).path), read_only=True) as con:
        return con.execute(sql, parameters or []).df()


def sidebar_widget(widgets, label: str):
    return next(widget for widget in widgets if widget.label == label)


def table(app: AppTest, *columns: str) -> pd.DataFrame:
    """The one table on the page that has all these columns."""
    found = [element.value for element in app.dataframe if set(columns) <= set(element.value.columns)]
    assert len(found) == 1, f"{len(found)} tables with {columns}"
    return found[0]


def captions(app: AppTest) -> str:
    return "\n".join(caption.value for caption in app.caption)


def plotly_values(encoded) -> list:
    """A Plotly array as a list: Plotly sends numeric arrays base64-encoded."""
    if isinstance(encoded, dict):
        return np.frombuffer(base64.b64decode(encoded["bdata"]), dtype=encoded["dtype"]).tolist()
    return list(encoded)


def chart(app: AppTest, key: str) -> dict:
    charts = [element for element in app.get("plotly_chart") if element.proto.id and key in element.proto.id]
    assert len(charts) == 1, f"{len(charts)} charts keyed {key}"
    return json.loads(charts[0].proto.spec)


def team_rows(home: CsopsHome, week: date, teams: list[str] | None = None) -> pd.DataFrame:
    return read(home, """
        select feedback.*, teams.team_name
        from marts.feedback_by_team_week as feedback
        inner join marts.dim_teams as teams on feedback.team_key = teams.team_key
        where feedback.week_start_date = ? and (? is null or list_contains(?, feedback.team_key))
    """, [week, teams, teams])


def latest_week(home: CsopsHome) -> date:
    return read(home, "select max(week_start_date) as week from marts.feedback_by_team_week").iloc[0]["week"].date()


FEEDBACK_VALUES = ("response_count", "csat_response_count", "csat_top2_rate", "csat_top2_rate_ci95_low",
                   "csat_top2_rate_ci95_high", "nps", "ces_mean_score", "response_rate")
THEME_VALUES = ("mention_count", "comment_share_rate", "csat_response_count", "csat_top2_rate",
                "csat_top2_rate_ci95_low", "csat_top2_rate_ci95_high", "sentiment_mean_score")


def assert_ranked_like_the_mart(shown: pd.DataFrame, expected: pd.DataFrame, name: str,
                                values: tuple[str, ...] = FEEDBACK_VALUES) -> None:
    """Same rows and values as the mart; ranked rows (enough responses) by rate, lowest first,
    numbered 1..k; then the low-sample rows, unranked, by name."""
    is_ranked = ~expected["is_low_sample"].astype(bool) & expected["csat_top2_rate"].notna()
    ranked = expected[is_ranked].sort_values(["csat_top2_rate", name])
    unranked = expected[~is_ranked].sort_values(name)
    assert list(shown[name]) == list(ranked[name]) + list(unranked[name])
    assert list(shown["csat_rank"]) == [str(rank) for rank in range(1, len(ranked) + 1)] + [NOT_RANKED] * len(unranked)
    in_order = pd.concat([ranked, unranked], ignore_index=True)
    for column in values:
        assert shown[column].astype(float).tolist() == pytest.approx(in_order[column].astype(float).tolist(),
                                                                      nan_ok=True), column
    assert shown["is_low_sample"].astype(bool).tolist() == in_order["is_low_sample"].astype(bool).tolist()


def test_latest_week_ranks_channels_teams_and_agents_as_the_marts_state_them(home):
    app = open_page()
    week = latest_week(home)

    assert app.selectbox(key="feedback_week").value == week
    assert_ranked_like_the_mart(table(app, "team_name", "csat_rank"), team_rows(home, week), "team_name")
    channels = read(home, "select * from marts.feedback_by_channel_week where week_start_date = ?", [week])
    assert_ranked_like_the_mart(table(app, "channel", "csat_rank"), channels, "channel")
    agents = read(home, """
        select feedback.*, agents.agent_name
        from marts.feedback_by_agent_week as feedback
        inner join marts.dim_agents as agents on feedback.agent_id = agents.agent_id
        where feedback.week_start_date = ?
    """, [week])
    assert len(agents) > 0
    assert_ranked_like_the_mart(table(app, "agent_name", "csat_rank"), agents, "agent_name")
    # The link to the CSAT trend page, not a repeat of it.
    assert "[CSAT by channel](csat-by-channel" in captions(app)
    assert "not ranked" in captions(app)

    earlier = app.selectbox(key="feedback_week").options[0]  # the week picker: another week of the range
    app.selectbox(key="feedback_week").set_value(earlier).run()
    assert_no_exception(app)
    earlier_week = date.fromisoformat(earlier)
    assert earlier_week < week
    assert_ranked_like_the_mart(table(app, "team_name", "csat_rank"), team_rows(home, earlier_week), "team_name")


def test_team_chart_draws_mart_rates_and_intervals_with_low_samples_hollow_and_unranked(home):
    app = open_page()
    expected = team_rows(home, latest_week(home)).set_index("team_name")

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
    shown = table(app, "team_name", "csat_rank")
    assert figure["layout"]["yaxis"]["categoryarray"] == list(shown[shown["csat_top2_rate"].notna()]["team_name"])


def test_filters_choose_week_teams_and_channels(home):
    app = open_page()
    first_week = read(home, "select min(week_start_date) as week from marts.feedback_by_team_week").iloc[0]["week"]
    first_week = first_week.date()
    first_day = read(home, "select min(contact_date) as day from marts.fct_contacts").iloc[0]["day"].date()
    teams, channels = ["billing", "tier1_west"], ["email", "phone"]

    # A range inside the first week of feedback: the whole week is shown.
    sidebar_widget(app.sidebar.date_input, "Contact dates").set_value(
        (max(first_day, first_week), first_week + timedelta(days=6)))
    sidebar_widget(app.sidebar.multiselect, "Teams").set_value(teams)
    sidebar_widget(app.sidebar.multiselect, "Channels").set_value(channels).run()
    assert_no_exception(app)

    assert app.selectbox(key="feedback_week").value == first_week
    assert_ranked_like_the_mart(table(app, "team_name", "csat_rank"), team_rows(home, first_week, teams),
                                "team_name")
    shown_channels = table(app, "channel", "csat_rank")
    assert sorted(shown_channels["channel"]) == channels
    expected_channels = read(home, "select * from marts.feedback_by_channel_week where week_start_date = ? "
                                   "and list_contains(?, channel)", [first_week, channels])
    assert_ranked_like_the_mart(shown_channels, expected_channels, "channel")
    agents_in_teams = read(home, """
        select distinct agent_id from marts.dim_agent_teams
        where list_contains(?, team_key) and valid_from_date < ?::date + 7
            and (valid_to_date is null or valid_to_date > ?)
    """, [teams, first_week, first_week])
    shown_agents = table(app, "agent_name", "csat_rank")
    expected_agents = read(home, "select agent_id from marts.feedback_by_agent_week where week_start_date = ? "
                                 "and list_contains(?, agent_id)", [first_week, agents_in_teams["agent_id"].tolist()])
    assert sorted(shown_agents["agent_id"]) == sorted(expected_agents["agent_id"])

    # The comments follow the channel and team filters; the theme counts (no such columns) do not.
    theme_key = app.selectbox(key="feedback_theme").value
    comments = table(app, "comment_text_redacted", "is_comment_redacted")
    expected_comments = read(home, """
        select survey_response_id from marts.survey_comment_examples
        where is_contact_matched and week_start_date = ? and list_contains(theme_keys, ?)
            and list_contains(?, channel) and list_contains(?, team_key)
    """, [first_week, theme_key, channels, teams])
    assert len(expected_comments) > 0
    assert sorted(comments["survey_response_id"]) == sorted(expected_comments["survey_response_id"])
    assert set(comments["channel"]) <= set(channels) and set(comments["team_key"]) <= set(teams)


def test_drill_down_lists_the_responses_and_the_contacts_behind_a_team_week_and_an_agent_week(home):
    app = open_page()
    week = latest_week(home)
    teams = table(app, "team_name", "csat_rank")

    app.selectbox(key="drill_feedback_team").set_value(0).run()  # the first row: the lowest ranked team
    assert_no_exception(app)
    responses = table(app, "survey_response_id", "csat_scale")
    assert len(responses) == int(teams.iloc[0]["response_count"])  # the mart's n
    assert set(responses["team_key"]) == {teams.iloc[0]["team_key"]}
    assert responses["csat_score"].dropna().is_monotonic_increasing  # lowest CSAT first
    assert f"{len(responses):,} surveyed contacts." in captions(app)

    app.radio(key="feedback_drill_mode").set_value("Every contact handled").run()
    assert_no_exception(app)
    contacts = table(app, "contact_id", "is_handled")
    expected = read(home, "select count(*) as n from marts.fct_contacts where team_key = ? "
                          "and contact_date between ? and ?",
                    [teams.iloc[0]["team_key"], week, week + timedelta(days=6)])
    total = int(expected.iloc[0]["n"])
    assert len(contacts) == min(total, 2000)
    assert f"{total:,} contacts" in captions(app)

    app.radio(key="feedback_drill_mode").set_value("Surveyed contacts, with their answers").run()
    agents = table(app, "agent_name", "csat_rank")
    app.selectbox(key="drill_feedback_agent").set_value(len(agents) - 1).run()  # an unranked one, if any
    assert_no_exception(app)
    agent_responses = [element.value for element in app.dataframe
                       if {"survey_response_id", "csat_scale"} <= set(element.value.columns)
                       and set(element.value["agent_id"]) == {agents.iloc[-1]["agent_id"]}]
    assert len(agent_responses) == 1
    assert len(agent_responses[0]) == int(agents.iloc[-1]["response_count"])


def test_themes_of_the_week_and_the_comments_of_one_theme(home):
    app = open_page()
    week = latest_week(home)
    expected = read(home, "select * from marts.feedback_themes_weekly where week_start_date = ?", [week])

    themes = table(app, "theme_key", "mention_count")
    assert_ranked_like_the_mart(themes, expected, "theme_label", THEME_VALUES)
    by_key = expected.set_index("theme_key")
    # The default theme is the lowest-CSAT ranked one.
    assert app.selectbox(key="feedback_theme").value == themes.iloc[0]["theme_key"]

    theme_key = by_key["mention_count"].idxmax()
    app.selectbox(key="feedback_theme").set_value(theme_key).run()
    assert_no_exception(app)
    comments = table(app, "comment_text_redacted", "is_comment_redacted")
    # Every channel and team selected: exactly the comments the mart counts.
    assert len(comments) == int(by_key.loc[theme_key, "mention_count"])
    assert all(theme_key in themes_of_comment.split(", ") for themes_of_comment in comments["themes"])
    scores = comments["csat_score"]
    scored = int(scores.notna().sum())
    assert scores.iloc[:scored].is_monotonic_increasing and scores.iloc[scored:].isna().all()  # lowest first, none last
    assert len(app.get("download_button")) >= 5  # channel, team, agent, theme and comment tables


def test_a_channel_without_responses_and_no_channel_at_all_say_what_to_do(home):
    app = open_page()
    with_feedback = set(read(home, "select distinct channel from marts.feedback_by_channel_week")["channel"])
    channels = sidebar_widget(app.sidebar.multiselect, "Channels")
    silent = sorted(set(channels.options) - with_feedback)
    assert silent, "the fixture needs a channel without survey responses"

    channels.set_value(silent[:1]).run()
    assert_no_exception(app)
    infos = " ".join(info.value for info in app.info)
    assert "No survey responses in the week" in infos
    assert "No comment mentions" in infos
    # Teams have no channel column: they are still shown, and the caption says the filter does not apply.
    assert len(table(app, "team_name", "csat_rank")) > 0
    assert "the channel filter does not" in captions(app)

    sidebar_widget(app.sidebar.multiselect, "Channels").set_value([]).run()
    assert_no_exception(app)
    assert any("Select at least one channel" in info.value for info in app.info)
    assert not app.dataframe and not app.get("plotly_chart")


def test_no_publication_explains_how_to_get_one(empty_home):
    app = open_page()
    assert any("csops run" in info.value for info in app.info)
    assert not app.dataframe
