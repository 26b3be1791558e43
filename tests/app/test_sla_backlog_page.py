"""The "SLA and backlog" page on a publication the pipeline built: every row, rate and count it
shows is the marts' (read back from the publication file), under the sidebar's filters."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from csops.kernel.paths import CsopsHome
from tests.app.pages import (assert_no_exception, contact_dates, infos, open_page, plotly_values, read_published,
                             sidebar_filters, table_with, widget)

PAGE = "views/sla_backlog/__init__.py"
COMPLIANCE_KEYS = ["created_date", "ticket_priority", "channel", "team_key"]
COMPLIANCE_VALUES = ["policy_hours", "target_minutes", "ticket_count", "met_count", "breached_count",
                     "in_flight_count", "unmeasured_count", "sla_compliance_rate"]
BACKLOG_KEYS = ["backlog_date", "team_key", "channel"]
BACKLOG_VALUES = ["backlog_ticket_count", "backlog_age_p50_hours", "backlog_age_p90_hours", "created_ticket_count",
                  "solve_count", "reopen_count"]


def normalised(frame: pd.DataFrame, keys: list[str], values: list[str]) -> pd.DataFrame:
    frame = frame[keys + values].copy()
    for column in keys:
        if column.endswith("_date"):
            frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame.sort_values(keys).reset_index(drop=True)


def charts(app: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


@pytest.fixture
def narrowed(pipeline_app_home):
    """Filters that leave part of everything: two ticket channels, two teams, the middle days."""
    compliance = read_published(pipeline_app_home, "select * from marts.ticket_sla_compliance_daily")
    channels = compliance["channel"].value_counts().index[:2].tolist()
    teams = sorted(read_published(pipeline_app_home, "select team_key from marts.dim_teams")["team_key"])[:2]
    days = sorted(compliance["created_date"].unique())
    assert len(days) >= 5 and len(channels) == 2
    return {"dates": (days[2], days[-3]), "channels": channels, "teams": teams}


def expected_compliance(home: CsopsHome, sla_kind: str, filters: dict) -> pd.DataFrame:
    return read_published(home, """
        select * from marts.ticket_sla_compliance_daily
        where sla_kind = ? and created_date between ? and ? and list_contains(?, channel) and list_contains(?, team_key)
    """, [sla_kind, *filters["dates"], filters["channels"], filters["teams"]])


def test_compliance_table_and_trend_are_the_marts_rows_under_the_filters(pipeline_app_home, narrowed):
    app = sidebar_filters(open_page(PAGE), **narrowed)

    for sla_kind in ("first_response", "agent_work"):
        widget(app.radio, "SLA").set_value(sla_kind).run()
        assert_no_exception(app)
        expected = expected_compliance(pipeline_app_home, sla_kind, narrowed)
        assert len(expected) > 0
        shown = table_with(app, "sla_compliance_rate")
        pd.testing.assert_frame_equal(normalised(shown, COMPLIANCE_KEYS, COMPLIANCE_VALUES),
                                      normalised(expected, COMPLIANCE_KEYS, COMPLIANCE_VALUES), check_dtype=False)
        # The trend: one trace per priority (the default colour), its points the mart's daily rates.
        trend = charts(app)[0]
        traces = {trace["name"]: trace for trace in trend["data"]}
        assert sorted(traces) == sorted(expected["ticket_priority"].unique())
        for priority, priority_rows in expected.groupby("ticket_priority"):
            shown_rates = sorted(value for value in plotly_values(traces[priority]["y"]) if value == value)
            assert shown_rates == pytest.approx(sorted(priority_rows["sla_compliance_rate"].dropna()))


def test_colour_by_team_draws_one_trace_per_team_and_the_heatmap_one_line_per_row_key(pipeline_app_home, narrowed):
    app = sidebar_filters(open_page(PAGE), **narrowed)

    widget(app.radio, "Colour by").set_value("Team").run()

    assert_no_exception(app)
    expected = expected_compliance(pipeline_app_home, "first_response", narrowed)
    names = dict(read_published(pipeline_app_home, "select team_key, team_name from marts.dim_teams").to_numpy())
    trend, heatmap = charts(app)[:2]
    expected_names = sorted(names[key] for key in expected["team_key"].unique())
    assert sorted(trace["name"] for trace in trend["data"]) == expected_names
    assert heatmap["data"][0]["type"] == "heatmap"
    assert len(heatmap["data"][0]["y"]) == len(expected[["ticket_priority", "channel", "team_key"]].drop_duplicates())


def test_compliance_drill_down_lists_the_tickets_of_the_row(pipeline_app_home, narrowed):
    app = sidebar_filters(open_page(PAGE), **narrowed)
    expected = expected_compliance(pipeline_app_home, "first_response", narrowed)
    row = expected.sort_values(["breached_count", "ticket_count"], ascending=False).iloc[0]
    day_rows = (expected[expected["created_date"] == row["created_date"]]
                .assign(rank=lambda rows: rows["ticket_priority"].map({"urgent": 0, "high": 1, "normal": 2, "low": 3}))
                .sort_values(["rank", "channel", "team_key"]).reset_index(drop=True))
    index = int(day_rows.index[(day_rows["ticket_priority"] == row["ticket_priority"])
                               & (day_rows["channel"] == row["channel"])
                               & (day_rows["team_key"] == row["team_key"])][0])

    app.selectbox(key="sla_drill_day").set_value(row["created_date"]).run()
    app.selectbox(key="drill_sla_compliance").set_value(index).run()

    assert_no_exception(app)
    tickets = table_with(app, "ticket_id", "sla_status")
    assert len(tickets) == row["ticket_count"]
    assert set(tickets["sla_kind"]) == {"first_response"}
    assert set(tickets["channel"]) == {row["channel"]} and set(tickets["team_key"]) == {row["team_key"]}
    assert (tickets["sla_status"] == "met").sum() == row["met_count"]
    assert (tickets["sla_status"] == "breached").sum() == row["breached_count"]
    assert any(button.proto.label.startswith("Download") for button in app.get("download_button")
               if "drill_sla_compliance" in button.proto.id)


def test_breaches_in_flight_ignore_the_dates_and_follow_channels_and_teams(pipeline_app_home):
    every_breach = read_published(pipeline_app_home, """
        select * from marts.fct_ticket_slas where sla_status = 'breached' and not is_completed
    """)
    assert len(every_breach) > 0, "the simulated center should have tickets breaching at the as-of time"
    channels = every_breach["channel"].value_counts().index[:2].tolist()
    teams = every_breach["team_key"].value_counts().index[:2].tolist()
    first_day, _ = contact_dates(pipeline_app_home)
    # Only the first day's tickets: breaches in flight are a snapshot at the as-of time, whatever their day.
    app = sidebar_filters(open_page(PAGE), dates=(first_day, first_day), channels=channels, teams=teams)
    breaching = every_breach[every_breach["channel"].isin(channels) & every_breach["team_key"].isin(teams)]
    assert (breaching["created_date"] > first_day).any()

    metrics = {metric.label: metric.value for metric in app.metric}
    for sla_kind, label in (("first_response", "First response"), ("agent_work", "Agent work (resolution)")):
        assert metrics[f"{label}: breaching now"] == f"{int((breaching['sla_kind'] == sla_kind).sum()):,} tickets"
    shown = table_with(app, "ticket_id", "elapsed_sla_minutes", without=("sla_status",))
    assert sorted(zip(shown["ticket_id"], shown["sla_kind"])) == sorted(zip(breaching["ticket_id"],
                                                                            breaching["sla_kind"]))
    assert shown["created_at"].is_monotonic_increasing  # the oldest first
    counts = table_with(app, "breached_in_flight_count")
    expected_counts = breaching.groupby(["sla_kind", "team_key", "ticket_priority"]).size()
    assert dict(zip(zip(counts["sla_kind"], counts["team_key"], counts["ticket_priority"]),
                    counts["breached_in_flight_count"])) == expected_counts.to_dict()
    bars = [trace for trace in charts(app) if trace["data"][0]["type"] == "bar"][0]["data"]
    assert sum(sum(plotly_values(bar["y"])) for bar in bars) == len(breaching)

    app.selectbox(key="drill_sla_breaches").set_value(0).run()

    assert_no_exception(app)
    first = counts.iloc[0]
    tickets = table_with(app, "ticket_id", "sla_status")
    assert len(tickets) == first["breached_in_flight_count"]
    assert set(tickets["sla_status"]) == {"breached"} and not tickets["is_completed"].any()
    assert set(tickets["team_key"]) == {first["team_key"]} and set(tickets["channel"]) <= set(channels)


def test_every_team_and_channel_shows_every_compliance_row_of_the_range(pipeline_app_home):
    app = open_page(PAGE)

    expected = read_published(pipeline_app_home, """
        select * from marts.ticket_sla_compliance_daily
        where sla_kind = 'first_response' and created_date between ? and ?
    """, list(contact_dates(pipeline_app_home)))
    shown = table_with(app, "sla_compliance_rate")
    pd.testing.assert_frame_equal(normalised(shown, COMPLIANCE_KEYS, COMPLIANCE_VALUES),
                                  normalised(expected, COMPLIANCE_KEYS, COMPLIANCE_VALUES), check_dtype=False)


def test_backlog_table_is_the_marts_rows_under_the_filters(pipeline_app_home, narrowed):
    app = sidebar_filters(open_page(PAGE), **narrowed)
    expected = read_published(pipeline_app_home, """
        select * from marts.ticket_backlog_daily
        where backlog_date between ? and ? and list_contains(?, channel) and list_contains(?, team_key)
    """, [*narrowed["dates"], narrowed["channels"], narrowed["teams"]])
    assert len(expected) > 0

    shown = table_with(app, "backlog_ticket_count")

    pd.testing.assert_frame_equal(normalised(shown, BACKLOG_KEYS, BACKLOG_VALUES),
                                  normalised(expected, BACKLOG_KEYS, BACKLOG_VALUES), check_dtype=False)
    backlog_chart = charts(app)[-1]
    sizes = [value for trace in backlog_chart["data"] if trace.get("stackgroup") for value in plotly_values(trace["y"])]
    assert sorted(sizes) == sorted(expected["backlog_ticket_count"].tolist())
    widget(app.radio, "Backlog age").set_value("90th percentile (p90)").run()
    assert_no_exception(app)
    ages = [value for trace in charts(app)[-1]["data"] if not trace.get("stackgroup")
            for value in plotly_values(trace["y"])]
    assert sorted(age for age in ages if age == age) == pytest.approx(
        sorted(expected["backlog_age_p90_hours"].dropna()))


def test_every_table_has_its_csv(pipeline_app_home):
    app = open_page(PAGE)

    keys = {button.proto.id for button in app.get("download_button")}
    for key in ("sla_compliance", "sla_breach_counts", "sla_backlog"):
        assert any(f"download_{key}" in button_id for button_id in keys), keys


def test_a_channel_without_tickets_shows_info_not_an_error(pipeline_app_home):
    app = sidebar_filters(open_page(PAGE), channels=["phone"])

    assert "No ticket with a first response SLA" in infos(app)
    assert "No backlog rows" in infos(app)
    assert not app.dataframe or all(len(frame.value) == 0 for frame in app.dataframe)


def test_no_channel_or_no_team_selected_explains_what_to_do(pipeline_app_home):
    app = sidebar_filters(open_page(PAGE), channels=[])
    assert any("Select at least one channel" in info.value for info in app.info)
    assert not app.get("plotly_chart")

    app = sidebar_filters(open_page(PAGE), teams=[])
    assert any("Select at least one channel" in info.value for info in app.info)
