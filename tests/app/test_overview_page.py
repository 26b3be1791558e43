"""The overview on a real publication: its tiles are the mart's rows, filters change them, and a
KPI drills down to its records."""

from __future__ import annotations

from datetime import timedelta

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from csops.publication import read_current
from tests.app.test_csat_page import APP_ENTRY_POINT, widget

PAGE = "views/overview.py"


@pytest.fixture
def home(pipeline_home, monkeypatch):
    monkeypatch.setenv("CSOPS_HOME", str(pipeline_home.root))
    return pipeline_home


def published(home, sql: str, parameters: dict | None = None) -> pd.DataFrame:
    with duckdb.connect(str(read_current(home).path), read_only=True) as con:
        return con.execute(sql, parameters or {}).df()


def open_page() -> AppTest:
    app = AppTest.from_file(APP_ENTRY_POINT, default_timeout=60).run()
    app.switch_page(PAGE).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def shown_tiles(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def expected_tiles(home, week, scope: str) -> dict[str, str]:
    rows = published(home, "select kpi_label, unit, kpi_value from marts.kpi_overview_weekly "
                           "where week_start_date = $week and channel_scope = $scope", {"week": week, "scope": scope})
    def shown(row) -> str:
        if pd.isna(row["kpi_value"]):
            return "n/a"
        return {"rate": f"{row['kpi_value']:.1%}", "seconds": f"{row['kpi_value']:.0f} s"}.get(
            row["unit"], f"{row['kpi_value']:.0f}")
    return {row["kpi_label"]: shown(row) for _, row in rows.iterrows()}


def test_the_tiles_are_the_marts_latest_complete_week(home):
    app = open_page()
    (latest,) = published(home, """select max(week_start_date) from marts.kpi_overview_weekly
                                   where is_complete_week""").iloc[0]
    week = widget(app.selectbox, "Week").value
    assert week == latest.date()
    tiles = shown_tiles(app)
    assert len(tiles) == 7
    assert tiles == expected_tiles(home, week, "all")


def test_a_channel_and_an_earlier_week(home):
    app = open_page()
    earlier = widget(app.selectbox, "Week").value - timedelta(days=7)
    widget(app.selectbox, "Week").set_value(earlier).run()
    widget(app.selectbox, "Channels").set_value("phone").run()
    assert not app.exception
    assert widget(app.selectbox, "Week").value == earlier
    assert shown_tiles(app) == expected_tiles(home, earlier, "phone")


def test_the_sidebar_channel_filter_limits_the_channels_offered(home):
    app = open_page()
    widget(app.sidebar.multiselect, "Channels").set_value(["email"]).run()
    assert not app.exception
    assert widget(app.selectbox, "Channels").options == ["All channels", "email"]
    assert widget(app.selectbox, "Channels").value == "email"
    assert app.query_params["channel"] in ("email", ["email"])  # the view is in the address bar


def test_a_kpi_drills_down_to_its_records(home):
    app = open_page()
    week = widget(app.selectbox, "Week").value
    drill = widget(app.selectbox, "Show the records behind")
    csat = next(i for i, option in enumerate(drill.options) if option.startswith("CSAT"))
    drill.set_value(csat).run()
    assert not app.exception
    (contacts,) = published(home, "select count(*) from marts.fct_contacts where contact_date between $a and $b",
                            {"a": week, "b": week + timedelta(days=6)}).iloc[0]
    assert any(f"{contacts:,} records" in caption.value for caption in app.caption)
    assert len(app.get("download_button")) >= 2
