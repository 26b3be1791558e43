"""Section: is first contact resolution improving? Operational and survey FCR per channel (by week
or day) and per team (by week), side by side, with the target."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from csops.app import charts, components, filters, labels
from csops.app.data import fcr
from csops.app.views.first_contact_resolution.drill import NO_TEAM, contacts_drill_down, counts_label, equal_or_null
from csops.app.weeks import DAYS_IN_WEEK, week_end
from csops.kernel.publication import Publication

MAX_MARKER_PIXELS = 14
MARKER_SENTENCE = (" A marker's area is its n (eligible contacts; survey answers): a small dot rests on few "
                   "contacts and swings easily (the FCR marts carry no low-sample flag). Hover for the counts.")


def render_channels(publication: Publication, chosen: filters.Filters, target: labels.Kpi) -> None:
    st.subheader("Is first contact resolution improving? By channel")
    periods = components.channel_periods(publication, chosen, fcr.FCR_GRAINS, key="fcr_grain", what="FCR",
                                         counted="contacts")
    if periods is None:
        return
    grain, rows = periods
    period = grain.period_column
    st.plotly_chart(fcr_figure(rows, period, grain.period_label, "channel", charts.colors(chosen.all_channels),
                               target, grain.days), width="stretch", key="fcr_channel_trend")
    st.caption(
        f"**Is FCR improving, channel by channel?** Each point is one {grain.label.lower()} x channel of "
        f"`{grain.mart}`; left the operational rate, right the survey rate (same colours), never blended. "
        + target_sentence(target) + incomplete_sentence(rows, period, grain.label.lower())
        + MARKER_SENTENCE + " **The team filter does not apply here** (the mart has no team column)."
    )
    components.table(
        rows, file_name=f"{grain.mart}_{chosen.start_date}_{chosen.end_date}", key=f"fcr_channel_{grain.label}",
        column_config=labels.columns(publication, grain.read.columns, relabel={period: grain.period_label}),
        caption=f"The mart's {len(rows):,} rows for these filters (rates in the CSV are fractions from 0 to 1).",
    )
    contacts_drill_down(
        publication, rows, key=f"fcr_channel_{grain.label}", newest_first=True,
        label=lambda row: f"{row[period]} {row['channel']}: " + counts_label(row),
        scope=lambda row: {"start_date": row[period], "end_date": grain.last_day(row[period]),
                           "channel": row["channel"]},
    )


def render_teams(publication: Publication, chosen: filters.Filters, target: labels.Kpi) -> None:
    st.subheader("By team")
    if chosen.all_teams and not chosen.teams:
        st.info(NO_TEAM)
        return
    rows = fcr.team_rows(publication, chosen.start_date, chosen.end_date, chosen.teams)
    if rows.empty:
        st.info(f"No contacts handled by the selected teams between {chosen.start_date} and {chosen.end_date}.")
        return
    # Each team in its colour of every page, keyed here by the name the chart groups by.
    team_colors = charts.colors(chosen.all_teams)
    colors = {name: team_colors.get(str(key), charts.MUTED_COLOR) for key, name in zip(rows["team_key"],
                                                                                         rows["team_name"])}
    st.plotly_chart(fcr_figure(rows, "week_start_date", "Week starting (Monday)", "team_name", colors, target,
                               DAYS_IN_WEEK), width="stretch", key="fcr_team_trend")
    st.caption(
        "**Which teams resolve first time, and is it improving?** Each point is one team x week of "
        "`fcr_by_team_week` (the team of the agent who handled the contact, on its day); left operational, right "
        "survey FCR. " + target_sentence(target) + incomplete_sentence(rows, "week_start_date", "week")
        + MARKER_SENTENCE + " **The channel filter does not apply here** (the mart has no channel column). "
        "The unknown team (`dim_teams`' unknown member) holds the contacts no team handled (e.g. calls never "
        "answered)."
    )
    components.table(
        rows, file_name=f"fcr_by_team_week_{chosen.start_date}_{chosen.end_date}", key="fcr_team",
        column_config=labels.columns(publication, ("week_start_date", "team_name", *fcr.FCR_MEASURE_COLUMNS)),
        caption=f"The mart's {len(rows):,} team-weeks for these filters.",
    )
    contacts_drill_down(
        publication, rows, key="fcr_team", newest_first=True,
        label=lambda row: f"{row['week_start_date']} {row['team_name']}: " + counts_label(row),
        scope=lambda row: {"start_date": row["week_start_date"], "end_date": week_end(row["week_start_date"]),
                           **equal_or_null("team_key", row["team_key"])},
    )


def fcr_figure(rows: pd.DataFrame, period: str, period_label: str, series_column: str, colors: dict[str, str],
               target: labels.Kpi | None, period_days: int) -> go.Figure:
    """Operational FCR (left) and survey FCR (right), one line per series, hollow where windows are open."""
    figure = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.05, subplot_titles=(
        "Operational FCR (no repeat within the window)", "Survey FCR (customers answering \"resolved\")"))
    for series, series_rows in rows.groupby(series_column, sort=True):
        color = colors.get(str(series), charts.MUTED_COLOR)
        shown_series = charts.chart_text(series)
        is_open = series_rows["window_open_contact_count"] > 0
        figure.add_trace(charts.series_trace(
            series_rows[period], series_rows["operational_fcr_rate"], shown_series, color, hollow=is_open,
            legendgroup=shown_series,
            # Marker area in proportion to the point's n: a rate resting on a handful of contacts stays a small dot.
            marker=charts.area_markers(series_rows["fcr_eligible_contact_count"],
                                       rows["fcr_eligible_contact_count"].max(), MAX_MARKER_PIXELS),
            customdata=list(zip(series_rows["first_contact_resolved_count"], series_rows["fcr_eligible_contact_count"],
                                series_rows["window_open_contact_count"],
                                ["<br>incomplete: windows still open" if open_ else "" for open_ in is_open])),
            hovertemplate=(f"<b>{shown_series}</b> %{{x|{charts.DATE_FORMAT}}}<br>operational FCR %{{y:.1%}}<br>"
                           "%{customdata[0]} of %{customdata[1]} eligible had no repeat<br>"
                           "window still open: %{customdata[2]}%{customdata[3]}<extra></extra>"),
        ), row=1, col=1)
        figure.add_trace(go.Scatter(
            x=series_rows[period], y=series_rows["survey_fcr_rate"], name=shown_series, legendgroup=shown_series,
            showlegend=False, mode="lines+markers", line={"color": color, "width": 2, "dash": "dot"},
            marker={"color": color, **charts.area_markers(series_rows["survey_fcr_response_count"],
                                                          rows["survey_fcr_response_count"].max(), MAX_MARKER_PIXELS)},
            customdata=series_rows["survey_fcr_response_count"],
            hovertemplate=(f"<b>{shown_series}</b> %{{x|{charts.DATE_FORMAT}}}<br>survey FCR %{{y:.1%}}<br>"
                           "n = %{customdata} answers<extra></extra>"),
        ), row=1, col=2)
    if target is not None:
        charts.add_target_line(figure, target.target_value, ".0%", row=1, col=1)
    figure.update_yaxes(tickformat=".0%", row=1, col=1, title_text="FCR rate (share of contacts / answers)")
    figure.update_yaxes(tickformat=".0%", row=1, col=2)
    figure.update_xaxes(title_text=period_label, **charts.period_ticks(rows[period], period_days))
    figure.update_layout(legend_title_text=series_column.replace("_name", "").capitalize(), hovermode="closest",
                         legend_itemsizing="constant", margin={"t": 40, "b": 40})
    return figure


def target_sentence(target: labels.Kpi) -> str:
    if not target.has_target:
        return "Operational FCR has no target in the KPI registry. "
    return (f"Dashed line: the operational FCR target, {target.target_value:.0%} "
            f"({str(target.target_source).replace('_', ' ')}); survey FCR has no target. ")


def incomplete_sentence(rows: pd.DataFrame, period: str, period_name: str) -> str:
    open_periods = sorted(rows.loc[rows["window_open_contact_count"] > 0, period].unique())
    if not open_periods:
        return f"Every {period_name} shown is complete: all its repeat windows have closed."
    listed = ", ".join(f"{value}" for value in open_periods[:6]) + (" ..." if len(open_periods) > 6 else "")
    return (f"**Hollow markers are incomplete {period_name}s** (contacts whose repeat window is still open, left out "
            f"of the rate until it closes): {listed}.")
