"""Names from the data reach Plotly charts as the text they are (issue 15): no link, no styling, no
hover-template field made of a team, queue, agent, channel, theme, category or priority.

Plotly draws trace names, legend entries, hover labels, tick labels and titles as a subset of HTML
and fills ``%{...}`` fields in hover and text templates. What it shows is read here with Plotly's own
rules (plotly.js ``svg_text_utils`` and ``Lib.TEMPLATE_STRING_REGEX``, as bundled with Streamlit):
a tag is ``<...>``, text between tags has ``&#...;`` and a few named references decoded, and a field
is ``%{name}`` or ``%{name:format}``.

Every page's figure function is built from a small hand-made frame (no pipeline run), once with
hostile names and once with ordinary ones: the hostile figure has no tag of the data's and no more
template fields than the ordinary one, and shows each hostile name escaped. The CSAT page is also
run through AppTest on a publication whose channels are hostile.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta

import duckdb
import pandas as pd
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from csops.app import labels
from csops.app.charts import chart_text, colors
from csops.app.data import feedback, queues
from csops.app.views import csat_by_channel, overview
from csops.app.views.agents_teams import outliers, scorecard, teams
from csops.app.views.customer_feedback import ranking, themes
from csops.app.views.first_contact_resolution import repeats, trends
from csops.app.views.queues_staffing import abandons, heatmaps, staffing
from csops.app.views.sla_backlog import backlog, breaches, compliance, dimensions
from csops.kernel.paths import csops_home
from csops.kernel.publication import publish
from tests.app.conftest import AS_OF_AT, CSAT_COUNTS, write_synthetic_marts
from tests.app.pages import APP_ENTRY_POINT, assert_no_exception

HOSTILE = ['<a href="https://evil.example">x</a>', "<img src=x onerror=alert(1)>", "%{y}"]
ORDINARY = ["Team A", "Team B", "Team C"]
# Other text Plotly would read as markup or a field, or mis-decode.
AWKWARD = ["<b>bold</b><br><span style='color:red'>red</span>", "%{customdata[0]:,.0f}", "Tier 1 & co",
           "&lt;not a tag&gt; &amp; &quot;quoted&quot;", 'say "hi"', "it's", "100% {braces}", "%{", "plain"]

# plotly.js: svg_text_utils (SPLIT_TAGS, ENTITY_TO_UNICODE, ENTITY_MATCH) and Lib.TEMPLATE_STRING_REGEX.
PLOTLY_TAG = re.compile(r"<[^<>]*>")
PLOTLY_ENTITIES = {"mu": "μ", "amp": "&", "lt": "<", "gt": ">", "nbsp": "\xa0", "times": "×", "plusmn": "±",
                   "deg": "°"}
PLOTLY_ENTITY = re.compile(r"&(#\d+|#x[\da-fA-F]+|[a-z]+);")
PLOTLY_FIELD = re.compile(r"%{([^\s%{}:]*)([:|\|][^}]*)?}")
DATA_TAG = re.compile(r"<(a|img|span)\b", re.IGNORECASE)


def plotly_shows(text: str) -> str:
    """The characters Plotly draws for ``text`` between its tags (the tags themselves dropped)."""
    def decoded(match: re.Match) -> str:
        name = match.group(1)
        if name.startswith("#"):
            return chr(int(name[2:], 16) if name[1] == "x" else int(name[1:]))
        return PLOTLY_ENTITIES.get(name, match.group(0))

    return "".join(PLOTLY_ENTITY.sub(decoded, part) for part in PLOTLY_TAG.split(text))


# The helper ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", HOSTILE + AWKWARD)
def test_chart_text_shows_the_value_as_it_is(value):
    text = chart_text(value)
    assert not PLOTLY_TAG.search(text) and not PLOTLY_FIELD.search(text), text
    assert plotly_shows(text) == value
    # Inside a hover template, too: the template's own field is filled, the value's is not.
    template = f"<b>{text}</b> %{{y}}<extra></extra>"
    filled = PLOTLY_FIELD.sub(lambda field: "0.5" if field.group(1) == "y" else "?", template)
    assert plotly_shows(filled) == f"{value} 0.5"


def test_chart_text_of_a_non_string_is_its_str():
    assert chart_text(42) == "42" and chart_text(None) == "None"


# Every page's figure ----------------------------------------------------------------------------------------------

MONDAY = date(2026, 3, 2)


def strings(figure: go.Figure) -> list[str]:
    """Every string in the figure as Streamlit sends it (JSON, decoded)."""
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(key)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(figure.to_json()))
    return found


CSAT = labels.Kpi("csat_top2_rate", "CSAT (top-2-box)", ".1%", "rate", 0.8, "at_least", "industry_default")


def _team_figure(names: list[str]) -> go.Figure:
    rows = pd.DataFrame([{"team_key": f"team_{index}", "team_name": name,
                          "week_start_date": MONDAY + timedelta(weeks=week), "is_low_sample": week == 0,
                          "csat_top2_rate": 0.8, "csat_top2_rate_ci95_low": 0.7, "csat_top2_rate_ci95_high": 0.9,
                          "csat_top2_response_count": 40}
                         for index, name in enumerate(names) for week in range(2)])
    rows = rows.assign(**{scorecard.KPI_COUNTS[CSAT.column][0]: 40})
    return teams.team_figure(rows, CSAT, colors(rows["team_key"].unique()))


AGENT_MEASURES = {"aht_seconds": labels.Measure("aht_seconds", "AHT (s)", ",.0f"),
                  "operational_fcr_rate": labels.Measure("operational_fcr_rate", "Operational FCR", ".1%"),
                  "csat_top2_rate": CSAT}


def _outlier_figure(names: list[str]) -> go.Figure:
    rows = []
    for index, name in enumerate(names):
        row = {"agent_name": name, "team_names": names[-1 - index], "is_low_sample": False,
               "aht_seconds": 300.0, "operational_fcr_rate": 0.7, "csat_top2_rate": 0.8}
        for score, flag in outliers.people.OUTLIER_COLUMNS.values():
            row |= {score: 3.5 - index, flag: index == 0}
        rows.append(row)
    return outliers.outlier_figure(pd.DataFrame(rows), AGENT_MEASURES, 3.0)


def _csat_figure(names: list[str]) -> go.Figure:
    grain = feedback.CSAT_GRAINS[0]
    rows = pd.DataFrame([{grain.period_column: MONDAY + timedelta(weeks=week), "channel": name,
                          "csat_top2_rate": 0.8, "csat_top2_rate_ci95_low": 0.7, "csat_top2_rate_ci95_high": 0.9,
                          "is_low_sample": week == 0, "csat_response_count": 40}
                         for name in names for week in range(2)])
    return csat_by_channel.csat_figure(rows, grain, CSAT, colors(names))


def _ranked(names: list[str]) -> pd.DataFrame:
    rows = pd.DataFrame([{"label": name, "csat_top2_rate": 0.5 + index / 10, "csat_top2_rate_ci95_low": 0.4,
                          "csat_top2_rate_ci95_high": 0.9, "csat_response_count": 40, "is_low_sample": index == 2,
                          "csat_rank": None if index == 2 else index + 1, "comment_share_rate": 0.2,
                          "mention_count": 7}
                         for index, name in enumerate(names)])
    return ranking.in_rank_order(rows, "label")


def _dot_interval_figure(names: list[str]) -> go.Figure:
    return ranking.dot_interval_figure(_ranked(names), CSAT, {})


def _themes_figure(names: list[str]) -> go.Figure:
    return themes.themes_figure(_ranked(names), CSAT, {})


def _fcr_figure(names: list[str]) -> go.Figure:
    rows = pd.DataFrame([{"week_start_date": MONDAY + timedelta(weeks=week), "team_name": name,
                          "operational_fcr_rate": 0.7, "survey_fcr_rate": 0.6, "fcr_eligible_contact_count": 30,
                          "first_contact_resolved_count": 21, "window_open_contact_count": week,
                          "survey_fcr_response_count": 10}
                         for name in names for week in range(2)])
    return trends.fcr_figure(rows, "week_start_date", "Week", "team_name", {}, None, 7)


def _repeat_heatmap(names: list[str]) -> go.Figure:
    groups = pd.DataFrame([{"channel": channel, "issue_category": category, "repeat_rate": 0.1,
                            "fcr_eligible_contact_count": 20, "group_repeat_contact_count": 2}
                           for channel in names for category in names])
    return repeats.repeat_heatmap(groups)


def _paths_sankey(names: list[str]) -> go.Figure:
    paths = pd.DataFrame([{"channel": first, "next_channel": then, "repeat_contact_count": 3}
                          for first in names for then in names])
    return repeats.paths_sankey(paths, colors(names))


def _overview_trend(names: list[str]) -> go.Figure:
    # The KPI labels come from the registry's seed, which the manager edits.
    registry = {f"kpi_{index}": labels.Kpi(f"kpi_{index}", name, ".1%", "rate", 0.6)
                for index, name in enumerate(names)}
    trends_rows = pd.DataFrame([{"kpi_name": f"kpi_{index}", "kpi_label": name, "unit": "rate",
                                 "week_start_date": MONDAY + timedelta(weeks=week), "kpi_value": 0.5,
                                 "sample_size": 40, "is_low_sample": False, "target_value": 0.6}
                                for index, name in enumerate(names) for week in range(2)])
    return overview.trend_figure(trends_rows, registry)


def _queue_heatmap(names: list[str]) -> go.Figure:
    rows = pd.DataFrame([{"queue_name": name, "interval_date": MONDAY, "time_label": time_label,
                          "queue_interval_minutes": 30, "service_level_rate": 0.8, "hover_text": "n/a"}
                         for name in names for time_label in ("09:00", "09:30")])
    return heatmaps.heatmap_figure(rows, queues.Week(MONDAY, True), names, "service_level_rate", {})


def _staffing_figure(names: list[str]) -> go.Figure:
    rows = pd.DataFrame([{"interval_start_local_at": datetime(2026, 3, 2, 9, 30 * half), "offered_calls": 10,
                          "service_level_rate": 0.8, "traffic_erlangs": 2.0, "required_agents_service_level_rate": 0.8,
                          "required_agents": 3.0, "staffed_agents": 2.0 + half, "is_understaffed": half == 0}
                         for half in range(2)])
    return staffing.staffing_figure(rows, " / ".join(names), "America/New_York")  # one queue a chart


def _queue_trend(names: list[str]) -> go.Figure:
    kpi = labels.Kpi("abandon_rate", "Abandon rate", ".1%", "rate", 0.05, "at_most")
    rows = pd.DataFrame([{"queue_name": name, "queue_date": MONDAY + timedelta(days=day), kpi.column: 0.05,
                          "offered_calls": 100.0, "abandoned_calls": 5.0, "short_abandoned_calls": 1.0}
                         for name in names for day in range(2)])
    return abandons.trend_figure(rows, kpi, names)


def _sla_rows(names: list[str]) -> pd.DataFrame:
    # The names as priority, channel and team alike: each dimension colours by hostile values.
    return pd.DataFrame([{"created_date": MONDAY + timedelta(days=day), "ticket_priority": name, "channel": name,
                          "team_key": f"team_{index}", "team_name": name, "sla_compliance_rate": 0.9,
                          "ticket_count": 10, "met_count": 9, "breached_count": 1, "in_flight_count": 0,
                          "sla_kind": "first_response", "breached_in_flight_count": 2,
                          "backlog_date": MONDAY + timedelta(days=day), "backlog_ticket_count": 5,
                          "backlog_age_p50_hours": 3.0}
                         for index, name in enumerate(names) for day in range(2)])


def _team_names(names: list[str]) -> dict[str, str]:
    return {f"team_{index}": name for index, name in enumerate(names)}


def _compliance_trends(names: list[str]) -> list[go.Figure]:
    rows = _sla_rows(names)
    no_colors = {dimension: {} for dimension in dimensions.DIMENSIONS.values()}
    return [compliance.compliance_trend(rows, dimension, label, no_colors, _team_names(names), None)
            for label, dimension in dimensions.DIMENSIONS.items()]


def _compliance_heatmaps(names: list[str]) -> list[go.Figure]:
    return [compliance.compliance_heatmap(_sla_rows(names), dimension, _team_names(names))
            for dimension in dimensions.DIMENSIONS.values()]


def _breach_figure(names: list[str]) -> go.Figure:
    return breaches.breach_figure(_sla_rows(names), ["first_response"])


def _backlog_figure(names: list[str]) -> go.Figure:
    return backlog.backlog_figure(_sla_rows(names), {}, "backlog_age_p50_hours", "p50")


FIGURES: dict[str, Callable[[list[str]], go.Figure | list[go.Figure]]] = {
    "agents_teams: team trend": _team_figure,
    "agents_teams: outliers": _outlier_figure,
    "csat_by_channel: trend": _csat_figure,
    "customer_feedback: dots": _dot_interval_figure,
    "customer_feedback: themes": _themes_figure,
    "first_contact_resolution: trend": _fcr_figure,
    "first_contact_resolution: repeat heatmap": _repeat_heatmap,
    "first_contact_resolution: paths": _paths_sankey,
    "overview: trends": _overview_trend,
    "queues_staffing: heatmap": _queue_heatmap,
    "queues_staffing: staffing": _staffing_figure,
    "queues_staffing: trend": _queue_trend,
    "sla_backlog: compliance trend": _compliance_trends,
    "sla_backlog: compliance heatmap": _compliance_heatmaps,
    "sla_backlog: breaches": _breach_figure,
    "sla_backlog: backlog": _backlog_figure,
}


def figure_strings(build, names: list[str]) -> list[str]:
    built = build(names)
    return [text for figure in (built if isinstance(built, list) else [built]) for text in strings(figure)]


@pytest.mark.parametrize("build", FIGURES.values(), ids=FIGURES.keys())
def test_names_from_the_data_reach_the_figure_as_text(build):
    hostile, ordinary = figure_strings(build, HOSTILE), figure_strings(build, ORDINARY)

    assert not [text for text in hostile if DATA_TAG.search(text)]
    # The templates' own fields (%{y}, %{customdata[0]}, ...) are the same with any names: a name
    # that became a field would add one.
    assert sum(len(PLOTLY_FIELD.findall(text)) for text in hostile) == \
        sum(len(PLOTLY_FIELD.findall(text)) for text in ordinary)
    everything = "\n".join(hostile)
    for name in HOSTILE:
        assert chart_text(name) in everything, f"{name!r} is not in the figure: the test does not reach it"


# The CSAT page, end to end ---------------------------------------------------------------------------------------

def test_csat_page_draws_hostile_channels_as_text(tmp_path, monkeypatch):
    monkeypatch.setenv("CSOPS_HOME", str(tmp_path / "csops_home"))
    channels = dict(zip(("chat", "email", "phone"), HOSTILE))
    with duckdb.connect(":memory:") as con:
        write_synthetic_marts(con, [(day, channels[channel], *rest) for day, channel, *rest in CSAT_COUNTS],
                              AS_OF_AT)
        publish(csops_home(), con, run_id="test-run")

    app = AppTest.from_file(APP_ENTRY_POINT, default_timeout=30).run()
    app.switch_page("views/csat_by_channel.py").run()
    assert_no_exception(app)

    (chart,) = app.get("plotly_chart")
    figure = go.Figure(json.loads(chart.proto.spec))
    texts = strings(figure)
    assert not [text for text in texts if DATA_TAG.search(text)]
    assert sorted(trace.name for trace in figure.data) == sorted(map(chart_text, HOSTILE))
    assert sorted(plotly_shows(trace.name) for trace in figure.data) == sorted(HOSTILE)
    for trace in figure.data:
        # The hover template's fields are its own: the %{y} channel shows as text, not as the rate.
        assert [field.group(1) for field in PLOTLY_FIELD.finditer(trace.hovertemplate)] == \
            ["x", "y", "customdata[1]", "customdata[2]", "customdata[0]", "customdata[3]"]
        assert trace.hovertemplate.startswith(f"<b>{trace.name}</b>")
