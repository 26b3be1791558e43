"""The "CSAT by channel" page, run through Streamlit's AppTest against real DuckDB files.

Expected values are read from the publication file itself, so these tests hold for
any fixture that returns a published CsopsHome, synthetic or built by the pipeline.
"""

from __future__ import annotations

import json
from datetime import datetime

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from csops.app.data import PeriodGrain
from csops.app.data.feedback import CSAT_GRAINS
from csops.kernel.paths import CsopsHome
from csops.kernel.publication import publish, read_current
from tests.app.pages import APP_ENTRY_POINT, assert_no_exception, captions, plotly_values, read_published, widget

WEEK, DAY = CSAT_GRAINS  # the page opens on the first, weekly


CSAT_PAGE = "views/csat_by_channel.py"


def run_app(grain: PeriodGrain = DAY) -> AppTest:
    """The app, run once, showing ``grain`` (picked in the page's "Grain" choice if needed)."""
    app = AppTest.from_file(APP_ENTRY_POINT, default_timeout=30).run()
    app.switch_page(CSAT_PAGE).run()
    assert_no_exception(app)
    if app.radio and grain != CSAT_GRAINS[0]:
        widget(app.radio, "Grain").set_value(grain).run()
        assert_no_exception(app)
    return app


def published_csat_rows(
    home: CsopsHome, where: str = "true", parameters: list | None = None, grain: PeriodGrain = DAY
) -> pd.DataFrame:
    return read_published(
        home,
        f"select {grain.read.select()} from marts.{grain.mart} where {where} "
        f"order by {grain.period_column}, channel",
        parameters,
    )


def shown_rows(app: AppTest) -> pd.DataFrame:
    """The rows of the page's table."""
    assert len(app.dataframe) == 1
    return app.dataframe[0].value


def assert_same_rows(shown: pd.DataFrame, expected: pd.DataFrame, grain: PeriodGrain = DAY) -> None:
    """The table shows exactly the mart's rows, with the mart's values."""

    def normalised(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame[list(grain.read.columns)].copy()
        frame[grain.period_column] = pd.to_datetime(frame[grain.period_column]).dt.date
        frame["is_low_sample"] = frame["is_low_sample"].astype(bool)
        return frame.sort_values([grain.period_column, "channel"]).reset_index(drop=True)

    pd.testing.assert_frame_equal(normalised(shown), normalised(expected), check_dtype=False)


def plotly_figure(app: AppTest) -> dict:
    charts = app.get("plotly_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


def test_page_shows_chart_and_every_mart_row(published_home):
    app = run_app()

    assert app.title[0].value == "CSAT by channel"
    assert plotly_figure(app)["data"], "the chart has no traces"
    assert_same_rows(shown_rows(app), published_csat_rows(published_home))
    assert len(app.get("download_button")) == 1


def test_page_opens_weekly_on_the_weekly_mart(published_home):
    app = AppTest.from_file(APP_ENTRY_POINT, default_timeout=30).run()
    app.switch_page(CSAT_PAGE).run()

    assert_no_exception(app)
    assert widget(app.radio, "Grain").value == WEEK
    assert_same_rows(shown_rows(app), published_csat_rows(published_home, grain=WEEK), WEEK)
    assert "Hollow markers are low-sample weeks" in captions(app)


def test_weekly_date_filter_shows_whole_weeks_touching_the_range(published_home):
    days = sorted(pd.to_datetime(published_csat_rows(published_home)["contact_date"]).dt.date.unique())
    app = run_app(WEEK)
    last_day = days[-1]  # a week's later day: its whole week, from its Monday, is shown

    widget(app.date_input, "Contact dates").set_value((last_day, last_day)).run()

    assert_no_exception(app)
    expected = published_csat_rows(
        published_home, "week_start_date = date_trunc('week', ?::date)", [last_day], grain=WEEK
    )
    assert len(expected) > 0
    assert_same_rows(shown_rows(app), expected, WEEK)


def test_chart_draws_mart_rates_with_intervals_and_hollow_low_sample_markers(published_home):
    app = run_app()
    figure = plotly_figure(app)
    expected = published_csat_rows(published_home)

    traces = {trace["name"]: trace for trace in figure["data"]}
    assert sorted(traces) == sorted(expected["channel"].unique())
    for channel, channel_rows in expected.groupby("channel"):
        trace = traces[channel]
        assert plotly_values(trace["y"]) == pytest.approx(channel_rows["csat_top2_rate"].tolist())
        upper_error = channel_rows["csat_top2_rate_ci95_high"] - channel_rows["csat_top2_rate"]
        assert plotly_values(trace["error_y"]["array"]) == pytest.approx(upper_error.tolist())
        hollow = [symbol.endswith("-open") for symbol in trace["marker"]["symbol"]]
        assert hollow == channel_rows["is_low_sample"].astype(bool).tolist()
    assert "Hollow markers are low-sample days" in captions(app)


def test_channel_filter_leaves_only_that_channels_rows(published_home):
    app = run_app()
    channel = sorted(published_csat_rows(published_home)["channel"].unique())[0]

    widget(app.multiselect, "Channels").set_value([channel]).run()

    assert_no_exception(app)
    assert_same_rows(shown_rows(app), published_csat_rows(published_home, "channel = ?", [channel]))


def test_date_filter_narrows_rows(published_home):
    all_rows = published_csat_rows(published_home)
    dates = sorted(pd.to_datetime(all_rows["contact_date"]).dt.date.unique())
    assert len(dates) >= 2, "the fixture needs at least two contact dates"
    app = run_app()

    widget(app.date_input, "Contact dates").set_value((dates[1], dates[-1])).run()

    assert_no_exception(app)
    expected = published_csat_rows(published_home, "contact_date between ? and ?", [dates[1], dates[-1]])
    assert 0 < len(expected) < len(all_rows)
    assert_same_rows(shown_rows(app), expected)


def test_sidebar_shows_as_of_time_and_parameters_of_the_build(published_home):
    parameters = read_published(
        published_home, "select * from marts.build_parameters order by built_at desc limit 1"
    ).iloc[0]
    app = run_app()

    sidebar_text = "\n".join(markdown.value for markdown in app.sidebar.markdown)
    assert f"{parameters['as_of_at']:%Y-%m-%d %H:%M} UTC" in sidebar_text
    # Values as code spans: literal, whatever a parameter holds.
    assert f"`min_responses` = `{parameters['min_responses']}`" in sidebar_text
    assert f"`reporting_timezone` = `{parameters['reporting_timezone']}`" in sidebar_text


def test_no_publication_explains_how_to_get_one(empty_home):
    app = run_app()

    assert any("csops run" in info.value for info in app.info)
    assert not app.get("plotly_chart")
    assert not app.dataframe


def test_deselecting_every_channel_shows_info_not_error(published_home):
    app = run_app()

    widget(app.multiselect, "Channels").set_value([]).run()

    assert_no_exception(app)
    assert not app.error
    assert any("Select at least one channel" in info.value for info in app.info)
    assert not app.dataframe


def test_new_publication_is_picked_up_without_restart(published_home):
    first_app = run_app()
    first_channels = set(shown_rows(first_app)["channel"])
    dropped_channel = sorted(first_channels)[0]

    new_as_of_at = publish_variant(published_home, dropped_channel)

    for app in (first_app.run(), run_app()):  # the open session's rerun, and a new session
        assert_no_exception(app)
        assert set(shown_rows(app)["channel"]) == first_channels - {dropped_channel}
        sidebar_text = "\n".join(markdown.value for markdown in app.sidebar.markdown)
        assert f"{new_as_of_at:%Y-%m-%d %H:%M} UTC" in sidebar_text


def publish_variant(home: CsopsHome, dropped_channel: str) -> datetime:
    """Publish a copy of the current marts without one channel and a day later as-of."""
    publication = read_current(home)
    with duckdb.connect(":memory:") as con:
        con.execute(f"attach '{publication.path}' as previous (read_only)")
        con.execute("create schema marts")
        for table in publication.tables:
            con.execute(f'create table marts."{table}" as select * from previous.marts."{table}"')
        con.execute("detach previous")
        for grain in CSAT_GRAINS:
            con.execute(f"delete from marts.{grain.mart} where channel = ?", [dropped_channel])
        con.execute("update marts.build_parameters set as_of_at = as_of_at + interval 1 day")
        (new_as_of_at,) = con.execute(
            "select as_of_at from marts.build_parameters order by built_at desc limit 1"
        ).fetchone()
        publish(home, con, run_id="test-run-2")
    return new_as_of_at
