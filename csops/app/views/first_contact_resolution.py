"""Page: First contact resolution. Is FCR improving? Where do customers come back, about what,
and where do they go next?

Operational FCR (no repeat by the same customer about the same issue category within the
window, on any channel) and survey FCR (customers answering "yes, resolved") are drawn side
by side and never blended. Every rate is a mart column shown at the mart's grain (a channel,
team or agent x week, a channel x day, a week x channel x issue category x next channel):
nothing is pooled over the date range. The Sankey draws one week's repeat counts as the
mart states them.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.colors
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from csops.app import components, data, filters
from csops.app.data import fcr, records

TITLE = "First contact resolution"
URL_PATH = "first-contact-resolution"

ONE_DAY_MILLISECONDS = 24 * 60 * 60 * 1000
DAILY_TICKS_MAX_DAYS = 14
WEEKLY_TICKS_MAX_WEEKS = 16
MAX_MARKER_PIXELS = 14
MIN_MARKER_PIXELS = 3
INCOMPLETE_MARKER = "circle-open"
COMPLETE_MARKER = "circle"
NO_CATEGORY = "(no category)"
ALL_CATEGORIES = "All categories"
UNKNOWN_TEAM_LABEL = "unknown (no team)"

MARKER_SENTENCE = (" A marker's area is its n (eligible contacts; survey answers): a small dot rests on few "
                   "contacts and swings easily (the FCR marts carry no low-sample flag). Hover for the counts.")
NO_CHANNEL = "Select at least one channel in the sidebar to see FCR by channel."
NO_TEAM = "Select at least one team in the sidebar to see FCR by team and agent."

# How the tables label and format the FCR marts' shared columns. Rates get no format here: the
# tables show them through components.table's percent_columns (one decimal, "n/a" for a null
# rate, which the browser's "percent" format would show as "None").
FCR_RATE_COLUMNS = ("operational_fcr_rate", "survey_fcr_rate")
REPEAT_RATE_COLUMNS = ("repeat_rate", "next_channel_share_rate", "next_channel_repeat_rate")
FCR_MEASURE_CONFIG = {
    "inbound_contact_count": st.column_config.NumberColumn("Inbound contacts", format="%d"),
    "resolved_on_contact_count": st.column_config.NumberColumn("Resolved on contact", format="%d"),
    "fcr_eligible_contact_count": st.column_config.NumberColumn("FCR-eligible (window closed)", format="%d"),
    "first_contact_resolved_count": st.column_config.NumberColumn("Resolved, no repeat", format="%d"),
    "window_open_contact_count": st.column_config.NumberColumn("Window still open", format="%d"),
    "operational_fcr_rate": st.column_config.NumberColumn("Operational FCR"),
    "survey_fcr_response_count": st.column_config.NumberColumn("Survey answers (n)", format="%d"),
    "survey_fcr_rate": st.column_config.NumberColumn("Survey FCR"),
    "fcr_window_days": st.column_config.NumberColumn("Window (days)", format="%d"),
}
REPEAT_GROUP_CONFIG = {
    "channel": st.column_config.TextColumn("Channel"),
    "issue_category": st.column_config.TextColumn("Issue category"),
    "fcr_eligible_contact_count": st.column_config.NumberColumn("FCR-eligible (n)", format="%d"),
    "group_repeat_contact_count": st.column_config.NumberColumn("Came back", format="%d"),
    "repeat_rate": st.column_config.NumberColumn("Repeat rate"),
    "window_open_contact_count": st.column_config.NumberColumn("Window still open", format="%d"),
    "inbound_contact_count": st.column_config.NumberColumn("Inbound contacts", format="%d"),
}
REPEAT_PATH_CONFIG = {
    "channel": st.column_config.TextColumn("First channel"),
    "issue_category": st.column_config.TextColumn("Issue category"),
    "next_channel": st.column_config.TextColumn("Came back on"),
    "repeat_contact_count": st.column_config.NumberColumn("Contacts", format="%d"),
    "next_channel_share_rate": st.column_config.NumberColumn("Share of the group's repeats"),
    "next_channel_repeat_rate": st.column_config.NumberColumn("Share of eligible contacts"),
    "group_repeat_contact_count": st.column_config.NumberColumn("Group came back", format="%d"),
    "fcr_eligible_contact_count": st.column_config.NumberColumn("Group FCR-eligible (n)", format="%d"),
}


def render() -> None:
    st.title(TITLE)
    page = components.start_page(fcr.CHANNEL_WEEK_MART)
    if page is None:
        return
    publication, chosen = page
    grains = fcr.fcr_grains(publication)
    options = chosen.options
    target = fcr.target(publication)
    window_days = data.build_parameters(publication).get("fcr_window_days")
    window = f"{window_days}-day" if window_days is not None else "`fcr_window_days`"
    st.caption(
        f"**Operational FCR**: of the contacts resolved on contact whose {window} repeat window has closed, the "
        "share with no repeat by the same customer about the same issue category, on any channel. **Survey FCR**: "
        "the share of survey answers saying \"yes, my issue was resolved\". The two are shown side by side and "
        "never blended. Contacts whose window is still open are left out of the operational rate, so the latest "
        f"periods are incomplete until their windows close. Contacts {chosen.start_date} to {chosen.end_date}; "
        "weeks are shown whole when any of their days is in the range."
    )
    channel_colors = _colors(options.channels)
    _render_channel_trend(publication, chosen, grains, target, channel_colors)
    _render_team_trend(publication, chosen, options, target)
    week = _choose_week(publication, chosen)
    if week is None:
        return
    _render_repeats(publication, chosen, week, channel_colors)
    _render_agents(publication, chosen, week)


# --- Trends -----------------------------------------------------------------------------------------------------

def _render_channel_trend(publication, chosen: filters.Filters, grains: list[fcr.FcrGrain], target: dict | None,
                          colors: dict[str, str]) -> None:
    st.subheader("Is first contact resolution improving? By channel")
    grain = st.radio("Grain", grains, format_func=lambda g: g.label, horizontal=True, key="fcr_grain")
    if not chosen.channels:
        st.info(NO_CHANNEL)
        return
    rows = fcr.channel_rows(publication, grain, chosen.start_date, chosen.end_date, chosen.channels)
    if rows.empty:
        st.info(f"No contacts in the selected channels between {chosen.start_date} and {chosen.end_date}.")
        return
    period = grain.period_column
    st.plotly_chart(_fcr_figure(rows, period, grain.period_label, "channel", colors, target, grain.days),
                    width="stretch", key="fcr_channel_trend")
    st.caption(
        f"**Is FCR improving, channel by channel?** Each point is one {grain.label.lower()} x channel of "
        f"`{grain.mart}`; left the operational rate, right the survey rate (same colours), never blended. "
        + _target_sentence(target) + _incomplete_sentence(rows, period, grain.label.lower())
        + MARKER_SENTENCE + " **The team filter does not apply here** (the mart has no team column)."
    )
    components.table(
        rows, file_name=f"{grain.mart}_{chosen.start_date}_{chosen.end_date}", key=f"fcr_channel_{grain.label}",
        percent_columns=FCR_RATE_COLUMNS,
        column_config={period: st.column_config.DateColumn(grain.period_label, format="YYYY-MM-DD"),
                       "channel": st.column_config.TextColumn("Channel"), **FCR_MEASURE_CONFIG},
        caption=f"The mart's {len(rows):,} rows for these filters (rates in the CSV are fractions from 0 to 1).",
    )
    _contacts_drill_down(
        publication, rows, key=f"fcr_channel_{grain.label}", newest_first=True,
        label=lambda row: f"{row[period]} {row['channel']}: " + _counts_label(row),
        scope=lambda row: {"start_date": row[period], "end_date": grain.last_day(row[period]),
                           "channel": row["channel"]},
    )


def _render_team_trend(publication, chosen: filters.Filters, options: data.FilterOptions,
                       target: dict | None) -> None:
    st.subheader("By team")
    if not components.needs_tables(publication, fcr.TEAM_WEEK_MART):
        return
    if options.teams and not chosen.teams:
        st.info(NO_TEAM)
        return
    rows = fcr.team_rows(publication, chosen.start_date, chosen.end_date, chosen.teams, chosen.is_every_team)
    if rows.empty:
        st.info(f"No contacts handled by the selected teams between {chosen.start_date} and {chosen.end_date}.")
        return
    rows = rows.assign(team_name=rows["team_name"].replace({fcr.UNKNOWN_TEAM: UNKNOWN_TEAM_LABEL}))
    colors = _colors(sorted(rows["team_name"].unique()))
    st.plotly_chart(_fcr_figure(rows, "week_start_date", "Week starting (Monday)", "team_name", colors, target,
                                fcr.DAYS_IN_WEEK),
                    width="stretch", key="fcr_team_trend")
    st.caption(
        "**Which teams resolve first time, and is it improving?** Each point is one team x week of "
        "`fcr_by_team_week` (the team of the agent who handled the contact, on its day); left operational, right "
        "survey FCR. " + _target_sentence(target) + _incomplete_sentence(rows, "week_start_date", "week")
        + MARKER_SENTENCE + " **The channel filter does not apply here** (the mart has no channel column). "
        f"'{UNKNOWN_TEAM_LABEL}' holds contacts no team handled (e.g. calls never answered); it is shown only "
        "when every team is selected."
    )
    components.table(
        rows[["week_start_date", "team_name", "team_key", *fcr.FCR_MEASURE_COLUMNS]],
        file_name=f"fcr_by_team_week_{chosen.start_date}_{chosen.end_date}", key="fcr_team",
        percent_columns=FCR_RATE_COLUMNS,
        column_config={"week_start_date": st.column_config.DateColumn("Week starting (Monday)", format="YYYY-MM-DD"),
                       "team_name": st.column_config.TextColumn("Team"), **FCR_MEASURE_CONFIG},
        caption=f"The mart's {len(rows):,} team-weeks for these filters.",
    )
    _contacts_drill_down(
        publication, rows, key="fcr_team", newest_first=True,
        label=lambda row: f"{row['week_start_date']} {row['team_name']}: " + _counts_label(row),
        scope=lambda row: {"start_date": row["week_start_date"],
                           "end_date": fcr.FCR_GRAINS[0].last_day(row["week_start_date"]),
                           **_equal_or_null("team_key", row["team_key"])},
    )


def _fcr_figure(rows: pd.DataFrame, period: str, period_label: str, series_column: str, colors: dict[str, str],
                target: dict | None, period_days: int) -> go.Figure:
    """Operational FCR (left) and survey FCR (right), one line per series, hollow where windows are open."""
    figure = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.05, subplot_titles=(
        "Operational FCR (no repeat within the window)", "Survey FCR (customers answering \"resolved\")"))
    # Marker area in proportion to the point's n (eligible contacts, survey answers): a rate resting
    # on a handful of contacts (a week only partly in the data) stays a small dot.
    operational_size = _size_reference(rows["fcr_eligible_contact_count"])
    survey_size = _size_reference(rows["survey_fcr_response_count"])
    for series, series_rows in rows.groupby(series_column, sort=True):
        color = colors.get(str(series), "#636efa")
        shown_series = components.chart_text(series)
        is_open = series_rows["window_open_contact_count"] > 0
        figure.add_trace(go.Scatter(
            x=series_rows[period], y=series_rows["operational_fcr_rate"], name=shown_series, legendgroup=shown_series,
            mode="lines+markers", line={"color": color, "width": 2},
            marker={"color": color, "line": {"width": 2, "color": color}, **operational_size,
                    "size": series_rows["fcr_eligible_contact_count"].tolist(),
                    "symbol": [INCOMPLETE_MARKER if open_ else COMPLETE_MARKER for open_ in is_open]},
            customdata=list(zip(series_rows["first_contact_resolved_count"], series_rows["fcr_eligible_contact_count"],
                                series_rows["window_open_contact_count"],
                                ["<br>incomplete: windows still open" if open_ else "" for open_ in is_open])),
            hovertemplate=(f"<b>{shown_series}</b> %{{x|%Y-%m-%d}}<br>operational FCR %{{y:.1%}}<br>"
                           "%{customdata[0]} of %{customdata[1]} eligible had no repeat<br>"
                           "window still open: %{customdata[2]}%{customdata[3]}<extra></extra>"),
        ), row=1, col=1)
        figure.add_trace(go.Scatter(
            x=series_rows[period], y=series_rows["survey_fcr_rate"], name=shown_series, legendgroup=shown_series,
            showlegend=False, mode="lines+markers", line={"color": color, "width": 2, "dash": "dot"},
            marker={"color": color, **survey_size, "size": series_rows["survey_fcr_response_count"].tolist()},
            customdata=series_rows["survey_fcr_response_count"],
            hovertemplate=(f"<b>{shown_series}</b> %{{x|%Y-%m-%d}}<br>survey FCR %{{y:.1%}}<br>"
                           "n = %{customdata} answers<extra></extra>"),
        ), row=1, col=2)
    if target is not None:
        figure.add_hline(y=float(target["target_value"]), row=1, col=1, line={"dash": "dash", "color": "#444"},
                         annotation_text=f"target {float(target['target_value']):.0%}",
                         annotation_position="bottom right")
    figure.update_yaxes(tickformat=".0%", row=1, col=1, title_text="FCR rate (share of contacts / answers)")
    figure.update_yaxes(tickformat=".0%", row=1, col=2)
    figure.update_xaxes(title_text=period_label, tickformat="%Y-%m-%d", **_period_ticks(rows[period], period_days))
    figure.update_layout(legend_title_text=series_column.replace("_name", "").capitalize(), hovermode="closest",
                         legend_itemsizing="constant",
                         margin={"t": 40, "b": 40})
    return figure


def _size_reference(counts: pd.Series) -> dict:
    """Plotly marker settings that make a marker's area proportional to its count, the largest
    ``MAX_MARKER_PIXELS`` across."""
    largest = max(float(counts.max()) if not counts.empty else 0.0, 1.0)
    return {"sizemode": "area", "sizeref": 2.0 * largest / MAX_MARKER_PIXELS ** 2, "sizemin": MIN_MARKER_PIXELS}


def _period_ticks(periods: pd.Series, period_days: int) -> dict:
    """Ticks on the periods themselves (each week's Monday, each day), else Plotly labels hours."""
    first, last = min(periods), max(periods)
    spanned = (last - first).days + 1
    if period_days == fcr.DAYS_IN_WEEK:
        step = 1 if spanned <= 7 * WEEKLY_TICKS_MAX_WEEKS else 4
        return {"tick0": first, "dtick": 7 * step * ONE_DAY_MILLISECONDS}
    return {"dtick": ONE_DAY_MILLISECONDS} if spanned <= DAILY_TICKS_MAX_DAYS else {}


def _target_sentence(target: dict | None) -> str:
    if target is None:
        return "No operational FCR target is published (`marts.kpi_targets`). "
    source = str(target.get("target_source") or "").replace("_", " ")
    return (f"Dashed line: the operational FCR target, {float(target['target_value']):.0%} ({source}); survey FCR "
            "has no target. ")


def _incomplete_sentence(rows: pd.DataFrame, period: str, period_name: str) -> str:
    open_periods = sorted(rows.loc[rows["window_open_contact_count"] > 0, period].unique())
    if not open_periods:
        return f"Every {period_name} shown is complete: all its repeat windows have closed."
    listed = ", ".join(f"{value}" for value in open_periods[:6]) + (" ..." if len(open_periods) > 6 else "")
    return (f"**Hollow markers are incomplete {period_name}s** (contacts whose repeat window is still open, left out "
            f"of the rate until it closes): {listed}.")


# --- One week: repeats, paths, agents ---------------------------------------------------------------------------

def _choose_week(publication, chosen: filters.Filters) -> date | None:
    weeks = fcr.weeks(publication, chosen.start_date, chosen.end_date)
    if weeks.empty:
        st.info(f"No FCR week between {chosen.start_date} and {chosen.end_date}.")
        return None
    open_weeks = dict(zip(weeks["week_start_date"], weeks["has_open_windows"].astype(bool)))
    complete = [index for index, week in enumerate(weeks["week_start_date"]) if not open_weeks[week]]
    st.divider()
    return st.selectbox(
        "Week for repeat contacts and agents", list(weeks["week_start_date"]), index=complete[0] if complete else 0,
        key=f"fcr_week_{chosen.start_date}_{chosen.end_date}",
        format_func=lambda week: f"{week} (Monday)" + (": incomplete, windows still open" if open_weeks.get(week) else ""),
        help="Opens on the latest week in the range whose repeat windows have all closed.",
    )


def _render_repeats(publication, chosen: filters.Filters, week: date, colors: dict[str, str]) -> None:
    st.subheader(f"Where do customers come back, and about what? Week of {week}")
    if not components.needs_tables(publication, fcr.PATHS_MART):
        return
    if not chosen.channels:
        st.info(NO_CHANNEL)
        return
    groups = fcr.repeat_groups(publication, week, chosen.channels)
    if groups.empty:
        st.info(f"No contacts in the selected channels in the week of {week}.")
        return
    groups = groups.assign(issue_category=groups["issue_category"].fillna(NO_CATEGORY))
    if int(groups["window_open_contact_count"].sum()) > 0:
        st.warning(f"The week of {week} is incomplete: some of its contacts' repeat windows are still open, and "
                   "they are left out of these repeat rates until they close.", icon=":material/schedule:")
    st.plotly_chart(_repeat_heatmap(groups), width="stretch", key="fcr_repeat_heatmap")
    st.caption(
        "**Where do customers come back, about what?** Each cell is one channel x issue category group of "
        "`fcr_repeat_paths_weekly`: the repeat rate, the share of its FCR-eligible contacts (resolved on contact, "
        "window closed) whose customer came back about the same category on any channel (1 - operational FCR of "
        "the group), with n = eligible contacts. Darker is worse; a small n swings easily (this mart has no "
        "low-sample flag, so nothing is ranked). The channel filter picks the first contact's channel; "
        "**the team filter does not apply** (the mart has no team)."
    )
    components.table(
        groups[list(fcr.REPEAT_GROUP_COLUMNS)], file_name=f"fcr_repeat_groups_{week}", key="fcr_repeat_groups",
        percent_columns=REPEAT_RATE_COLUMNS, column_config=REPEAT_GROUP_CONFIG,
        caption=f"The week's {len(groups):,} channel x category groups, as the mart states them.",
    )
    _contacts_drill_down(
        publication, groups, key="fcr_repeat_groups",
        label=lambda row: (f"{row['channel']} / {row['issue_category']}: {int(row['fcr_eligible_contact_count']):,} "
                           f"eligible, {int(row['group_repeat_contact_count']):,} came back"),
        scope=lambda row: {"start_date": week, "end_date": fcr.FCR_GRAINS[0].last_day(week), "channel": row["channel"],
                           **_equal_or_null("issue_category", None if row["issue_category"] == NO_CATEGORY
                                            else row["issue_category"])},
    )
    _render_paths(publication, week, chosen, colors)


def _render_paths(publication, week: date, chosen: filters.Filters, colors: dict[str, str]) -> None:
    st.markdown("**Where do they go next?**")
    paths = fcr.repeat_paths(publication, week, chosen.channels)
    if paths.empty:
        st.info(f"No FCR-eligible contact in the selected channels came back in the week of {week}.")
        return
    paths = paths.assign(issue_category=paths["issue_category"].fillna(NO_CATEGORY))
    categories = sorted(paths["issue_category"].unique())
    category = st.selectbox("Issue category (where customers go next)", [ALL_CATEGORIES, *categories],
                            key=f"fcr_path_category_{week}")
    shown = paths if category == ALL_CATEGORIES else paths[paths["issue_category"] == category]
    st.plotly_chart(_paths_sankey(shown, colors), width="stretch", key="fcr_paths_sankey")
    category_shown = "all categories" if category == ALL_CATEGORIES else components.plain(category)
    st.caption(
        "**Where do customers go next when they come back?** Left: the channel of the resolved contact; right: the "
        "channel of the customer's first repeat about the same category within the window. Band widths are the "
        f"week's repeat contacts (`repeat_contact_count`) for {category_shown}; "
        "contacts that did not come back are not drawn. Shares are in the table below, as the mart states them."
    )
    components.table(
        shown[list(fcr.REPEAT_PATH_COLUMNS)], file_name=f"fcr_repeat_paths_{week}", key="fcr_repeat_paths",
        percent_columns=REPEAT_RATE_COLUMNS, column_config=REPEAT_PATH_CONFIG,
        caption="Each path's contacts, its share of the group's repeats and of the group's eligible contacts.",
    )
    components.drill_down(
        shown, key=f"fcr_repeat_paths_{week}", what="contacts", file_name="fcr_path_contacts",
        label=lambda row: (f"{row['channel']} / {row['issue_category']} -> {row['next_channel']}: "
                           f"{int(row['repeat_contact_count']):,} contacts"),
        records=lambda row: records.fcr_contacts(
            publication, week, fcr.FCR_GRAINS[0].last_day(week), channel=row["channel"],
            first_repeat_channel=row["next_channel"],
            **_equal_or_null("issue_category", None if row["issue_category"] == NO_CATEGORY else row["issue_category"]),
            **fcr.CONTACT_SETS[_CAME_BACK]),
    )


def _render_agents(publication, chosen: filters.Filters, week: date) -> None:
    st.subheader(f"Agents, week of {week}")
    if not components.needs_tables(publication, fcr.AGENT_WEEK_MART):
        return
    if chosen.all_teams and not chosen.teams:
        st.info(NO_TEAM)
        return
    rows = fcr.agent_rows(publication, week, chosen.teams, chosen.is_every_team)
    if rows.empty:
        st.info(f"No agent of the selected teams handled a contact in the week of {week}.")
        return
    components.table(
        rows[["week_start_date", "agent_name", "team_names", "agent_id", *fcr.FCR_MEASURE_COLUMNS]],
        file_name=f"fcr_by_agent_week_{week}", key="fcr_agents", percent_columns=FCR_RATE_COLUMNS,
        column_config={"agent_name": st.column_config.TextColumn("Agent"),
                       "team_names": st.column_config.TextColumn("Team(s) that week"), **FCR_MEASURE_CONFIG},
        caption=(f"**How does each agent resolve first time?** `fcr_by_agent_week` for the week of {week}: agents "
                 "who handled a contact for a selected team that week (their team on the contact's day), listed by "
                 "team and name, **not ranked**: the FCR marts carry no low-sample flag and an agent's week rests on "
                 "few contacts, so read each rate with its n. The channel filter does not apply (the mart has no "
                 "channel)."),
    )
    _contacts_drill_down(
        publication, rows, key=f"fcr_agents_{week}",
        label=lambda row: f"{row['agent_name']} ({row['team_names']}): " + _counts_label(row),
        scope=lambda row: {"start_date": week, "end_date": fcr.FCR_GRAINS[0].last_day(week),
                           **_equal_or_null("agent_id", None if pd.isna(row["agent_id"]) else int(row["agent_id"]))},
    )


def _repeat_heatmap(groups: pd.DataFrame) -> go.Figure:
    rates = groups.pivot(index="issue_category", columns="channel", values="repeat_rate")
    counts = groups.pivot(index="issue_category", columns="channel", values="fcr_eligible_contact_count")
    repeated = groups.pivot(index="issue_category", columns="channel", values="group_repeat_contact_count")
    text = [[("n/a" if pd.isna(rate) else f"{rate:.0%}") + ("" if pd.isna(n) else f"<br>n={int(n)}")
             for rate, n in zip(rate_row, n_row)]
            for rate_row, n_row in zip(rates.to_numpy(), counts.to_numpy())]
    figure = go.Figure(go.Heatmap(
        z=rates.to_numpy(), x=[components.chart_text(channel) for channel in rates.columns],
        y=[components.chart_text(category) for category in rates.index], text=text, texttemplate="%{text}",
        customdata=[list(zip(n_row, r_row)) for n_row, r_row in zip(counts.to_numpy(), repeated.to_numpy())],
        colorscale="Reds", zmin=0, colorbar={"title": {"text": "Repeat rate"}, "tickformat": ".0%"},
        hovertemplate=("<b>%{x} / %{y}</b><br>repeat rate %{z:.1%}<br>%{customdata[1]} of %{customdata[0]} "
                       "eligible came back<extra></extra>"),
    ))
    figure.update_layout(xaxis_title="Channel of the first contact", yaxis_title="Issue category",
                         yaxis={"autorange": "reversed"}, margin={"t": 20, "b": 40},
                         height=max(260, 60 * len(rates.index) + 120))
    return figure


def _paths_sankey(paths: pd.DataFrame, colors: dict[str, str]) -> go.Figure:
    # One week's counts, added up over the issue categories shown: a count per channel pair, no rate.
    flows = paths.groupby(["channel", "next_channel"], as_index=False)["repeat_contact_count"].sum()
    sources = sorted(flows["channel"].unique())
    targets = sorted(flows["next_channel"].unique())
    labels = ([f"{components.chart_text(channel)} (first contact)" for channel in sources]
              + [f"{components.chart_text(channel)} (came back on)" for channel in targets])
    node_colors = [colors.get(channel, "#888") for channel in [*sources, *targets]]
    figure = go.Figure(go.Sankey(
        arrangement="fixed",
        node={"label": labels, "color": node_colors, "pad": 18, "thickness": 16},
        link={"source": [sources.index(channel) for channel in flows["channel"]],
              "target": [len(sources) + targets.index(channel) for channel in flows["next_channel"]],
              "value": flows["repeat_contact_count"].tolist(),
              "color": [_translucent(colors.get(channel, "#888")) for channel in flows["channel"]],
              "hovertemplate": "%{source.label} -> %{target.label}: %{value} contacts<extra></extra>"},
    ))
    figure.update_layout(margin={"t": 20, "b": 20}, height=360)
    return figure


# --- Drill-down -------------------------------------------------------------------------------------------------

_CAME_BACK = list(fcr.CONTACT_SETS)[1]


def _contacts_drill_down(publication, rows: pd.DataFrame, *, key: str, label, scope,
                         newest_first: bool = False) -> None:
    """The contacts behind one row, in the set the manager picks (eligible, came back, window open, all)."""
    if newest_first:
        rows = rows.iloc[::-1]
    contact_set = st.radio("Contacts to list in the drill-down", list(fcr.CONTACT_SETS), horizontal=True,
                           key=f"{key}_set")
    components.drill_down(
        rows, key=key, what="contacts", file_name="fcr_contacts", label=label,
        records=lambda row: records.fcr_contacts(publication, **scope(row), **fcr.CONTACT_SETS[contact_set]),
    )


def _equal_or_null(column: str, value) -> dict:
    """A records filter on ``column``: equal to ``value``, or null when the row's value is null."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return {"null_columns": (column,)}
    return {column: value}


def _counts_label(row: pd.Series) -> str:
    return (f"{int(row['fcr_eligible_contact_count']):,} eligible, {int(row['window_open_contact_count']):,} "
            f"window open, {int(row['inbound_contact_count']):,} inbound")


def _colors(values) -> dict[str, str]:
    """One colour per value, assigned over every value so that filtering keeps colours."""
    palette = plotly.colors.qualitative.Plotly
    return {str(value): palette[index % len(palette)] for index, value in enumerate(values)}


def _translucent(hex_color: str) -> str:
    red, green, blue = (int(hex_color[index:index + 2], 16) for index in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, 0.4)"


if __name__ == "__main__":  # Streamlit runs the page's file as a script
    render()
