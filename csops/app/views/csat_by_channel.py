"""Page: CSAT (top-2-box) per channel, by week or by day, as the CSAT marts state it.

Every number comes from the mart: the rate, its Wilson 95% interval, n and the
low-sample flag. The page filters and draws them; it computes no rate of its own.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.colors
import plotly.graph_objects as go
import streamlit as st

from csops.app import components, data

TITLE = "CSAT by channel"
URL_PATH = "csat-by-channel"

NO_PUBLICATION_MESSAGE = (
    "No data has been published yet. Run `csops run` to build the marts; "
    "this page shows them as soon as the run publishes (refresh the page)."
)
NO_CSAT_MART_MESSAGE = (
    "The current publication has no CSAT mart (`marts.csat_by_channel_week`, `marts.csat_by_channel_day`). "
    "Run `csops run` again to publish one."
)
EMPTY_MART_MESSAGE = "The CSAT mart has no rows yet: no 1-5 CSAT survey responses have been loaded."
NO_CHANNEL_MESSAGE = "Select at least one channel (sidebar) to see its CSAT."

RATE_COLUMNS = ("csat_top2_rate", "csat_top2_rate_ci95_low", "csat_top2_rate_ci95_high")
# Up to this many days on the chart, one tick per day; beyond, Plotly spaces the ticks.
DAILY_TICKS_MAX_DAYS = 14
# Up to this many days, one tick per week; beyond, one per four weeks.
WEEKLY_TICKS_MAX_DAYS = 7 * 16
ONE_DAY_MILLISECONDS = 24 * 60 * 60 * 1000

LOW_SAMPLE_MARKER = "circle-open"
SAMPLE_MARKER = "circle"

# How the table labels and formats the mart's columns. ``min_responses`` is the same
# on every row and is stated in the caption instead, so it is left out of the view
# (it stays in the CSV).
TABLE_MEASURE_CONFIG = {
    "channel": st.column_config.TextColumn("Channel"),
    "response_count": st.column_config.NumberColumn("Responses (n)", format="%d"),
    "top2_response_count": st.column_config.NumberColumn("Scored 4-5", format="%d"),
    # No format here: the Styler in _render_table shows these as percentages with one
    # decimal (column_config's "percent" trims trailing zeros, which makes a ragged column).
    "csat_top2_rate": st.column_config.NumberColumn("CSAT top-2"),
    "csat_top2_rate_ci95_low": st.column_config.NumberColumn("95% interval low"),
    "csat_top2_rate_ci95_high": st.column_config.NumberColumn("95% interval high"),
    "csat_mean_score": st.column_config.NumberColumn("Mean score (1-5)", format="%.2f"),
    "is_low_sample": st.column_config.CheckboxColumn("Low sample"),
}


def render() -> None:
    """The page body; ``st.Page`` runs it on every rerun."""
    st.title(TITLE)
    # Read once, then pass along: every query of this rerun sees the same publication.
    publication = data.current_publication()
    if publication is None:
        st.info(NO_PUBLICATION_MESSAGE)
        return
    grains = data.csat_grains(publication)
    if not grains or not data.has_table(publication, data.CSAT_MART):
        st.info(NO_CSAT_MART_MESSAGE)
        return
    date_bounds = data.csat_date_bounds(publication)
    if date_bounds is None:
        st.info(EMPTY_MART_MESSAGE)
        return

    all_channels = data.channels(publication)
    chosen = components.chosen_filters(publication)
    if chosen is None:
        return
    selected_channels = [channel for channel in chosen.channels if channel in all_channels]
    grain = st.radio("Grain", grains, format_func=lambda g: g.label, horizontal=True)
    if not selected_channels:
        st.info(NO_CHANNEL_MESSAGE)
        return

    start_date, end_date = chosen.start_date, chosen.end_date
    rows = data.csat_by_channel(publication, grain, start_date, end_date, selected_channels)
    if rows.empty:
        st.info(f"No CSAT responses for the selected channels between {start_date} and {end_date}.")
        return

    st.plotly_chart(_csat_figure(rows, grain, _channel_colors(all_channels)), width="stretch")
    st.caption(_chart_caption(rows, grain))
    _render_table(rows, grain, start_date, end_date)


def _channel_colors(all_channels: list[str]) -> dict[str, str]:
    """One colour per channel, assigned over all channels so that filtering keeps colours."""
    palette = plotly.colors.qualitative.Plotly
    return {channel: palette[index % len(palette)] for index, channel in enumerate(all_channels)}


def _csat_figure(rows: pd.DataFrame, grain: data.CsatGrain, channel_colors: dict[str, str]) -> go.Figure:
    figure = go.Figure()
    for channel, channel_rows in rows.groupby("channel", sort=True):
        # The trace shows the name escaped; the colour is looked up by the channel as the data has it.
        figure.add_trace(_channel_trace(components.chart_text(channel), channel_rows, grain,
                                        channel_colors[str(channel)]))
    figure.update_layout(
        xaxis_title=grain.period_label,
        yaxis_title="CSAT top-2 (share scoring 4-5)",
        yaxis_tickformat=".0%",
        legend_title_text="Channel",
        hovermode="closest",
        # Side by side within each day, so that channels' interval bars do not overlap.
        scattermode="group",
        scattergap=0.6,
        margin={"t": 30, "b": 40},
    )
    figure.update_xaxes(tickformat="%Y-%m-%d", **_period_ticks(rows[grain.period_column], grain))
    return figure


def _period_ticks(periods: pd.Series, grain: data.CsatGrain) -> dict:
    """Ticks on the periods themselves: each day for short ranges, each week's Monday.

    Left to itself Plotly labels a short range by the hour, and weeks on Sundays.
    """
    days_spanned = (periods.max() - periods.min()).days + 1
    if grain.period_column == "week_start_date":
        weeks_per_tick = 1 if days_spanned <= WEEKLY_TICKS_MAX_DAYS else 4
        return {"tick0": periods.min(), "dtick": 7 * weeks_per_tick * ONE_DAY_MILLISECONDS}
    return {"dtick": ONE_DAY_MILLISECONDS} if days_spanned <= DAILY_TICKS_MAX_DAYS else {}


def _channel_trace(channel: str, channel_rows: pd.DataFrame, grain: data.CsatGrain, color: str) -> go.Scatter:
    """One channel's line; ``channel`` is already Plotly text (``components.chart_text``)."""
    rate = channel_rows["csat_top2_rate"]
    is_low_sample = channel_rows["is_low_sample"].astype(bool)
    return go.Scatter(
        x=channel_rows[grain.period_column],
        y=rate,
        name=channel,
        offsetgroup=channel,
        mode="lines+markers",
        line={"color": color, "width": 2},
        marker={
            "color": color,
            "size": 9,
            "symbol": [LOW_SAMPLE_MARKER if low else SAMPLE_MARKER for low in is_low_sample],
            "line": {"width": 2, "color": color},
        },
        # The mart's Wilson bounds, drawn as asymmetric error bars around its rate.
        error_y={
            "type": "data",
            "symmetric": False,
            "array": channel_rows["csat_top2_rate_ci95_high"] - rate,
            "arrayminus": rate - channel_rows["csat_top2_rate_ci95_low"],
            "color": color,
            "thickness": 1.5,
            "width": 3,
        },
        customdata=list(
            zip(
                channel_rows["response_count"],
                channel_rows["csat_top2_rate_ci95_low"],
                channel_rows["csat_top2_rate_ci95_high"],
                ["low sample" if low else "" for low in is_low_sample],
            )
        ),
        hovertemplate=(
            f"<b>{channel}</b> %{{x|%Y-%m-%d}}<br>"
            "CSAT top-2 %{y:.1%} (95% interval %{customdata[1]:.1%}-%{customdata[2]:.1%})<br>"
            "n = %{customdata[0]} %{customdata[3]}<extra></extra>"
        ),
    )


def _chart_caption(rows: pd.DataFrame, grain: data.CsatGrain) -> str:
    min_responses = rows["min_responses"].dropna().unique()
    threshold = f"{int(min_responses[0])}" if len(min_responses) == 1 else "`min_responses`"
    period = grain.label.lower()
    whole_weeks = " Weeks are shown whole when any of their days is in the range." if period == "week" else ""
    return (
        f"Each point is a {period}'s CSAT top-2 rate: the share of 1-5 survey responses scoring 4 or 5, "
        "on the date of the contact surveyed. Bars show its Wilson 95% interval. "
        f"**Hollow markers are low-sample {period}s** (fewer than {threshold} responses): "
        f"read them as indicative, not for ranking channels.{whole_weeks}"
    )


def _render_table(rows: pd.DataFrame, grain: data.CsatGrain, start_date: date, end_date: date) -> None:
    st.subheader("Rows shown")
    low_sample_count = int(rows["is_low_sample"].sum())
    st.caption(
        f"{len(rows)} channel-{grain.label.lower()}s, {int(rows['response_count'].sum()):,} responses, "
        f"{low_sample_count} low-sample."
    )
    column_config = {
        grain.period_column: st.column_config.DateColumn(grain.period_label, format="YYYY-MM-DD"),
        **TABLE_MEASURE_CONFIG,
    }
    # Styled for display only: the data behind the table stays the mart's 0-1 rates.
    rows_as_percentages = rows.style.format({column: "{:.1%}" for column in RATE_COLUMNS}, na_rep="n/a")
    st.dataframe(
        rows_as_percentages,
        column_config=column_config,
        column_order=list(column_config),
        hide_index=True,
        width="stretch",
    )
    st.download_button(
        "Download these rows (CSV)",
        data=rows.to_csv(index=False),
        file_name=f"{grain.mart}_{start_date}_{end_date}.csv",
        mime="text/csv",
        help="The mart's columns for the rows above, with rates as fractions from 0 to 1.",
        on_click="ignore",
    )


if __name__ == "__main__":  # Streamlit runs the page's file as a script
    render()
