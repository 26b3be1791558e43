"""The "Agents and teams" page, run through AppTest on the pipeline's publication.

Expected values are read straight from the publication file. Where the small simulated
center cannot show a section (no robust z-score with 3 agents per team, no training cohort
in 14 days), a copy of its publication with a few hand-set mart values is published to a
second home: the page is the same code reading a real DuckDB file either way.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from csops.app.views import agents_teams
from csops.app.views.agents_teams import training
from csops.kernel.paths import CsopsHome
from csops.kernel.publication import publish, read_current
from tests.app.pages import (assert_no_exception, contact_dates, infos, kpi_labels, open_page, plotly_values,
                             read_published, sidebar_filters, table_with)

PAGE = "views/agents_teams/__init__.py"


# Helpers ---------------------------------------------------------------------------------------

def figure(app: AppTest, key: str) -> dict:
    charts = [chart for chart in app.get("plotly_chart") if chart.proto.id.endswith(f"-{key}")]
    assert len(charts) == 1, f"{len(charts)} charts keyed {key}"
    return json.loads(charts[0].proto.spec)


def has_chart(app: AppTest, key: str) -> bool:
    return any(chart.proto.id.endswith(f"-{key}") for chart in app.get("plotly_chart"))


def download_keys(app: AppTest) -> list[str]:
    return [button.key for button in app.get("download_button")]


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def team_keys(home: CsopsHome) -> list[str]:
    return read_published(home, "select team_key from marts.dim_teams order by team_key")["team_key"].tolist()


def expected_agents(home: CsopsHome, week: date, teams: list[str]) -> pd.DataFrame:
    """The mart's agent rows of ``week`` for agents with a dim_agent_teams spell in ``teams`` that week."""
    return read_published(home, """
        select performance.*, agents.agent_name
        from marts.agent_performance_weekly as performance
        left join marts.dim_agents as agents using (agent_id)
        where performance.week_start_date = ?
            and performance.agent_id in (
                select agent_id from marts.dim_agent_teams
                where list_contains(?, team_key)
                    and valid_from_date < ?::date + 7 and (valid_to_date is null or valid_to_date > ?)
            )
        order by performance.agent_id
    """, [week, teams, week, week])


def derived_home(source: CsopsHome, root: Path, edits: list[str]) -> CsopsHome:
    """A home whose publication is ``source``'s marts with ``edits`` (SQL) applied."""
    home = CsopsHome(root)
    source_path = str(read_current(source).path).replace("'", "''")
    with duckdb.connect(":memory:") as con:
        con.execute(f"attach '{source_path}' as source (read_only)")
        tables = [row[0] for row in con.execute(
            "select table_name from information_schema.tables where table_catalog = 'source' "
            "and table_schema = 'marts'").fetchall()]
        con.execute("create schema marts")
        for table in tables:
            con.execute(f'create table marts."{table}" as select * from source.marts."{table}"')
        con.execute("detach source")
        for sql in edits:
            con.execute(sql)
        publish(home, con, run_id="derived-for-test")
    return home


# Teams -----------------------------------------------------------------------------------------

def test_team_scorecards_show_the_mart_rows_of_the_chosen_teams_and_weeks(pipeline_app_home):
    _, last = contact_dates(pipeline_app_home)
    chosen_teams = team_keys(pipeline_app_home)[:2]
    start = last - timedelta(days=3)  # a later week only: whole weeks touching the range
    app = sidebar_filters(open_page(PAGE), dates=(start, last), teams=chosen_teams)

    expected = read_published(pipeline_app_home, """
        select performance.*, teams.team_name
        from marts.team_performance_weekly as performance
        inner join marts.dim_teams as teams using (team_key)
        where performance.week_start_date between ? and ? and list_contains(?, performance.team_key)
        order by week_start_date, team_key
    """, [monday(start), last, chosen_teams])
    assert len(expected) > 0
    shown = table_with(app, "team_name").sort_values(["week_start_date", "team_key"]).reset_index(drop=True)
    columns = ["week_start_date", "team_key", "team_name", "handled_contact_count", "aht_seconds", "occupancy_rate",
               "first_response_compliance_rate", "agent_work_compliance_rate", "reopen_rate", "escalation_rate",
               "operational_fcr_rate", "csat_response_count", "csat_top2_rate", "csat_top2_rate_ci95_low",
               "csat_top2_rate_ci95_high", "is_low_sample"]
    pd.testing.assert_frame_equal(shown[columns], expected[columns], check_dtype=False)

    # The chart: one line per chosen team, the mart's AHT per week (the default KPI).
    traces = {trace["name"]: trace for trace in figure(app, "people_team_chart")["data"]}
    assert sorted(traces) == sorted(expected["team_name"].unique())
    for team_name, team_rows in expected.groupby("team_name"):
        assert plotly_values(traces[team_name]["y"]) == pytest.approx(team_rows["aht_seconds"].tolist(),
                                                                      nan_ok=True)
    assert "download_people_teams" in download_keys(app)


def test_team_csat_chart_draws_the_mart_interval_and_hollow_low_sample_weeks(pipeline_app_home):
    app = open_page(PAGE)
    app.selectbox(key="people_team_kpi").set_value("csat_top2_rate").run()
    assert_no_exception(app)

    first, last = contact_dates(pipeline_app_home)
    expected = read_published(pipeline_app_home, """
        select performance.*, teams.team_name
        from marts.team_performance_weekly as performance
        inner join marts.dim_teams as teams using (team_key)
        where performance.week_start_date between ? and ?
        order by week_start_date
    """, [monday(first), last])
    traces = {trace["name"]: trace for trace in figure(app, "people_team_chart")["data"]}
    for team_name, team_rows in expected.groupby("team_name"):
        trace = traces[team_name]
        assert plotly_values(trace["y"]) == pytest.approx(team_rows["csat_top2_rate"].tolist(), nan_ok=True)
        upper = (team_rows["csat_top2_rate_ci95_high"] - team_rows["csat_top2_rate"]).tolist()
        assert plotly_values(trace["error_y"]["array"]) == pytest.approx(upper, nan_ok=True)
        hollow = [symbol.endswith("-open") for symbol in trace["marker"]["symbol"]]
        assert hollow == team_rows["is_low_sample"].astype(bool).tolist()
    assert any("Hollow markers are low-sample team-weeks" in caption.value for caption in app.caption)


def test_team_week_drill_down_lists_the_contacts_it_counts(pipeline_app_home):
    app = open_page(PAGE)
    teams = table_with(app, "team_name")
    row_index = int(teams["handled_contact_count"].to_numpy().argmax())
    row = teams.iloc[row_index]

    app.selectbox(key="drill_people_team_week").set_value(row_index).run()
    assert_no_exception(app)

    contacts = table_with(app, "contact_id")
    week = row["week_start_date"]
    expected = read_published(pipeline_app_home, """
        select contact_id from marts.fct_contacts
        where team_key = ? and contact_date between ? and ?::date + 6 and is_inbound and is_handled
    """, [row["team_key"], week, week])
    assert len(contacts) == int(row["handled_contact_count"]) == len(expected)
    assert set(contacts["contact_id"]) == set(expected["contact_id"])
    assert set(contacts["team_key"]) == {row["team_key"]}
    assert "download_drill_people_team_week" in download_keys(app)


# Agents ----------------------------------------------------------------------------------------

def test_agent_scorecard_shows_the_latest_week_of_the_chosen_teams_agents(pipeline_app_home):
    first, last = contact_dates(pipeline_app_home)
    chosen_teams = team_keys(pipeline_app_home)[:2]
    app = sidebar_filters(open_page(PAGE), teams=chosen_teams)

    latest_week = read_published(pipeline_app_home, "select max(week_start_date) as week_start_date "
                                                    "from marts.agent_performance_weekly where week_start_date <= ?",
                                 [last]).iloc[0]["week_start_date"]
    assert app.selectbox(key="people_week").value == latest_week
    expected = expected_agents(pipeline_app_home, latest_week, chosen_teams)
    assert len(expected) > 0
    shown = table_with(app, "agent_name").sort_values("agent_id").reset_index(drop=True)
    columns = ["week_start_date", "agent_id", "agent_name", "handled_contact_count", "answered_calls", "aht_seconds",
               "occupancy_rate", "operational_fcr_rate", "csat_response_count", "csat_top2_rate", "is_low_sample"]
    pd.testing.assert_frame_equal(shown[columns], expected[columns], check_dtype=False)
    names = read_published(pipeline_app_home,
                           "select team_name from marts.dim_teams where list_contains(?, team_key)",
                           [chosen_teams])["team_name"]
    assert set(shown["team_names"]) <= set(names)
    assert "download_people_agents" in download_keys(app)

    # Another week: its own rows.
    weeks = read_published(pipeline_app_home, "select distinct week_start_date from marts.agent_performance_weekly "
                                              "where week_start_date between ? and ? order by 1",
                           [monday(first), last])
    earliest = weeks["week_start_date"].iloc[0]
    assert earliest != latest_week
    app.selectbox(key="people_week").set_value(earliest).run()
    assert_no_exception(app)
    shown = table_with(app, "agent_name")
    assert sorted(shown["agent_id"]) == sorted(expected_agents(pipeline_app_home, earliest, chosen_teams)["agent_id"])
    assert set(shown["week_start_date"]) == {earliest}


def test_agent_distributions_hold_the_agents_values_of_the_week(pipeline_app_home):
    app = open_page(PAGE)
    agents = table_with(app, "agent_name")
    traces = figure(app, "people_distribution_chart")["data"]

    def values(name: str) -> list[float]:
        return sorted(v for trace in traces if trace["name"] == name for v in plotly_values(trace.get("x", [])))

    assert values("AHT (s)") == pytest.approx(sorted(agents["aht_seconds"].dropna()))
    fcr_label = kpi_labels(pipeline_app_home)["operational_fcr_rate"]
    assert values(fcr_label) == pytest.approx(sorted(agents["operational_fcr_rate"].dropna()))
    low = agents["is_low_sample"].astype(bool)
    assert values("CSAT: low sample") == pytest.approx(sorted(agents.loc[low, "csat_top2_rate"].dropna()))
    assert values("CSAT: sample of min_responses or more") == pytest.approx(
        sorted(agents.loc[~low, "csat_top2_rate"].dropna()))


def test_agent_week_drill_down_lists_the_contacts_it_counts(pipeline_app_home):
    app = open_page(PAGE)
    agents = table_with(app, "agent_name")
    row_index = int(agents["handled_contact_count"].to_numpy().argmax())
    row = agents.iloc[row_index]

    app.selectbox(key="drill_people_agent_week").set_value(row_index).run()
    assert_no_exception(app)

    contacts = table_with(app, "contact_id")
    assert len(contacts) == int(row["handled_contact_count"]) > 0
    assert set(contacts["agent_id"]) == {row["agent_id"]}
    week = row["week_start_date"]
    assert all(week <= pd.Timestamp(day).date() <= week + timedelta(days=6) for day in contacts["contact_date"])
    assert "download_drill_people_agent_week" in download_keys(app)


# Outliers --------------------------------------------------------------------------------------

def test_outlier_section_follows_the_published_mart(pipeline_app_home):
    """On the pipeline's own publication: the scores when an agent has one, else why not."""
    app = open_page(PAGE)
    agents = table_with(app, "agent_name")
    if agents[["aht_robust_z_score", "operational_fcr_robust_z_score", "csat_top2_robust_z_score"]].isna().all().all():
        assert "No agent of this selection has a robust z-score this week" in infos(app)
        assert not has_chart(app, "people_outlier_chart")
    else:
        assert has_chart(app, "people_outlier_chart")


def test_outliers_chart_the_mart_scores_and_list_flagged_agents_but_not_low_sample_csat(pipeline_app_home, tmp_path,
                                                                                        monkeypatch):
    _, last = contact_dates(pipeline_app_home)
    week = read_published(pipeline_app_home, "select max(week_start_date) as week_start_date "
                                             "from marts.agent_performance_weekly where week_start_date <= ?",
                          [last]).iloc[0]["week_start_date"]
    agents = read_published(pipeline_app_home, "select agent_id, is_low_sample, csat_top2_rate "
                                               "from marts.agent_performance_weekly "
                                               "where week_start_date = ? order by agent_id", [week])
    low = agents[agents["is_low_sample"].astype(bool) & agents["csat_top2_rate"].notna()]
    assert len(agents) >= 3 and len(low) >= 1
    low_csat = int(low["agent_id"].iloc[-1])
    others = agents[agents["agent_id"] != low_csat]
    aht_outlier, fcr_scored = int(others["agent_id"].iloc[0]), int(others["agent_id"].iloc[1])
    # Hand-set scores, as the mart would state them: an AHT outlier, an FCR score within
    # the threshold, and a CSAT score beyond it whose CSAT rests on a low sample (no flag: the
    # mart never flags a low sample).
    derived = derived_home(pipeline_app_home, tmp_path / "scored", [
        "update marts.agent_performance_weekly set aht_robust_z_score = null, is_aht_outlier = null, "
        "operational_fcr_robust_z_score = null, is_operational_fcr_outlier = null, csat_top2_robust_z_score = null, "
        "is_csat_top2_outlier = null, is_any_outlier = false, outlier_robust_z_threshold = 3.5",
        f"update marts.agent_performance_weekly set aht_robust_z_score = 4.25, is_aht_outlier = true, "
        f"is_any_outlier = true where agent_id = {aht_outlier} and week_start_date = '{week}'",
        f"update marts.agent_performance_weekly set operational_fcr_robust_z_score = -1.5, "
        f"is_operational_fcr_outlier = false where agent_id = {fcr_scored} and week_start_date = '{week}'",
        f"update marts.agent_performance_weekly set csat_top2_robust_z_score = -5.0, is_csat_top2_outlier = false "
        f"where agent_id = {low_csat} and week_start_date = '{week}'",
    ])
    monkeypatch.setenv("CSOPS_HOME", str(derived.root))

    app = open_page(PAGE)

    traces = {trace["name"]: trace for trace in figure(app, "people_outlier_chart")["data"]}
    names = kpi_labels(pipeline_app_home)
    assert plotly_values(traces["AHT (s)"]["x"]) == [4.25]
    assert plotly_values(traces[names["operational_fcr_rate"]]["x"]) == [-1.5]
    assert plotly_values(traces[names["csat_top2_rate"]]["x"]) == [-5.0]
    assert traces[names["csat_top2_rate"]]["marker"]["symbol"] == ["circle-open"]  # low sample: hollow, not red
    flagged = table_with(app, "outlier_on")
    assert flagged["agent_id"].tolist() == [aht_outlier]  # not the low-sample CSAT one
    assert flagged["outlier_on"].tolist() == ["AHT (s)"]
    assert "download_people_outliers" in download_keys(app)

    app.selectbox(key="drill_people_outlier_week").set_value(0).run()
    assert_no_exception(app)
    handled = int(flagged.iloc[0]["handled_contact_count"])
    assert len(table_with(app, "contact_id")) == handled


def test_scores_without_an_outlier_say_no_agent_stands_out(pipeline_app_home, tmp_path, monkeypatch):
    derived = derived_home(pipeline_app_home, tmp_path / "calm", [
        "update marts.agent_performance_weekly set aht_robust_z_score = 0.5, is_aht_outlier = false, "
        "operational_fcr_robust_z_score = null, is_operational_fcr_outlier = null, "
        "csat_top2_robust_z_score = null, is_csat_top2_outlier = null, is_any_outlier = false",
    ])
    monkeypatch.setenv("CSOPS_HOME", str(derived.root))

    app = open_page(PAGE)

    assert has_chart(app, "people_outlier_chart")
    assert any("No agent of this selection is an outlier" in success.value for success in app.success)
    assert not [frame for frame in app.dataframe if "outlier_on" in frame.value.columns]


# Training --------------------------------------------------------------------------------------

TRAINING_ROWS = [
    # training, completed, kpi, trained n, control n, trained before/after, control before/after, DiD, low, high, shown
    ("Coaching", "2026-02-02", "aht_seconds", 6, 6, 480.0, 400.0, 470.0, 468.0, -78.0, -101.5, -54.5, True),
    ("Coaching", "2026-02-02", "operational_fcr_rate", 6, 6, 0.80, 0.86, 0.81, 0.80, 0.07, 0.01, 0.13, True),
    ("Coaching", "2026-02-02", "csat_top2_rate", 6, 6, 0.70, 0.78, 0.69, 0.70, 0.07, -0.02, 0.16, True),
    # Too few trained agents: the mart publishes no estimate.
    ("Safety", "2026-02-09", "aht_seconds", 3, 9, "null", "null", "null", "null", "null", "null", "null", False),
]


def test_training_cohorts_show_the_mart_estimates_and_hide_the_small_ones(pipeline_app_home, tmp_path, monkeypatch):
    values = ", ".join(
        f"('{name}', '{day}'::date, '{kpi}', {n}, {m}, {tb}, {ta}, {cb}, {ca}, {did}, {low}, {high}, {shown}, "
        "true, 4, 5)"
        for name, day, kpi, n, m, tb, ta, cb, ca, did, low, high, shown in TRAINING_ROWS)
    derived = derived_home(pipeline_app_home, tmp_path / "trained", [
        "delete from marts.training_impact",
        f"insert into marts.training_impact (training_name, completed_on, kpi, trained_agent_count, "
        f"control_agent_count, trained_before_value, trained_after_value, control_before_value, control_after_value, "
        f"difference_in_differences, difference_ci95_low, difference_ci95_high, is_shown, is_window_complete, "
        f"training_window_weeks, training_min_agents) values {values}",
    ])
    monkeypatch.setenv("CSOPS_HOME", str(derived.root))

    app = open_page(PAGE)

    # The shown cohort: before/after of both sides and the DiD with its interval, per KPI.
    traces = figure(app, "people_training_Coaching_2026-02-02")["data"]
    trained = [trace for trace in traces if trace.get("name") == "Trained agents"]
    control = [trace for trace in traces if trace.get("name") == "Other agents"]
    differences = [trace for trace in traces if trace.get("error_x")]
    shown_rows = [row for row in TRAINING_ROWS if row[-1]]
    assert [plotly_values(trace["y"]) for trace in trained] == [pytest.approx([row[5], row[6]]) for row in shown_rows]
    assert [plotly_values(trace["y"]) for trace in control] == [pytest.approx([row[7], row[8]]) for row in shown_rows]
    assert [plotly_values(trace["x"]) for trace in differences] == [pytest.approx([row[9]]) for row in shown_rows]
    assert [plotly_values(trace["error_x"]["array"]) for trace in differences] == [
        pytest.approx([row[11] - row[9]]) for row in shown_rows]
    assert not has_chart(app, "people_training_Safety_2026-02-09")

    # The small cohort is explained, and its estimates are never shown (n/a), not even in the table.
    assert "Safety (2026-02-09, 3 trained)" in infos(app)
    tables = [frame.value for frame in app.dataframe if "kpi_label" in frame.value.columns]
    rows = pd.concat(tables)
    safety = rows[rows["training_name"] == "Safety"].iloc[0]
    assert safety[list(training.TRAINING_ESTIMATES)].isna().all()
    coaching_aht = rows[(rows["training_name"] == "Coaching") & (rows["kpi"] == "aht_seconds")].iloc[0]
    assert coaching_aht["difference_in_differences"] == pytest.approx(-78.0)
    assert coaching_aht["difference_ci95_low"] == pytest.approx(-101.5)
    assert {"download_people_training_aht", "download_people_training_rates"} <= set(download_keys(app))


def test_training_section_on_the_pipeline_publication(pipeline_app_home):
    app = open_page(PAGE)
    rows = read_published(pipeline_app_home, "select * from marts.training_impact")
    if rows.empty:  # 14 days leave no 4-week window either side of a completion
        assert "No training cohort to compare yet" in infos(app)
    else:
        for (name, day), cohort in rows[rows["is_shown"]].groupby(["training_name", "completed_on"]):
            assert has_chart(app, f"people_training_{name}_{day}")


# Empty states ----------------------------------------------------------------------------------

def test_no_channel_or_no_team_chosen_shows_what_to_do(pipeline_app_home):
    app = sidebar_filters(open_page(PAGE), channels=[])
    assert "Select at least one channel" in infos(app)
    assert not app.dataframe

    app = sidebar_filters(open_page(PAGE), teams=[])
    assert "Select at least one channel" in infos(app)
    assert not app.get("plotly_chart")


def test_one_channel_chosen_says_the_marts_have_no_channel(pipeline_app_home):
    channels = read_published(pipeline_app_home, "select min(channel) as channel from marts.dim_channels")
    channel = channels.iloc[0]["channel"]
    app = sidebar_filters(open_page(PAGE), channels=[channel])
    assert any(caption.value == agents_teams.NO_CHANNEL_FILTER for caption in app.caption)
    assert len(table_with(app, "team_name")) > 0


def test_a_team_without_agents_that_week_shows_an_info(pipeline_app_home, tmp_path, monkeypatch):
    """A team in dim_teams whose agents left: its scorecards are empty, the page says so."""
    derived = derived_home(pipeline_app_home, tmp_path / "empty_team", [
        "insert into marts.dim_teams (team_key, team_name) values ('night_shift', 'Night Shift')",
    ])
    monkeypatch.setenv("CSOPS_HOME", str(derived.root))

    app = sidebar_filters(open_page(PAGE), teams=["night_shift"])

    assert "No team-week for the chosen teams" in infos(app)
    assert "No agent of the chosen teams has a row" in infos(app)
    assert not app.get("plotly_chart") or not has_chart(app, "people_team_chart")
