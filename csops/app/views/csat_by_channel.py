"""Page: CSAT (top-2-box) per channel, by week or by day, as the feedback marts state it.

Every number comes from the mart: the rate, its Wilson 95% interval, n and the
low-sample flag. The page filters and draws them; it computes no rate of its own.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from csops.app import charts, components, data, filters, labels
from csops.app.data import feedback
from csops.kernel.publication import Publication

TITLE = "CSAT by channel"
URL_PATH = "csat-by-channel"

CSAT = "csat_top2_rate"


@components.page(TITLE, *(grain.mart for grain in feedback.CSAT_GRAINS))
def render(publication: Publication, chosen: filters.Filters) -> None:
    """The page body; ``st.Page`` runs it on every rerun."""
    periods = components.channel_periods(publication, chosen, feedback.CSAT_GRAINS, key="csat_grain", what="CSAT",
                                         counted="CSAT responses")
    if periods is None:
        return
    grain, rows = periods
    kpi = labels.kpi(publication, CSAT)
    st.plotly_chart(csat_figure(rows, grain, kpi, charts.colors(chosen.all_channels)), width="stretch")
    st.caption(_chart_caption(rows, grain, kpi))
    _render_table(publication, rows, grain, chosen.start_date, chosen.end_date)


def csat_figure(rows: pd.DataFrame, grain: data.PeriodGrain, kpi: labels.Kpi,
                channel_colors: dict[str, str]) -> go.Figure:
    figure = go.Figure()
    label = charts.chart_text(kpi.label)  # the registry's label: a seed the manager edits
    for channel, channel_rows in rows.groupby("channel", sort=True):
        # The trace shows the name escaped; the colour is looked up by the channel as the data has it.
        shown = charts.chart_text(channel)
        color = channel_colors.get(str(channel), charts.MUTED_COLOR)
        is_low_sample = channel_rows["is_low_sample"].astype(bool)
        figure.add_trace(charts.series_trace(
            channel_rows[grain.period_column], channel_rows[CSAT], shown, color, hollow=is_low_sample,
            offsetgroup=shown, error_y=charts.wilson_bars(channel_rows, color),
            customdata=list(zip(channel_rows["csat_response_count"], channel_rows["csat_top2_rate_ci95_low"],
                                channel_rows["csat_top2_rate_ci95_high"],
                                ["low sample" if low else "" for low in is_low_sample])),
            hovertemplate=(f"<b>{shown}</b> %{{x|{charts.DATE_FORMAT}}}<br>{label} {kpi.field()} (95% interval "
                           f"%{{customdata[1]:{kpi.value_format}}}-%{{customdata[2]:{kpi.value_format}}})<br>"
                           "n = %{customdata[0]} %{customdata[3]}<extra></extra>"),
        ))
    figure.update_layout(
        xaxis_title=grain.period_label,
        yaxis_title=f"{label} (share scoring 4-5)",
        yaxis_tickformat=".0%",
        legend_title_text="Channel",
        hovermode="closest",
        # Side by side within each period, so that channels' interval bars do not overlap.
        scattermode="group",
        scattergap=0.6,
        margin={"t": 30, "b": 40},
    )
    figure.update_xaxes(**charts.period_ticks(rows[grain.period_column], grain.days))
    return figure


def _chart_caption(rows: pd.DataFrame, grain: data.PeriodGrain, kpi: labels.Kpi) -> str:
    min_responses = rows["min_responses"].dropna().unique()
    threshold = f"{int(min_responses[0])}" if len(min_responses) == 1 else "`min_responses`"
    period = grain.label.lower()
    whole_weeks = " Weeks are shown whole when any of their days is in the range." if period == "week" else ""
    return (
        f"Each point is a {period}'s {components.plain(kpi.label)}: the share of 1-5 survey responses scoring 4 or "
        "5, on the date of the contact surveyed. Bars show its Wilson 95% interval. "
        f"**Hollow markers are low-sample {period}s** (fewer than {threshold} responses): "
        f"read them as indicative, not for ranking channels.{whole_weeks}"
    )


def _render_table(publication, rows: pd.DataFrame, grain: data.PeriodGrain, start_date: date,
                  end_date: date) -> None:
    st.subheader("Rows shown")
    # min_responses is the same on every row and stated in the caption: left out of the view, kept in the CSV.
    shown = [column for column in grain.read.columns if column != "min_responses"]
    components.table(
        rows, file_name=f"{grain.mart}_{start_date}_{end_date}", key="csat_rows",
        column_config=labels.columns(publication, shown, relabel={grain.period_column: grain.period_label}),
        caption=(f"{len(rows)} channel-{grain.label.lower()}s, {int(rows['csat_response_count'].sum()):,} CSAT "
                 f"responses, {int(rows['is_low_sample'].sum())} low-sample; the CSV has the mart's columns, rates as "
                 "fractions from 0 to 1."))


if __name__ == "__main__":  # Streamlit runs the page's file as a script
    render()
