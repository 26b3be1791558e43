"""The "Queues and staffing" page on a publication the pipeline built (``pipeline_home``).

Expected values are read straight from the publication file; the interval's local time is worked
out here with zoneinfo, independently of the page's SQL.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from csops.kernel.paths import CsopsHome
from tests.app.pages import (assert_no_exception, captions, contact_dates, open_page, plotly_values, read_published,
                             sidebar_filters, table_with, widget)

PAGE = "views/queues_staffing/__init__.py"
UTC = ZoneInfo("UTC")


def reporting_timezone(home: CsopsHome) -> str:
    return read_published(home, "select reporting_timezone from marts.build_parameters").iloc[0, 0]


def chart(app: AppTest, key: str) -> dict:
    found = [element for element in app.get("plotly_chart") if element.proto.id.endswith(f"-{key}")]
    assert len(found) == 1, f"no single chart {key}"
    return json.loads(found[0].proto.spec)


def week_rows(home: CsopsHome, monday: date, first: date | None = None, last: date | None = None) -> pd.DataFrame:
    return read_published(home, """
        select queue_name, interval_start_at, interval_date, offered_calls, service_level_rate
        from marts.queue_interval_metrics
        where interval_date between ? and ?
    """, [first or monday, last or monday + timedelta(days=6)])


def heatmap_cells(figure: dict) -> dict[tuple[str, str, str], float]:
    """(queue, day label, time label) -> the cell's value, for every cell that has one."""
    cells = {}
    for trace in figure["data"]:
        z = np.array(plotly_values(trace["z"]), dtype=float)
        for row_index, time_label in enumerate(trace["y"]):
            for column_index, day_label in enumerate(trace["x"]):
                if not np.isnan(z[row_index, column_index]):
                    cells[(trace["name"], day_label, time_label)] = float(z[row_index, column_index])
    return cells


def expected_cells(rows: pd.DataFrame, column: str, timezone: str) -> dict[tuple[str, str, str], float]:
    zone = ZoneInfo(timezone)
    expected = {}
    for row in rows.itertuples():
        if pd.isna(getattr(row, column)):
            continue
        local = row.interval_start_at.to_pydatetime().replace(tzinfo=UTC).astimezone(zone)
        assert local.date() == row.interval_date, "interval_date is the reporting-timezone date"
        expected[(row.queue_name, f"{local:%a %Y-%m-%d}", f"{local:%H:%M}")] = float(getattr(row, column))
    return expected


def test_heatmaps_show_the_latest_complete_week_cell_by_cell(pipeline_app_home):
    first, last = contact_dates(pipeline_app_home)
    mondays = sorted(read_published(pipeline_app_home,
                                    "select distinct date_trunc('week', interval_date)::date as monday "
                                    "from marts.queue_interval_metrics")["monday"].dt.date)
    complete = [monday for monday in mondays if monday >= first and monday + timedelta(days=6) <= last]
    expected_week = (complete or mondays)[-1]
    timezone = reporting_timezone(pipeline_app_home)
    app = open_page(PAGE)

    assert app.selectbox(key="queues_week").value.start_date == expected_week
    rows = week_rows(pipeline_app_home, expected_week)
    assert len(rows) > 0
    sl = chart(app, "queues_heatmap_sl")
    assert sorted(trace["name"] for trace in sl["data"]) == sorted(rows["queue_name"].unique())
    for key, column in (("queues_heatmap_sl", "service_level_rate"), ("queues_heatmap_offered", "offered_calls")):
        shown = heatmap_cells(chart(app, key))
        assert shown == pytest.approx(expected_cells(rows, column, timezone)), column
    assert f"**{timezone}**, the reporting timezone" in captions(app)
    assert "Teams filter does not apply" in captions(app)


def test_each_week_and_one_queue_draws_that_queues_mart_rows(pipeline_app_home):
    timezone = reporting_timezone(pipeline_app_home)
    app = open_page(PAGE)
    weeks = app.selectbox(key="queues_week").options
    queue_name = app.selectbox(key="queues_heatmap_queue").options[-1]
    app.selectbox(key="queues_heatmap_queue").set_value(queue_name).run()
    # Both weeks of the fixture: the earlier one holds the switch to daylight time.
    for index in range(len(weeks)):
        app.selectbox(key="queues_week").select_index(index).run()
        assert_no_exception(app)
        monday = app.selectbox(key="queues_week").value.start_date
        rows = week_rows(pipeline_app_home, monday)
        rows = rows[rows["queue_name"] == queue_name]
        figure = chart(app, "queues_heatmap_sl")
        assert [trace["name"] for trace in figure["data"]] == [queue_name]
        assert heatmap_cells(figure) == pytest.approx(expected_cells(rows, "service_level_rate", timezone))
        week_table = table_with(app, "interval_start_local_at", without=("is_understaffed",))
        assert len(week_table) == len(rows)
        assert set(week_table["queue_name"]) == {queue_name}


def test_staffing_shows_required_and_staffed_agents_and_marks_understaffed_intervals(pipeline_app_home):
    app = open_page(PAGE)
    queue_name = app.selectbox(key="queues_staffing_queue").options[-1]
    app.selectbox(key="queues_staffing_queue").set_value(queue_name).run()
    app.selectbox(key="queues_staffing_day").select_index(len(app.selectbox(key="queues_staffing_day").options) - 1)
    app.run()
    assert_no_exception(app)
    day = app.selectbox(key="queues_staffing_day").value

    expected = read_published(pipeline_app_home, """
        select interval_start_at, offered_calls, service_level_rate, required_agents, staffed_agents, is_understaffed
        from marts.queue_interval_metrics
        where queue_name = ? and interval_date = ?
        order by interval_start_at
    """, [queue_name, day])
    assert len(expected) > 0
    shown = table_with(app, "is_understaffed")
    pd.testing.assert_frame_equal(shown[list(expected.columns)].reset_index(drop=True), expected,
                                  check_dtype=False)
    figure = chart(app, "queues_staffing_chart")
    traces = {trace["name"]: trace for trace in figure["data"]}
    np.testing.assert_allclose(np.array(plotly_values(traces["Required (Erlang C)"]["y"]), dtype=float),
                               expected["required_agents"].astype(float))
    np.testing.assert_allclose(np.array(plotly_values(traces["Staffed (logged in)"]["y"]), dtype=float),
                               expected["staffed_agents"].astype(float))
    assert len(traces["Understaffed"]["x"]) == int(expected["is_understaffed"].sum())
    assert "Erlang C" in captions(app) and f"{int(expected['is_understaffed'].sum())} of the" in captions(app)


def test_interval_drill_down_lists_its_offered_calls(pipeline_app_home):
    app = open_page(PAGE)
    shown = table_with(app, "is_understaffed")
    offered = shown[shown["offered_calls"] > 0].reset_index(drop=True)
    row = offered.iloc[0]

    app.selectbox(key="drill_queues_staffing_interval").set_value(0).run()
    assert_no_exception(app)

    calls = table_with(app, "contact_record_id")
    assert len(calls) == int(row["offered_calls"]) > 0
    assert set(calls["queue_name"]) == {app.selectbox(key="queues_staffing_queue").value}
    assert set(pd.to_datetime(calls["interval_start_at"])) == {pd.Timestamp(row["interval_start_at"])}
    assert calls["is_offered"].all()
    assert any(button.proto.id.endswith("download_drill_queues_staffing_interval")
               for button in app.get("download_button"))


def test_date_filter_narrows_the_daily_table_and_trend_to_the_marts_rows(pipeline_app_home):
    first, last = contact_dates(pipeline_app_home)
    start, end = first + timedelta(days=2), last - timedelta(days=3)
    app = open_page(PAGE)

    sidebar_filters(app, dates=(start, end))

    expected = read_published(pipeline_app_home, """
        select queue_date, queue_name, offered_calls, abandoned_calls, short_abandoned_calls, abandon_rate,
            asa_seconds, service_level_rate
        from marts.queue_daily_metrics
        where queue_date between ? and ? and queue_name <> '(ivr)'
        order by queue_date desc, queue_name
    """, [start, end])
    assert len(expected) > 0
    shown = table_with(app, "queue_date")
    shown = shown.assign(queue_date=pd.to_datetime(shown["queue_date"]).dt.date)
    pd.testing.assert_frame_equal(shown[list(expected.columns)].reset_index(drop=True), expected,
                                  check_dtype=False)
    trend = chart(app, "queues_trend_chart")
    for trace in trend["data"]:
        if trace.get("name") not in set(expected["queue_name"]):
            continue
        queue_rows = expected[expected["queue_name"] == trace["name"]].sort_values("queue_date")
        assert trace["x"] == [day.isoformat() for day in queue_rows["queue_date"]]
        np.testing.assert_allclose(np.array(plotly_values(trace["y"]), dtype=float),
                                   queue_rows["abandon_rate"].astype(float))
    # The heatmap's weeks are those the range touches, and its cells stay inside the range.
    # Options are labelled "Mon 2026-03-02 to Sun 2026-03-08".
    mondays = {date.fromisoformat(label.split()[1]) for label in app.selectbox(key="queues_week").options}
    assert min(mondays) <= start and max(mondays) <= end
    week = app.selectbox(key="queues_week").value
    rows = week_rows(pipeline_app_home, week.start_date, max(start, week.start_date), min(end, week.end_date))
    assert heatmap_cells(chart(app, "queues_heatmap_offered")) == pytest.approx(
        expected_cells(rows, "offered_calls", reporting_timezone(pipeline_app_home)))


def test_day_drill_down_lists_offered_or_abandoned_calls(pipeline_app_home):
    app = open_page(PAGE)
    daily = table_with(app, "queue_date")
    candidates = daily[daily["offered_calls"] > 0].reset_index(drop=True)
    index = int((candidates["abandoned_calls"] + candidates["short_abandoned_calls"]).to_numpy().argmax())
    row = candidates.iloc[index]

    app.selectbox(key="drill_queues_day").set_value(index).run()
    assert_no_exception(app)
    calls = table_with(app, "contact_record_id")
    assert len(calls) == int(row["offered_calls"])
    assert set(calls["queue_name"]) == {row["queue_name"]}
    assert set(pd.to_datetime(calls["queue_date"]).dt.date) == {pd.Timestamp(row["queue_date"]).date()}

    app.checkbox(key="queues_abandoned_only").check().run()
    assert_no_exception(app)
    abandoned = table_with(app, "contact_record_id")
    assert len(abandoned) == int(row["abandoned_calls"] + row["short_abandoned_calls"]) > 0
    assert set(abandoned["queue_outcome"]) <= {"abandoned", "short_abandon"}


def test_teams_filter_does_not_apply_and_says_so(pipeline_app_home):
    app = open_page(PAGE)
    before = table_with(app, "queue_date")
    teams = widget(app.sidebar.multiselect, "Teams")

    teams.set_value(teams.value[:1]).run()  # options are the names, values the team keys
    assert_no_exception(app)
    pd.testing.assert_frame_equal(table_with(app, "queue_date"), before)
    assert any("Teams filter does not apply" in caption.value for caption in app.caption)


def test_without_phone_the_page_says_it_has_nothing_to_show(pipeline_app_home):
    app = open_page(PAGE)
    channels = widget(app.sidebar.multiselect, "Channels")

    channels.set_value([channel for channel in channels.options if channel != "phone"]).run()
    assert_no_exception(app)
    assert any("phone" in info.value and "nothing to show" in info.value for info in app.info)
    assert not app.get("plotly_chart") and not app.dataframe

    widget(app.sidebar.multiselect, "Channels").set_value(["phone"]).run()
    assert_no_exception(app)
    assert len(app.get("plotly_chart")) == 5


def test_no_publication_explains_how_to_get_one(empty_home):
    app = open_page(PAGE)
    assert any("csops run" in info.value for info in app.info)
    assert not app.get("plotly_chart")


def test_publication_without_queue_marts_names_them(published_home):
    app = open_page(PAGE)
    assert any("marts.queue_interval_metrics" in info.value for info in app.info)
    assert not app.get("plotly_chart")
