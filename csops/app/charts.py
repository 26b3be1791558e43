"""What every chart draws the same way: the palette, names as text, low-sample markers, interval
bars, date ticks and the target line.

A page builds its own figure from mart rows; these helpers keep one look across pages (a channel
has one colour everywhere, a hollow marker always means a low sample) and one escaping of the
names the data brings (``chart_text``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import plotly.colors
import plotly.graph_objects as go

from csops.app.weeks import DAYS_IN_WEEK

PALETTE = tuple(plotly.colors.qualitative.Plotly)
MUTED_COLOR = "#9e9e9e"
TARGET_COLOR = "#444444"
LOW_SAMPLE_MARKER, SAMPLE_MARKER = "circle-open", "circle"
DATE_FORMAT = "%Y-%m-%d"

ONE_DAY_MILLISECONDS = 24 * 60 * 60 * 1000
# Up to this many days, a tick on each day; beyond, Plotly spaces the ticks.
DAILY_TICKS_MAX_DAYS = 14
# Up to this many weeks, a tick on each Monday; beyond, on every fourth one.
WEEKLY_TICKS_MAX_WEEKS = 16

# Numeric references for the quotes: Plotly decodes &#...; and only a few names (amp, lt, gt, ...),
# so "&quot;" would show as typed. "&" goes first, so that the others are not escaped twice.
_CHART_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})
_CHART_TEMPLATE_FIELD = "%{"
_CHART_TEMPLATE_FIELD_SHOWN = "%&#123;"  # still reads "%{" once Plotly decodes it, but is no field


def chart_text(value: object) -> str:
    """``value`` as Plotly text that shows it literally, for a value from the data (a team, queue,
    agent, channel, theme or priority) in a trace name, hover template or text, tick label, subplot
    title or annotation.

    Plotly draws these as a subset of HTML (``<a href>``, ``<b>``, ``<br>``, ``<span style>``) and
    reads ``%{...}`` in a hover or text template as a field: ``&``, ``<``, ``>`` and quotes become
    character references, which Plotly decodes back into the characters when it draws the text, and
    ``%{`` becomes ``%&#123;``. Escape a copy made for the figure only: a value that filters, joins or
    picks a colour stays as the data has it.
    """
    text = str(value).translate(_CHART_ESCAPES)
    return text.replace(_CHART_TEMPLATE_FIELD, _CHART_TEMPLATE_FIELD_SHOWN)


def chart_texts(values: pd.Series) -> pd.Series:
    """:func:`chart_text` of each value, nulls left null."""
    return values.map(chart_text, na_action="ignore")


def colors(values: Iterable[object]) -> dict[str, str]:
    """One colour per value, assigned over every value the publication has (the sidebar's options,
    not only those shown), so that a channel or team keeps its colour on every page and under any filter."""
    return {str(value): PALETTE[index % len(PALETTE)] for index, value in enumerate(values)}


def translucent(hex_color: str, opacity: float = 0.4) -> str:
    red, green, blue = (int(hex_color[index:index + 2], 16) for index in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {opacity})"


def sample_symbols(is_low_sample: Iterable[bool]) -> list[str]:
    """A marker per point: hollow where the mart flags the point (a low sample, an incomplete period)."""
    return [LOW_SAMPLE_MARKER if flag else SAMPLE_MARKER for flag in is_low_sample]


def interval_bars(values, low, high, color: str | None = None, *, width: int = 3) -> dict[str, Any]:
    """Error bars drawing an interval the mart states (a Wilson 95% interval, a difference's 95%
    interval) around its value: asymmetric, as such intervals are."""
    values, low, high = (np.atleast_1d(np.asarray(part, dtype=float)) for part in (values, low, high))
    bars = {"type": "data", "symmetric": False, "array": high - values, "arrayminus": values - low,
            "thickness": 1.5, "width": width}
    return bars | ({"color": color} if color else {})


def wilson_bars(rows: pd.DataFrame, color: str | None = None, *, width: int = 3) -> dict[str, Any]:
    """The Wilson 95% interval of each row's CSAT top-2 rate (``csat_top2_rate_ci95_low/high``)."""
    return interval_bars(rows["csat_top2_rate"], rows["csat_top2_rate_ci95_low"], rows["csat_top2_rate_ci95_high"],
                         color, width=width)


def area_markers(counts: pd.Series, largest_count, max_pixels: int, min_pixels: int = 3) -> dict[str, Any]:
    """Marker settings whose area is in proportion to each point's n, ``largest_count`` (the largest
    n of the whole chart, so that series compare) ``max_pixels`` across: a rate resting on a handful
    of contacts or tickets stays a small dot."""
    largest = max(float(largest_count) if not pd.isna(largest_count) else 0.0, 1.0)
    return {"size": counts.tolist(), "sizemode": "area", "sizeref": 2.0 * largest / max_pixels ** 2,
            "sizemin": min_pixels}


def period_ticks(periods: Iterable, period_days: int = 1) -> dict[str, Any]:
    """Date-axis settings with ticks on the periods themselves: each day of a short range, each
    week's Monday (every fourth on a long range). Left to itself Plotly labels a short range by the
    hour and ticks weeks on Sundays."""
    days = [day for day in periods if day is not None and not pd.isna(day)]
    if not days:
        return {"tickformat": DATE_FORMAT}
    first, last = min(days), max(days)
    spanned = (last - first).days + 1
    if period_days == DAYS_IN_WEEK:
        step = 1 if spanned <= DAYS_IN_WEEK * WEEKLY_TICKS_MAX_WEEKS else 4
        return {"tickformat": DATE_FORMAT, "tick0": first, "dtick": DAYS_IN_WEEK * step * ONE_DAY_MILLISECONDS}
    return {"tickformat": DATE_FORMAT} | ({"dtick": ONE_DAY_MILLISECONDS} if spanned <= DAILY_TICKS_MAX_DAYS else {})


def add_target_line(figure: go.Figure, target_value, value_format: str, *, vertical: bool = False,
                    **cell) -> None:
    """A KPI's target (``dim_kpis.target_value``) as a dashed line labelled with its value, across the
    chart or its subplot ``cell`` (row and col); nothing when the KPI has no target."""
    if target_value is None or pd.isna(target_value):
        return
    line = {"line_dash": "dash", "line_color": TARGET_COLOR, "annotation_font_color": TARGET_COLOR,
            "annotation_text": f"target {float(target_value):{value_format}}"}
    if vertical:
        figure.add_vline(x=float(target_value), annotation_position="top right", **line, **cell)
    else:
        figure.add_hline(y=float(target_value), annotation_position="bottom right", **line, **cell)


def series_trace(x, y, name: str, color: str, *, hollow: Iterable[bool] = (), **settings) -> go.Scatter:
    """One series (a channel's, a team's) as a line with markers in its colour, hollow where
    ``hollow`` flags the point; ``name`` is already Plotly text (:func:`chart_text`), ``settings``
    adds the hover, intervals or marker sizes."""
    hollow = list(hollow) or [False] * len(y)
    marker = {"color": color, "size": 9, "line": {"width": 2, "color": color}, "symbol": sample_symbols(hollow)}
    return go.Scatter(x=x, y=y, name=name, mode="lines+markers", line={"color": color, "width": 2},
                      marker=marker | settings.pop("marker", {}), **settings)
