"""Page: Customer feedback. Which channel, team or agent drags CSAT down, and why: what do
customers write?

For one week (the latest of the date range unless the manager picks another), the CSAT top-2
rate with its Wilson 95% interval and n, NPS and CES of each channel, team and agent
(``feedback_by_*_week``), then the themes of the survey comments with the CSAT of the responses
that mention them (``feedback_themes_weekly``) and the comments themselves
(``survey_comment_examples``). Every number is a mart column at the mart's grain. Rows below
``min_responses`` are drawn hollow and listed after the ranked rows, unranked.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from csops.app import components, filters
from csops.app.data import feedback, records

TITLE = "Customer feedback"
URL_PATH = "customer-feedback"
CSAT_TREND_URL_PATH = "csat-by-channel"  # app/views/csat_by_channel.py

WEEK_KEY = "feedback_week"
THEME_KEY = "feedback_theme"
DRILL_MODE_KEY = "feedback_drill_mode"
RESPONSES_MODE = "Surveyed contacts, with their answers"
CONTACTS_MODE = "Every contact handled"
RANK_COLUMN = "csat_rank"
NOT_RANKED = "not ranked"

RANKED_COLOR = "#1f77b4"
LOW_SAMPLE_COLOR = "#7f7f7f"
CENTRE_COLOR = "#444444"
TARGET_COLOR = "#2ca02c"
ROW_PIXELS = 24

RATE_COLUMNS = ("csat_top2_rate", "csat_top2_rate_ci95_low", "csat_top2_rate_ci95_high", "response_rate",
                "survey_fcr_rate", "csat_good_rate", "comment_share_rate", "comment_share_rate_change")

# How the tables label the marts' columns; the CSV keeps every column, rates as 0-1 fractions.
MEASURE_CONFIG = {
    "response_count": st.column_config.NumberColumn("Responses", format="%d"),
    "csat_response_count": st.column_config.NumberColumn("CSAT n", format="%d"),
    "csat_top2_rate": st.column_config.NumberColumn("CSAT top-2"),
    "csat_top2_rate_ci95_low": st.column_config.NumberColumn("95% low"),
    "csat_top2_rate_ci95_high": st.column_config.NumberColumn("95% high"),
    "csat_mean_score": st.column_config.NumberColumn("Mean (1-5)", format="%.2f"),
    "is_low_sample": st.column_config.CheckboxColumn("Low sample"),
    "nps": st.column_config.NumberColumn("NPS (-100..100)", format="%.1f"),
    "nps_response_count": st.column_config.NumberColumn("NPS n", format="%d"),
    "ces_mean_score": st.column_config.NumberColumn("CES (1-7)", format="%.2f"),
    "ces_response_count": st.column_config.NumberColumn("CES n", format="%d"),
    "response_rate": st.column_config.NumberColumn("Response rate"),
    "survey_fcr_rate": st.column_config.NumberColumn("Survey FCR"),
    "csat_good_rate": st.column_config.NumberColumn("Good rate (good/bad surveys)"),
}
RANK_CONFIG = {RANK_COLUMN: st.column_config.TextColumn("Rank (1 = lowest CSAT)")}
CHANNEL_CONFIG = {**RANK_CONFIG, "channel": st.column_config.TextColumn("Channel"), **MEASURE_CONFIG}
TEAM_CONFIG = {**RANK_CONFIG, "team_name": st.column_config.TextColumn("Team"), **MEASURE_CONFIG}
AGENT_CONFIG = {**RANK_CONFIG, "agent_name": st.column_config.TextColumn("Agent"),
                "team_names": st.column_config.TextColumn("Team(s) that week"), **MEASURE_CONFIG}
THEME_CONFIG = {
    RANK_COLUMN: RANK_CONFIG[RANK_COLUMN],
    "theme_label": st.column_config.TextColumn("Theme"),
    "mention_count": st.column_config.NumberColumn("Mentions", format="%d"),
    "mention_count_change": st.column_config.NumberColumn("Change vs week before", format="%+d"),
    "comment_share_rate": st.column_config.NumberColumn("Share of comments"),
    "comment_share_rate_change": st.column_config.NumberColumn("Share change (points)"),
    "csat_response_count": st.column_config.NumberColumn("CSAT n", format="%d"),
    "csat_top2_rate": st.column_config.NumberColumn("CSAT top-2"),
    "csat_top2_rate_ci95_low": st.column_config.NumberColumn("95% low"),
    "csat_top2_rate_ci95_high": st.column_config.NumberColumn("95% high"),
    "csat_mean_score": st.column_config.NumberColumn("Mean (1-5)", format="%.2f"),
    "is_low_sample": st.column_config.CheckboxColumn("Low sample"),
    "sentiment_mean_score": st.column_config.NumberColumn("Mean sentiment (-1..1)", format="%.2f"),
}
COMMENT_CONFIG = {
    "contact_date": st.column_config.DateColumn("Contact date", format="YYYY-MM-DD"),
    "csat_score": st.column_config.NumberColumn("CSAT (1-5)", format="%d"),
    "comment_text_redacted": st.column_config.TextColumn("Comment (redacted)", width="large"),
    "sentiment_label": st.column_config.TextColumn("Sentiment"),
    "sentiment_score": st.column_config.NumberColumn("Score (-1..1)", format="%.2f"),
    "themes": st.column_config.TextColumn("Themes"),
    "channel": st.column_config.TextColumn("Channel"),
    "team_name": st.column_config.TextColumn("Team"),
    "agent_name": st.column_config.TextColumn("Agent"),
}


def render() -> None:
    st.title(TITLE)
    page = components.start_page()
    if page is None:
        return
    publication, chosen = page
    st.caption(
        "**Which channel, team or agent drags CSAT down this week, and why?** One week at a time, as the weekly "
        "feedback marts state it (weeks of the contact surveyed, shown whole when any of their days is in the "
        f"date range). The CSAT trend of each channel week by week is on [CSAT by channel]({_csat_trend_link()})."
    )
    if not chosen.has_selection:
        st.info(components.NO_SELECTION)
        return
    weeks = feedback.weeks(publication, chosen.start_date, chosen.end_date)
    if not weeks:
        st.info(f"No survey responses for contacts between {chosen.start_date} and {chosen.end_date}, or the "
                "publication has no feedback marts yet. Widen the contact dates in the sidebar, or run `csops run`.")
        return
    if st.session_state.get(WEEK_KEY) not in weeks:
        st.session_state[WEEK_KEY] = weeks[-1]  # the latest week of the range, and again when the range moves
    left, right = st.columns([1, 2])
    week = left.selectbox("Week (starting Monday)", weeks, key=WEEK_KEY, format_func=lambda day: f"{day:%Y-%m-%d}")
    drill_mode = right.radio("Drill-downs list", (RESPONSES_MODE, CONTACTS_MODE), key=DRILL_MODE_KEY,
                             horizontal=True,
                             help="The records behind a row: the survey responses it counts (each with its "
                                  "contact, scores and comment), or every contact of that week.")
    centre = _centre(publication, week)
    _render_week_note(week, centre)

    st.header("Who drags CSAT down?")
    _render_channels(publication, chosen, week, centre, drill_mode)
    _render_teams(publication, chosen, week, centre, drill_mode)
    _render_agents(publication, chosen, week, centre, drill_mode)

    st.header("Why? What customers write")
    themes = _render_themes(publication, week, centre)
    if themes is not None:
        _render_comments(publication, chosen, week, themes)


# --- The week ------------------------------------------------------------------------------------------------------

def _csat_trend_link() -> str:
    """The CSAT-by-channel page with the same filters (a new tab restores them from the address)."""
    params = st.query_params.to_dict()
    query = urlencode([(name, value) for name in params for value in st.query_params.get_all(name)])
    return f"{CSAT_TREND_URL_PATH}?{query}" if query else CSAT_TREND_URL_PATH


def _centre(publication, week: date) -> dict[str, pd.Series]:
    """The whole centre's CSAT and NPS of the week, by KPI name (empty without the overview mart)."""
    rows = feedback.centre_week(publication, week)
    return {str(row["kpi_name"]): row for _, row in rows.iterrows()}


def _render_week_note(week: date, centre: dict[str, pd.Series]) -> None:
    csat = centre.get("csat_top2_rate")
    parts = [f"Week of {week:%Y-%m-%d} to {feedback.week_end(week):%Y-%m-%d}."]
    if csat is not None and pd.notna(csat["kpi_value"]):
        target = (f"; target {csat['target_value']:.0%}" if pd.notna(csat["target_value"]) else "")
        parts.append(f"The whole centre (every channel and team): CSAT top-2 **{csat['kpi_value']:.1%}** "
                     f"(n = {int(csat['sample_size']):,}{target}), drawn as a dashed line on the charts below.")
        if pd.notna(csat["is_complete_week"]) and not bool(csat["is_complete_week"]):
            as_of = f" (data as of {csat['as_of_at']:%Y-%m-%d %H:%M} UTC)" if pd.notna(csat["as_of_at"]) else ""
            parts.append(f"**This week is not over yet**{as_of}: its numbers will still move.")
    nps = centre.get("nps")
    if nps is not None and pd.notna(nps["kpi_value"]):
        parts.append(f"NPS {nps['kpi_value']:.1f} (n = {int(nps['sample_size']):,}).")
    st.caption(" ".join(parts))


# --- Channels, teams, agents ----------------------------------------------------------------------------------------

def _render_channels(publication, chosen: filters.Filters, week: date, centre: dict, drill_mode: str) -> None:
    st.subheader("By channel")
    if not components.needs_tables(publication, feedback.CHANNEL_MART):
        return
    rows = feedback.channel_week(publication, week, chosen.channels)
    if rows.empty:
        st.info(f"No survey responses in the week of {week} in the selected channels. Choose other channels or "
                "another week.")
        return
    ranked = rank_rows(rows.assign(label=rows["channel"]), "channel")
    _render_ranking(
        ranked, centre, key="feedback_channel", config=CHANNEL_CONFIG, what="channel",
        scope="The channel filter applies; the team filter does not (the mart has no team: each channel counts "
              "every team).",
        file_name=f"{feedback.CHANNEL_MART}_{week}",
    )
    _drill_down(publication, ranked, week, drill_mode, key="feedback_channel", column="channel",
                name=lambda row: row["channel"])


def _render_teams(publication, chosen: filters.Filters, week: date, centre: dict, drill_mode: str) -> None:
    st.subheader("By team")
    if not components.needs_tables(publication, feedback.TEAM_MART, feedback.TEAMS_DIMENSION):
        return
    rows = feedback.team_week(publication, week, chosen.teams)
    teamless = rows[rows["team_key"].isna()]
    rows = rows[rows["team_key"].notna()]
    if rows.empty:
        st.info(f"No survey responses in the week of {week} for the selected teams. Choose other teams or "
                "another week.")
        return
    ranked = rank_rows(rows.assign(label=rows["team_name"]), "team_name")
    not_shown = (f" {int(teamless['response_count'].sum()):,} responses of the week were for contacts with no "
                 "team; they count in the channels above, not here." if not teamless.empty else "")
    _render_ranking(
        ranked, centre, key="feedback_team", config=TEAM_CONFIG, what="team",
        scope="The team filter applies; the channel filter does not (the mart has no channel: each team counts "
              "all its channels). A contact counts in the team its agent was in that day." + not_shown,
        file_name=f"{feedback.TEAM_MART}_{week}",
    )
    _drill_down(publication, ranked, week, drill_mode, key="feedback_team", column="team_key",
                name=lambda row: row["team_name"])


def _render_agents(publication, chosen: filters.Filters, week: date, centre: dict, drill_mode: str) -> None:
    st.subheader("By agent")
    if not components.needs_tables(publication, feedback.AGENT_MART, feedback.AGENTS_DIMENSION,
                                   feedback.AGENT_TEAMS_DIMENSION, feedback.TEAMS_DIMENSION):
        return
    rows = feedback.agent_week(publication, week, chosen.teams, chosen.is_every_team)
    agentless = rows[rows["agent_id"].isna()]
    rows = rows[rows["agent_id"].notna()]
    if rows.empty:
        st.info(f"No survey responses in the week of {week} for agents of the selected teams.")
        return
    labels = rows["agent_name"] + " (" + rows["team_names"] + ")"
    duplicated = labels.duplicated(keep=False)
    labels = labels.where(~duplicated, labels + " #" + rows["agent_id"].astype("Int64").astype(str))
    ranked = rank_rows(rows.assign(label=labels), "agent_name")
    not_shown = (f" {int(agentless['response_count'].sum()):,} responses of the week were for contacts no "
                 "agent handled; they are not shown here." if not agentless.empty else "")
    _render_ranking(
        ranked, centre, key="feedback_agent", config=AGENT_CONFIG, what="agent",
        scope="Agents who were in a selected team on any day of the week; an agent who moved lists both teams and "
              "has one row for the week, all teams together. The channel filter does not apply (the mart has no "
              "channel)." + not_shown,
        file_name=f"{feedback.AGENT_MART}_{week}",
    )
    _drill_down(publication, ranked, week, drill_mode, key="feedback_agent", column="agent_id",
                name=lambda row: row["label"])


def rank_rows(rows: pd.DataFrame, name_column: str) -> pd.DataFrame:
    """The rows in the order a manager reads them: rows with enough responses ranked by CSAT top-2,
    lowest first (``csat_rank`` 1, 2, ...); then the low-sample rows (and rows with no CSAT),
    ``csat_rank`` "not ranked", by name. Nothing is recomputed: the order is that of the mart's rate."""
    is_ranked = ~rows["is_low_sample"].fillna(True).astype(bool) & rows["csat_top2_rate"].notna()
    ranked = rows[is_ranked].sort_values(["csat_top2_rate", name_column], kind="stable")
    # Text, so that the table says "not ranked" rather than an empty cell (rows come already ordered).
    ranked = ranked.assign(**{RANK_COLUMN: [str(rank) for rank in range(1, len(ranked) + 1)]})
    unranked = rows[~is_ranked].sort_values(name_column, kind="stable").assign(**{RANK_COLUMN: NOT_RANKED})
    return pd.concat([ranked, unranked], ignore_index=True)


def _render_ranking(ranked: pd.DataFrame, centre: dict, *, key: str, config: dict, what: str, scope: str,
                    file_name: str) -> None:
    # Rows without a CSAT rate (no 1-5 response) have no dot: the table lists them.
    st.plotly_chart(dot_interval_figure(ranked[ranked["csat_top2_rate"].notna()], centre), width="stretch",
                    key=f"{key}_chart")
    ranked_count = _ranked_count(ranked)
    unranked_count = len(ranked) - ranked_count
    min_responses = _min_responses(ranked)
    worst = ranked.iloc[0] if ranked_count else None
    answer = (f"Lowest CSAT among the {ranked_count} ranked {what}s: **{components.plain(worst['label'])}**, "
              f"{worst['csat_top2_rate']:.1%} (95% interval {worst['csat_top2_rate_ci95_low']:.1%} to "
              f"{worst['csat_top2_rate_ci95_high']:.1%}, n = {int(worst['csat_response_count'])}). "
              if worst is not None else f"No {what} has enough responses this week to be ranked. ")
    has_centre = centre.get("csat_top2_rate") is not None
    st.caption(
        f"**Which {what} drags CSAT down?** {answer}Each dot is {_article(what)} {what}'s CSAT top-2 rate for the "
        "week (share of 1-5 responses scoring 4 or 5), the bar its Wilson 95% interval; ranked lowest first. "
        f"**Hollow grey dots are low samples** (fewer than {min_responses} responses): they are **not ranked** and "
        f"are listed after the ranked {what}s, by name ({unranked_count} this week; {_article(what)} {what} with no "
        "1-5 response has no dot, only a table row). "
        + ("A dot whose whole bar lies left of the dashed line is below the whole centre beyond its own sampling "
           "noise. " if has_centre else "")
        + scope
    )
    shown = ranked.drop(columns=["label"])
    components.table(shown, file_name=file_name, key=key, column_config=config, percent_columns=RATE_COLUMNS,
                     caption=f"NPS, CES, response rate and survey FCR of the same {what}s, as the mart states them "
                             "(NPS and CES have no interval; read them with their n).")


def dot_interval_figure(ranked: pd.DataFrame, centre: dict) -> go.Figure:
    """A horizontal dot per row (its CSAT top-2 rate) with its Wilson 95% interval, in the rows'
    order from the top; low samples hollow and grey, below a dotted line."""
    ranked = _with_chart_labels(ranked)
    figure = go.Figure()
    _add_dots(figure, ranked, centre)
    figure.update_xaxes(title_text="CSAT top-2 (share of responses scoring 4-5)")
    figure.update_layout(height=150 + ROW_PIXELS * len(ranked), margin={"t": 50, "b": 40, "l": 10},
                         legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "xanchor": "left"},
                         hovermode="closest")
    return figure


def _with_chart_labels(ranked: pd.DataFrame) -> pd.DataFrame:
    """A copy whose ``label`` is Plotly text: the caption and the drill-down keep the label as it is."""
    return ranked.assign(label=ranked["label"].map(components.chart_text, na_action="ignore"))


def _add_dots(figure: go.Figure, ranked: pd.DataFrame, centre: dict, **cell) -> None:
    """The dots, their order, the line between ranked and low-sample rows, and the whole centre's
    CSAT and target as vertical lines, into ``figure`` (``cell``: its subplot's row and col)."""
    drawn = ranked[ranked["csat_top2_rate"].notna()]
    for is_low, name, color, symbol in ((False, "Ranked", RANKED_COLOR, "circle"),
                                        (True, "Low sample (not ranked)", LOW_SAMPLE_COLOR, "circle-open")):
        group = drawn[(drawn[RANK_COLUMN] == NOT_RANKED) == is_low]
        if not group.empty:
            figure.add_trace(dot_interval_trace(group, name, color, symbol), **cell)
    figure.update_yaxes(type="category", categoryorder="array", categoryarray=list(ranked["label"]),
                        autorange="reversed", tickfont={"size": 11})
    figure.update_xaxes(tickformat=".0%", range=[-0.02, 1.02], **cell)
    ranked_count = _ranked_count(ranked)
    if 0 < ranked_count < len(ranked):
        figure.add_hline(y=ranked_count - 0.5, line_dash="dot", line_color=LOW_SAMPLE_COLOR, line_width=1,
                         annotation_text="below: low sample, not ranked", annotation_position="bottom left",
                         annotation_font_color=LOW_SAMPLE_COLOR, **cell)
    csat = centre.get("csat_top2_rate")
    if csat is not None and pd.notna(csat["kpi_value"]):
        figure.add_vline(x=float(csat["kpi_value"]), line_dash="dash", line_color=CENTRE_COLOR,
                         annotation_text=f"whole centre {csat['kpi_value']:.0%}", annotation_position="top left",
                         annotation_font_color=CENTRE_COLOR, **cell)
        if pd.notna(csat["target_value"]):
            figure.add_vline(x=float(csat["target_value"]), line_dash="dot", line_color=TARGET_COLOR,
                             annotation_text=f"target {csat['target_value']:.0%}", annotation_position="top right",
                             annotation_font_color=TARGET_COLOR, **cell)


def dot_interval_trace(rows: pd.DataFrame, name: str, color: str, symbol: str) -> go.Scatter:
    rate = rows["csat_top2_rate"]
    return go.Scatter(
        x=rate, y=rows["label"], name=name, mode="markers",
        marker={"color": color, "size": 10, "symbol": symbol, "line": {"width": 2, "color": color}},
        # The mart's Wilson bounds, as asymmetric error bars around its rate.
        error_x={"type": "data", "symmetric": False, "array": rows["csat_top2_rate_ci95_high"] - rate,
                 "arrayminus": rate - rows["csat_top2_rate_ci95_low"], "color": color, "thickness": 1.5, "width": 4},
        customdata=list(zip(rows["csat_response_count"], rows["csat_top2_rate_ci95_low"],
                            rows["csat_top2_rate_ci95_high"], rows[RANK_COLUMN])),
        hovertemplate=("<b>%{y}</b><br>CSAT top-2 %{x:.1%} (95% interval %{customdata[1]:.1%} to "
                       "%{customdata[2]:.1%})<br>n = %{customdata[0]}, rank %{customdata[3]}<extra></extra>"),
    )


def _drill_down(publication, ranked: pd.DataFrame, week: date, drill_mode: str, *, key: str, column: str,
                name) -> None:
    first, last = week, feedback.week_end(week)
    by_responses = drill_mode == RESPONSES_MODE

    def label(row: pd.Series) -> str:
        return f"{name(row)}, week of {week:%Y-%m-%d}: {int(row['response_count'])} responses"

    def rows_behind(row: pd.Series) -> pd.DataFrame:
        value = int(row[column]) if column == "agent_id" else row[column]
        if by_responses:
            return records.survey_responses(publication, first, last, **{column: value})
        return records.contacts(publication, first, last, **{column: value})

    components.drill_down(ranked, label=label, records=rows_behind, key=key,
                          what="surveyed contacts" if by_responses else "contacts",
                          file_name="survey_responses" if by_responses else "contacts")


# --- Themes and comments ------------------------------------------------------------------------------------------

def _render_themes(publication, week: date, centre: dict) -> pd.DataFrame | None:
    st.subheader("Themes of the comments")
    if not components.needs_tables(publication, feedback.THEMES_MART):
        return None
    rows = feedback.themes_week(publication, week)
    if rows.empty:
        st.info(f"No survey comments in the week of {week}.")
        return None
    ranked = rank_rows(rows.assign(label=rows["theme_label"]), "theme_label")
    st.plotly_chart(themes_figure(ranked, centre), width="stretch", key="feedback_themes_chart")
    comment_count = int(ranked["comment_count"].iloc[0])
    st.caption(
        f"**What do customers write about, and how satisfied are those who mention it?** The week's "
        f"{comment_count:,} comments, each with zero or more themes. Left: the share of comments that mention the "
        "theme. Right: the CSAT top-2 rate of the responses that mention it, with its Wilson 95% interval; themes "
        "ranked lowest CSAT first, **low samples hollow, not ranked, listed after**. These counts cover every "
        "channel and team (the mart has neither): the sidebar's channel and team filters apply to the comments "
        "below. Themes come from a word list the manager edits (`seeds/feedback_themes.csv`), sentiment from VADER "
        "(docs/kpis/feedback_themes.md)."
    )
    components.table(ranked.drop(columns=["label"]), file_name=f"{feedback.THEMES_MART}_{week}",
                     key="feedback_themes", column_config=THEME_CONFIG, percent_columns=RATE_COLUMNS,
                     caption="Changes are against the calendar week before (empty when it had no comments).")
    return ranked


def themes_figure(ranked: pd.DataFrame, centre: dict) -> go.Figure:
    figure = make_subplots(rows=1, cols=2, shared_yaxes=True, column_widths=[0.35, 0.65], horizontal_spacing=0.04,
                           subplot_titles=("Share of the week's comments", "CSAT top-2 of the responses mentioning it"))
    ranked = _with_chart_labels(ranked)
    figure.add_trace(go.Bar(
        x=ranked["comment_share_rate"], y=ranked["label"], orientation="h", marker_color="#9ecae1",
        name="Share of comments", showlegend=False, customdata=ranked["mention_count"],
        hovertemplate="<b>%{y}</b><br>%{x:.1%} of comments (%{customdata} mentions)<extra></extra>",
    ), row=1, col=1)
    _add_dots(figure, ranked, centre, row=1, col=2)
    figure.update_xaxes(tickformat=".0%", title_text="Share of comments mentioning it", row=1, col=1)
    figure.update_xaxes(title_text="CSAT top-2 (share scoring 4-5)", row=1, col=2)
    figure.update_layout(height=180 + 2 * ROW_PIXELS * len(ranked), margin={"t": 60, "b": 40, "l": 10},
                         legend={"orientation": "h", "y": -0.2, "yanchor": "top", "x": 1, "xanchor": "right"},
                         hovermode="closest")
    return figure


def _render_comments(publication, chosen: filters.Filters, week: date, themes: pd.DataFrame) -> None:
    st.subheader("What do they write?")
    if not components.needs_tables(publication, feedback.COMMENTS_MART, feedback.TEAMS_DIMENSION,
                                   feedback.AGENTS_DIMENSION):
        return
    keys = list(themes["theme_key"])
    labels = dict(zip(themes["theme_key"], themes["theme_label"] + " (" + themes["mention_count"].astype(str)
                      + " mentions)"))
    if st.session_state.get(THEME_KEY) not in keys:
        st.session_state[THEME_KEY] = keys[0]  # the lowest-CSAT ranked theme
    theme_key = st.selectbox("Comments that mention", keys, key=THEME_KEY, format_func=labels.__getitem__)
    comments = feedback.theme_comments(publication, week, theme_key, chosen.channels, chosen.teams,
                                       chosen.is_every_team)
    theme = themes[themes["theme_key"] == theme_key].iloc[0]
    total = int(comments.attrs.get("total_count", len(comments)))
    if comments.empty:
        st.info(f"No comment mentions {components.plain(theme['theme_label'])} in the week of {week} in the "
                "selected channels and teams. Choose another theme, or widen the channel and team filters.")
        return
    filtered = "" if chosen.is_every_channel and chosen.is_every_team else ", in the selected channels and teams"
    more = f" (the first {len(comments):,}; the CSV has these)" if total > len(comments) else ""
    components.table(
        comments, file_name=f"comments_{theme_key}_{week}", key="feedback_comments", column_config=COMMENT_CONFIG,
        caption=(f"**In their words:** {total:,} of the week's {int(theme['mention_count']):,} comments that "
                 f"mention {components.plain(theme['theme_label'])}{filtered}{more}, lowest CSAT first, then the "
                 "most negative. Texts are redacted: emails, phone numbers and long numbers are masked; names are "
                 "not detected and may remain. The CSV also has each comment's response and contact id."),
    )


def _ranked_count(ranked: pd.DataFrame) -> int:
    return int((ranked[RANK_COLUMN] != NOT_RANKED).sum())


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _min_responses(rows: pd.DataFrame) -> str:
    values = rows["min_responses"].dropna().unique()
    return f"{int(values[0])}" if len(values) == 1 else "`min_responses`"


if __name__ == "__main__":  # Streamlit runs the page's file as a script
    render()
