"""The order the feedback sections list rows in, and the chart that draws it: ranked rows by the
mart's ``csat_rank`` (1 = the lowest CSAT of the week), then the rows it does not rank (low sample,
or no rate), by name."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from csops.app import charts, labels

RANK_COLUMN = "csat_rank"
NOT_RANKED = "not ranked"
RANKED_COLOR = charts.PALETTE[0]
CENTRE_COLOR = "#7f7f7f"
ROW_PIXELS = 24


def in_rank_order(rows: pd.DataFrame, name_column: str) -> pd.DataFrame:
    """The ranked rows by ``csat_rank``, then the unranked ones (a null rank) by name; the rank as
    text, so that the table says "not ranked" rather than an empty cell."""
    ranked = rows[rows[RANK_COLUMN].notna()].sort_values([RANK_COLUMN, name_column], kind="stable")
    unranked = rows[rows[RANK_COLUMN].isna()].sort_values(name_column, kind="stable")
    ordered = pd.concat([ranked, unranked], ignore_index=True)
    return ordered.assign(**{RANK_COLUMN: [NOT_RANKED if pd.isna(rank) else str(int(rank))
                                           for rank in ordered[RANK_COLUMN]]})


def ranked_count(ranked: pd.DataFrame) -> int:
    return int((ranked[RANK_COLUMN] != NOT_RANKED).sum())


def dot_interval_figure(ranked: pd.DataFrame, csat: labels.Kpi, centre: dict) -> go.Figure:
    """A horizontal dot per row (its CSAT top-2 rate) with its Wilson 95% interval, in the rows'
    order from the top; low samples hollow and grey, below a dotted line."""
    figure = go.Figure()
    add_dots(figure, with_chart_labels(ranked), csat, centre)
    figure.update_xaxes(title_text=f"{charts.chart_text(csat.label)} (share of responses scoring 4-5)")
    figure.update_layout(height=150 + ROW_PIXELS * len(ranked), margin={"t": 50, "b": 40, "l": 10},
                         legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "xanchor": "left"},
                         hovermode="closest")
    return figure


def with_chart_labels(ranked: pd.DataFrame) -> pd.DataFrame:
    """A copy whose ``label`` is Plotly text: the caption and the drill-down keep the label as it is."""
    return ranked.assign(label=charts.chart_texts(ranked["label"]))


def add_dots(figure: go.Figure, ranked: pd.DataFrame, csat: labels.Kpi, centre: dict, **cell) -> None:
    """The dots, their order, the line between ranked and low-sample rows, and the whole centre's
    CSAT and target as vertical lines, into ``figure`` (``cell``: its subplot's row and col)."""
    drawn = ranked[ranked["csat_top2_rate"].notna()]
    for is_low, name, color in ((False, "Ranked", RANKED_COLOR), (True, "Low sample (not ranked)", charts.MUTED_COLOR)):
        group = drawn[(drawn[RANK_COLUMN] == NOT_RANKED) == is_low]
        if not group.empty:
            figure.add_trace(_dot_trace(group, csat, name, color, is_low), **cell)
    figure.update_yaxes(type="category", categoryorder="array", categoryarray=list(ranked["label"]),
                        autorange="reversed", tickfont={"size": 11})
    figure.update_xaxes(tickformat=".0%", range=[-0.02, 1.02], **cell)
    shown_ranked = ranked_count(ranked)
    if 0 < shown_ranked < len(ranked):
        figure.add_hline(y=shown_ranked - 0.5, line_dash="dot", line_color=charts.MUTED_COLOR, line_width=1,
                         annotation_text="below: low sample, not ranked", annotation_position="bottom left",
                         annotation_font_color=charts.MUTED_COLOR, **cell)
    whole = centre.get("csat_top2_rate")
    if whole is not None and pd.notna(whole["kpi_value"]):
        figure.add_vline(x=float(whole["kpi_value"]), line_dash="dot", line_color=CENTRE_COLOR,
                         annotation_text=f"whole centre {whole['kpi_value']:.0%}", annotation_position="top left",
                         annotation_font_color=CENTRE_COLOR, **cell)
        charts.add_target_line(figure, whole["target_value"], ".0%", vertical=True, **cell)


def _dot_trace(rows: pd.DataFrame, csat: labels.Kpi, name: str, color: str, is_low: bool) -> go.Scatter:
    return go.Scatter(
        x=rows["csat_top2_rate"], y=rows["label"], name=name, mode="markers",
        marker={"color": color, "size": 10, "symbol": charts.sample_symbols([is_low])[0],
                "line": {"width": 2, "color": color}},
        error_x=charts.wilson_bars(rows, color, width=4),
        customdata=list(zip(rows["csat_response_count"], rows["csat_top2_rate_ci95_low"],
                            rows["csat_top2_rate_ci95_high"], rows[RANK_COLUMN])),
        hovertemplate=(f"<b>%{{y}}</b><br>{charts.chart_text(csat.label)} {csat.field('x')} (95% interval "
                       f"%{{customdata[1]:{csat.value_format}}} to %{{customdata[2]:{csat.value_format}}})<br>"
                       "n = %{customdata[0]}, rank %{customdata[3]}<extra></extra>"),
    )
