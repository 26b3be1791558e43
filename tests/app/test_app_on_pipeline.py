"""The app on a publication the pipeline built: what it shows is what the marts say."""

from __future__ import annotations

import pytest

from tests.app.pages import widget
from tests.app.test_csat_page import DAY, WEEK, assert_same_rows, published_csat_rows, run_app, shown_rows


@pytest.mark.parametrize("grain", [WEEK, DAY], ids=lambda grain: grain.label)
def test_csat_page_shows_the_marts_rows(pipeline_app_home, grain):
    app = run_app(grain)
    assert_same_rows(shown_rows(app), published_csat_rows(pipeline_app_home, grain=grain), grain)
    assert len(app.get("plotly_chart")) == 1


def test_channel_filter_on_pipeline_data(pipeline_app_home):
    app = run_app(DAY)
    widget(app.multiselect, "Channels").set_value(["phone"]).run()
    assert not app.exception
    assert_same_rows(shown_rows(app), published_csat_rows(pipeline_app_home, "channel = ?", ["phone"]))
