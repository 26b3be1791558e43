"""The overview on a real publication: its tiles are the mart's rows, filters change them, and a
KPI drills down to its records."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.pages import assert_no_exception, open_page, read_published, sidebar_filters, widget

PAGE = "views/overview.py"
UNIT_SUFFIXES = {"seconds": " s", "minutes": " min"}


def shown_tiles(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def expected_tiles(home, week, scope: str, area: str | None = None) -> dict[str, str]:
    rows = read_published(home, """
        select overview.kpi_label, overview.unit, overview.kpi_value, registry.display_format
        from marts.kpi_overview_weekly as overview
        inner join marts.dim_kpis as registry using (kpi_name)
        where overview.week_start_date = $week and overview.channel_scope = $scope
            and ($area is null or registry.kpi_area = $area)
    """, {"week": week, "scope": scope, "area": area})

    def shown(row) -> str:
        """The value in the registry's format (d3's, which Python's format reads alike), then its unit
        where the format does not carry it ("12.0 s", "95 min")."""
        if pd.isna(row["kpi_value"]):
            return "n/a"
        return f"{row['kpi_value']:{row['display_format']}}" + UNIT_SUFFIXES.get(row["unit"], "")
    return {row["kpi_label"]: shown(row) for _, row in rows.iterrows()}


def test_the_tiles_are_the_marts_latest_complete_week(pipeline_app_home):
    app = open_page(PAGE)
    (latest,) = read_published(pipeline_app_home, """select max(week_start_date) from marts.kpi_overview_weekly
                                                     where is_complete_week""").iloc[0]
    week = widget(app.selectbox, "Week").value
    assert week == latest.date()
    tiles = shown_tiles(app)
    assert len(tiles) >= 7  # the contract's seven KPIs, and any the registry adds
    assert tiles == expected_tiles(pipeline_app_home, week, "all")


def test_a_channel_and_an_earlier_week(pipeline_app_home):
    app = open_page(PAGE)
    earlier = widget(app.selectbox, "Week").value - timedelta(days=7)
    widget(app.selectbox, "Week").set_value(earlier).run()
    widget(app.selectbox, "Channels").set_value("phone").run()
    assert_no_exception(app)
    assert widget(app.selectbox, "Week").value == earlier
    assert shown_tiles(app) == expected_tiles(pipeline_app_home, earlier, "phone")


def test_the_sidebar_channel_filter_limits_the_channels_offered(pipeline_app_home):
    app = open_page(PAGE)
    sidebar_filters(app, channels=["email"])
    assert widget(app.selectbox, "Channels").options == ["All channels", "email"]
    assert widget(app.selectbox, "Channels").value == "email"
    assert app.query_params["channel"] in ("email", ["email"])  # the view is in the address bar


def test_a_kpi_drills_down_to_its_records(pipeline_app_home):
    app = open_page(PAGE)
    week = widget(app.selectbox, "Week").value
    drill = widget(app.selectbox, "Show the records behind")
    csat = next(i for i, option in enumerate(drill.options) if option.startswith("CSAT"))
    drill.set_value(csat).run()
    assert_no_exception(app)
    (contacts,) = read_published(pipeline_app_home,
                                 "select count(*) from marts.fct_contacts where contact_date between $a and $b",
                                 {"a": week, "b": week + timedelta(days=6)}).iloc[0]
    assert any(f"{contacts:,} records" in caption.value for caption in app.caption)
    assert len(app.get("download_button")) >= 2


@pytest.mark.parametrize(("page", "area"), [
    ("views/sla_backlog/__init__.py", "tickets"),
    ("views/queues_staffing/__init__.py", "queues"),
    ("views/first_contact_resolution/__init__.py", "contacts"),
    ("views/customer_feedback/__init__.py", "feedback"),
])
def test_each_page_shows_the_registrys_kpis_of_its_area(pipeline_app_home, page, area):
    """A KPI the registry gives an area is a tile on that page too (the latest complete week, all
    channels): adding a KPI's registry row shows it there with no page edited."""
    app = open_page(page)
    assert_no_exception(app)
    (latest,) = read_published(pipeline_app_home, """select max(week_start_date) from marts.kpi_overview_weekly
                                                     where is_complete_week""").iloc[0]
    expected = expected_tiles(pipeline_app_home, latest, "all", area)
    assert expected, f"the registry gives the {area} page at least one KPI"
    shown = shown_tiles(app)
    assert {label: shown.get(label) for label in expected} == expected
    other_areas = set(expected_tiles(pipeline_app_home, latest, "all")) - set(expected)
    assert not other_areas & set(shown)  # only its own area's KPIs
