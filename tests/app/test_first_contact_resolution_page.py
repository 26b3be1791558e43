"""The "First contact resolution" page on a publication the pipeline built: every rate and count
it shows is the FCR marts' (read back from the publication file), under the sidebar's filters,
and each drill-down lists exactly the contacts the mart counted."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from csops.app.data.fcr import CONTACT_SETS, FCR_GRAINS, FCR_MEASURE_COLUMNS, REPEAT_GROUPS, REPEAT_PATHS
from csops.kernel.paths import CsopsHome
from tests.app.pages import (assert_no_exception, captions, contact_dates, open_page, plotly_values, read_published,
                             sidebar_filters, table_with, widget)

PAGE = "views/first_contact_resolution/__init__.py"
REPEAT_GROUP_COLUMNS, REPEAT_PATH_COLUMNS = REPEAT_GROUPS.columns, REPEAT_PATHS.columns
WEEK_PICKER = "Week for repeat contacts and agents"
DRILL_PICKER = "Show the contacts behind"
CONTACT_SET_PICKER = "Contacts to list in the drill-down"
ELIGIBLE, CAME_BACK, WINDOW_OPEN, EVERY_INBOUND = CONTACT_SETS


def channel_table(app: AppTest) -> pd.DataFrame:
    return table_with(app, "channel", "operational_fcr_rate", without=("contact_id",))


def team_table(app: AppTest) -> pd.DataFrame:
    return table_with(app, "team_key", "operational_fcr_rate", without=("contact_id",))


def agent_table(app: AppTest) -> pd.DataFrame:
    return table_with(app, "agent_name", "operational_fcr_rate", without=("contact_id",))


def group_table(app: AppTest) -> pd.DataFrame:
    return table_with(app, "repeat_rate", "issue_category", without=("next_channel", "contact_id"))


def path_table(app: AppTest) -> pd.DataFrame:
    return table_with(app, "next_channel", "repeat_contact_count")


def normalised(frame: pd.DataFrame, keys: list[str], values: list[str]) -> pd.DataFrame:
    frame = frame[keys + [value for value in values if value not in keys]].copy()
    for column in keys:
        if column.endswith("_date"):
            frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame.sort_values(keys).reset_index(drop=True)


def assert_same(shown: pd.DataFrame, expected: pd.DataFrame, keys: list[str], values) -> None:
    assert len(expected) > 0
    pd.testing.assert_frame_equal(normalised(shown, keys, list(values)), normalised(expected, keys, list(values)),
                                  check_dtype=False)


def charts(app: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def grid(encoded) -> list[list[float]]:
    """A Plotly 2-D array (a heatmap's z) as rows of floats, None as NaN."""
    return np.array(plotly_values(encoded), dtype=float).tolist()


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def busiest_path_week(home: CsopsHome) -> date:
    """The week of the repeat-paths mart with the most repeats (the fixture's first full week)."""
    weeks = read_published(home, """
        select week_start_date, sum(repeat_contact_count) as repeats
        from marts.fcr_repeat_paths_weekly group by all order by repeats desc, week_start_date
    """)
    assert weeks.iloc[0]["repeats"] > 0
    return weeks.iloc[0]["week_start_date"]


def choose_week(app: AppTest, week: date) -> AppTest:
    widget(app.selectbox, WEEK_PICKER).set_value(week).run()
    assert_no_exception(app)
    return app


def drill_pickers(app: AppTest) -> list:
    return [picker for picker in app.selectbox if picker.label == DRILL_PICKER]


def drill(app: AppTest, index: int, label_start: str, contact_set: str | None = None) -> pd.DataFrame:
    """In the ``index``-th drill-down, pick the row whose label starts with ``label_start`` (and, for
    the drill-downs that offer it, the set of contacts); return the records listed. Any other
    drill-down left open is closed first, so that one list of records shows."""
    for other, picker in enumerate(drill_pickers(app)):
        if other != index and picker.value is not None:
            picker.select_index(None).run()
    if contact_set is not None:
        sets = [radio for radio in app.radio if radio.label == CONTACT_SET_PICKER]
        sets[index].set_value(contact_set).run()
    picker = drill_pickers(app)[index]
    option = next(position for position, option in enumerate(picker.options) if option.startswith(label_start))
    picker.select_index(option).run()
    assert_no_exception(app)
    return table_with(app, "contact_id")


def test_channel_and_team_trends_are_the_marts_rows(pipeline_app_home):
    app = open_page(PAGE)

    assert app.title[0].value == "First contact resolution"
    first_day, last_day = contact_dates(pipeline_app_home)
    expected = read_published(pipeline_app_home,
                              "select * from marts.fcr_by_channel_week where week_start_date between ? and ?",
                              [week_of(first_day), last_day])
    assert_same(channel_table(app), expected, ["week_start_date", "channel"], FCR_MEASURE_COLUMNS)
    # Every team is selected: team "unknown" (contacts no team handled) comes too.
    teams = read_published(pipeline_app_home,
                           "select * from marts.fcr_by_team_week where week_start_date between ? and ?",
                           [week_of(first_day), last_day])
    assert "unknown" in set(teams["team_key"])
    assert_same(team_table(app), teams, ["week_start_date", "team_key"], FCR_MEASURE_COLUMNS)

    # The trend draws the mart's operational rate (left) and survey rate (right) per channel, and the target.
    channel_chart = charts(app)[0]
    for channel, rows in expected.sort_values("week_start_date").groupby("channel"):
        operational, survey = [trace for trace in channel_chart["data"] if trace["name"] == channel]
        assert plotly_values(operational["y"]) == pytest.approx(rows["operational_fcr_rate"].tolist(), nan_ok=True)
        assert plotly_values(survey["y"]) == pytest.approx(rows["survey_fcr_rate"].tolist(), nan_ok=True)
        assert operational["xaxis"] == "x" and survey["xaxis"] == "x2"
    target = read_published(pipeline_app_home,
                            "select target_value from marts.dim_kpis where kpi_name = 'operational_fcr_rate'")
    assert [shape["y0"] for shape in channel_chart["layout"]["shapes"]] == [target.iloc[0]["target_value"]]

    # Weeks whose windows are still open are said to be incomplete, and drawn hollow.
    open_weeks = sorted(expected.loc[expected["window_open_contact_count"] > 0, "week_start_date"].unique())
    assert open_weeks, "the fixture's last week should still have open windows"
    assert "Hollow markers are incomplete weeks" in captions(app)
    assert all(str(week) in captions(app) for week in open_weeks)
    assert len(app.get("download_button")) >= 4


def test_daily_grain_shows_fcr_by_channel_day(pipeline_app_home):
    app = open_page(PAGE)
    widget(app.radio, "Grain").set_value(FCR_GRAINS[1]).run()
    assert_no_exception(app)
    first_day, last_day = contact_dates(pipeline_app_home)
    expected = read_published(pipeline_app_home,
                              "select * from marts.fcr_by_channel_day where contact_date between ? and ?",
                              [first_day, last_day])
    assert_same(channel_table(app), expected, ["contact_date", "channel"], FCR_MEASURE_COLUMNS)


def test_filters_apply_to_every_mart_that_has_the_dimension(pipeline_app_home):
    first_day, last_day = contact_dates(pipeline_app_home)
    # From the first Monday: the week the data's first day belongs to drops out.
    dates = (first_day + timedelta(days=(7 - first_day.weekday()) % 7), last_day)
    assert week_of(dates[0]) > week_of(first_day)
    channels = ["email", "phone"]
    team = sorted(read_published(pipeline_app_home, "select team_key from marts.dim_teams")["team_key"])[0]
    app = sidebar_filters(open_page(PAGE), dates=dates, channels=channels, teams=[team])

    expected = read_published(pipeline_app_home, """
        select * from marts.fcr_by_channel_week
        where week_start_date between ? and ? and list_contains(?, channel)
    """, [week_of(dates[0]), dates[1], channels])
    assert_same(channel_table(app), expected, ["week_start_date", "channel"], FCR_MEASURE_COLUMNS)
    teams = read_published(pipeline_app_home, "select * from marts.fcr_by_team_week "
                                              "where week_start_date between ? and ? and team_key = ?",
                           [week_of(dates[0]), dates[1], team])
    assert_same(team_table(app), teams, ["week_start_date", "team_key"], FCR_MEASURE_COLUMNS)
    assert "The channel filter does not apply here" in captions(app)
    assert "The team filter does not apply here" in captions(app)

    week = busiest_path_week(pipeline_app_home)
    assert week >= dates[0]
    choose_week(app, week)
    groups = read_published(pipeline_app_home, f"""
        select distinct {", ".join(REPEAT_GROUP_COLUMNS)} from marts.fcr_repeat_paths_weekly
        where week_start_date = ? and list_contains(?, channel)
    """, [week, channels])
    assert_same(group_table(app), groups, ["channel", "issue_category"], REPEAT_GROUP_COLUMNS)
    agents = read_published(pipeline_app_home, """
        select fcr.* from marts.fcr_by_agent_week as fcr
        where fcr.week_start_date = ? and fcr.agent_id in (
            select agent_id from marts.fct_contacts
            where is_inbound and contact_date between ? and ? and team_key = ?)
    """, [week, week, week + timedelta(days=6), team])
    assert_same(agent_table(app), agents, ["agent_id"], FCR_MEASURE_COLUMNS)


def test_repeat_paths_of_a_week(pipeline_app_home):
    app = open_page(PAGE)
    week = busiest_path_week(pipeline_app_home)
    first_day, last_day = contact_dates(pipeline_app_home)
    weeks = read_published(pipeline_app_home,
                           "select week_start_date, max(window_open_contact_count) as open_contacts "
                           "from marts.fcr_by_channel_week where week_start_date between ? and ? group by all",
                           [week_of(first_day), last_day])
    # The page opens on the latest week whose windows have all closed.
    complete = weeks[weeks["open_contacts"] == 0]["week_start_date"]
    default_week = max(complete) if len(complete) else max(weeks["week_start_date"])
    assert widget(app.selectbox, WEEK_PICKER).value == default_week

    choose_week(app, week)
    paths = read_published(pipeline_app_home, f"""
        select {", ".join(REPEAT_PATH_COLUMNS)} from marts.fcr_repeat_paths_weekly
        where week_start_date = ? and next_channel is not null
    """, [week])
    assert_same(path_table(app), paths, ["channel", "issue_category", "next_channel"], REPEAT_PATH_COLUMNS)

    # The Sankey's bands are the week's repeat counts from channel to next channel.
    sankey = next(chart for chart in charts(app) if chart["data"][0]["type"] == "sankey")["data"][0]
    labels = sankey["node"]["label"]
    drawn = {(labels[source].split(" ")[0], labels[target].split(" ")[0]): value for source, target, value in zip(
        plotly_values(sankey["link"]["source"]), plotly_values(sankey["link"]["target"]),
        plotly_values(sankey["link"]["value"]))}
    expected = paths.groupby(["channel", "next_channel"])["repeat_contact_count"].sum().to_dict()
    assert drawn == expected

    # The heatmap draws each group's repeat rate as the mart states it.
    heatmap = next(chart for chart in charts(app) if chart["data"][0]["type"] == "heatmap")["data"][0]
    groups = read_published(pipeline_app_home, "select distinct channel, issue_category, repeat_rate "
                                               "from marts.fcr_repeat_paths_weekly where week_start_date = ?", [week])
    cells = grid(heatmap["z"])
    for row in groups.itertuples():
        cell = cells[list(heatmap["y"]).index(row.issue_category)][list(heatmap["x"]).index(row.channel)]
        assert cell == pytest.approx(row.repeat_rate, nan_ok=True)


def test_drill_downs_list_the_contacts_the_marts_counted(pipeline_app_home):
    app = open_page(PAGE)
    first_day, last_day = contact_dates(pipeline_app_home)
    week_rows = read_published(pipeline_app_home,
                               "select * from marts.fcr_by_channel_week where week_start_date between ? and ? "
                               "order by fcr_eligible_contact_count desc", [week_of(first_day), last_day])
    row = week_rows.iloc[0]
    label = f"{row['week_start_date']} {row['channel']}:"

    contacts = drill(app, 0, label)
    assert len(contacts) == row["fcr_eligible_contact_count"]
    assert set(contacts["channel"]) == {row["channel"]}
    assert contacts["is_first_contact_resolved"].sum() == row["first_contact_resolved_count"]
    came_back = drill(app, 0, label, CAME_BACK)
    assert len(came_back) == row["fcr_eligible_contact_count"] - row["first_contact_resolved_count"]
    assert came_back["repeat_contact_count"].gt(0).all()
    assert len(drill(app, 0, label, EVERY_INBOUND)) == row["inbound_contact_count"]
    assert f"{int(row['inbound_contact_count']):,} contacts" in captions(app)

    open_row = week_rows.sort_values("window_open_contact_count", ascending=False).iloc[0]
    assert open_row["window_open_contact_count"] > 0
    open_label = f"{open_row['week_start_date']} {open_row['channel']}:"
    assert len(drill(app, 0, open_label, WINDOW_OPEN)) == open_row["window_open_contact_count"]

    # A path (week, channel, category -> next channel): its repeat_contact_count contacts, each
    # of whose first repeat was on that channel.
    week = busiest_path_week(pipeline_app_home)
    choose_week(app, week)
    path = read_published(pipeline_app_home,
                          "select * from marts.fcr_repeat_paths_weekly where week_start_date = ? "
                          "and next_channel is not null order by repeat_contact_count desc", [week]).iloc[0]
    path_label = f"{path['channel']} / {path['issue_category']} -> {path['next_channel']}:"
    path_pickers = [index for index, picker in enumerate(drill_pickers(app))
                    if any(option.startswith(path_label) for option in picker.options)]
    contacts = drill(app, path_pickers[0], path_label)
    assert len(contacts) == path["repeat_contact_count"]
    assert set(contacts["first_repeat_channel"]) == {path["next_channel"]}
    assert not contacts["is_first_contact_resolved"].any()


def test_empty_states(pipeline_app_home):
    mart_channels = set(read_published(pipeline_app_home,
                                       "select distinct channel from marts.fcr_by_channel_week")["channel"])
    channels = set(read_published(pipeline_app_home, "select channel from marts.dim_channels")["channel"])
    idle = sorted(channels - mart_channels)
    if idle:  # a channel the center has but no contact came through: nothing to show, said so
        app = sidebar_filters(open_page(PAGE), channels=idle[:1])
        assert any("No contacts in the selected channels" in info.value for info in app.info)

    app = sidebar_filters(open_page(PAGE), channels=[])
    assert any("Select at least one channel" in info.value for info in app.info)
    # The team sections still show: they do not depend on the channel filter.
    assert len(team_table(app)) > 0

    app = sidebar_filters(app, teams=[])
    assert any("Select at least one team" in info.value for info in app.info)
    assert not app.dataframe
