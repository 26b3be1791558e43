"""Sections: why? The week's comment themes with the CSAT of the responses that mention them
(``feedback_themes_weekly``), and the comments of one theme (``survey_comment_examples``)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from csops.app import charts, components, filters, labels
from csops.app.data import feedback
from csops.app.views.customer_feedback.ranking import RANK_COLUMN, ROW_PIXELS, add_dots, in_rank_order, \
    with_chart_labels
from csops.kernel.publication import Publication

THEME_KEY = "feedback_theme"
SHARE_COLOR = "#9ecae1"
THEME_COLUMNS_SHOWN = (
    RANK_COLUMN, "theme_label", "mention_count", "mention_count_change", "comment_share_rate",
    "comment_share_rate_change", "csat_response_count", "csat_top2_rate", "csat_top2_rate_ci95_low",
    "csat_top2_rate_ci95_high", "csat_mean_score", "is_low_sample", "sentiment_mean_score",
)
COMMENT_COLUMNS_SHOWN = ("contact_date", "csat_score", "comment_text_redacted", "sentiment_label", "sentiment_score",
                         "themes", "channel", "team_name", "agent_name")


def render(publication: Publication, week: date, centre: dict) -> pd.DataFrame | None:
    """The week's themes, ranked; None when the week has no comments."""
    st.subheader("Themes of the comments")
    rows = feedback.themes_week(publication, week)
    if rows.empty:
        st.info(f"No survey comments in the week of {week}.")
        return None
    ranked = in_rank_order(rows.assign(label=rows["theme_label"]), "theme_label")
    csat = labels.kpi(publication, "csat_top2_rate")
    st.plotly_chart(themes_figure(ranked, csat, centre), width="stretch", key="feedback_themes_chart")
    st.caption(
        f"**What do customers write about, and how satisfied are those who mention it?** The week's "
        f"{int(ranked['comment_count'].iloc[0]):,} comments, each with zero or more themes. Left: the share of "
        f"comments that mention the theme. Right: the {components.plain(csat.label)} of the responses that mention "
        "it, with its Wilson 95% interval; themes ranked lowest CSAT first, **low samples hollow, not ranked, listed after**. "
        "These counts cover every channel and team (the mart has neither): the sidebar's channel and team filters "
        "apply to the comments below. Themes come from a word list the manager edits (`seeds/feedback_themes.csv`), "
        "sentiment from VADER (docs/kpis/feedback_themes.md)."
    )
    components.table(ranked.drop(columns=["label"]), file_name=f"{feedback.THEMES.mart}_{week}",
                     key="feedback_themes", column_config=labels.columns(publication, THEME_COLUMNS_SHOWN),
                     caption="Changes are against the calendar week before (empty when it had no comments).")
    return ranked


def themes_figure(ranked: pd.DataFrame, csat: labels.Kpi, centre: dict) -> go.Figure:
    label = charts.chart_text(csat.label)
    figure = make_subplots(rows=1, cols=2, shared_yaxes=True, column_widths=[0.35, 0.65], horizontal_spacing=0.04,
                           subplot_titles=("Share of the week's comments", f"{label} of the responses mentioning it"))
    ranked = with_chart_labels(ranked)
    figure.add_trace(go.Bar(
        x=ranked["comment_share_rate"], y=ranked["label"], orientation="h", marker_color=SHARE_COLOR,
        name="Share of comments", showlegend=False, customdata=ranked["mention_count"],
        hovertemplate="<b>%{y}</b><br>%{x:.1%} of comments (%{customdata} mentions)<extra></extra>",
    ), row=1, col=1)
    add_dots(figure, ranked, csat, centre, row=1, col=2)
    figure.update_xaxes(tickformat=".0%", title_text="Share of comments mentioning it", row=1, col=1)
    figure.update_xaxes(title_text=f"{label} (share scoring 4-5)", row=1, col=2)
    figure.update_layout(height=180 + 2 * ROW_PIXELS * len(ranked), margin={"t": 60, "b": 40, "l": 10},
                         legend={"orientation": "h", "y": -0.2, "yanchor": "top", "x": 1, "xanchor": "right"},
                         hovermode="closest")
    return figure


def render_comments(publication: Publication, chosen: filters.Filters, week: date, themes: pd.DataFrame) -> None:
    st.subheader("What do they write?")
    keys = list(themes["theme_key"])
    theme_labels = dict(zip(themes["theme_key"], themes["theme_label"] + " ("
                            + themes["mention_count"].astype(str) + " mentions)"))
    if st.session_state.get(THEME_KEY) not in keys:
        st.session_state[THEME_KEY] = keys[0]  # the lowest-CSAT ranked theme
    theme_key = st.selectbox("Comments that mention", keys, key=THEME_KEY, format_func=theme_labels.__getitem__)
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
        comments, file_name=f"comments_{theme_key}_{week}", key="feedback_comments",
        column_config=labels.columns(publication, COMMENT_COLUMNS_SHOWN),
        caption=(f"**In their words:** {total:,} of the week's {int(theme['mention_count']):,} comments that "
                 f"mention {components.plain(theme['theme_label'])}{filtered}{more}, lowest CSAT first, then the "
                 "most negative. Texts are redacted: emails, phone numbers and long numbers are masked; names are "
                 "not detected and may remain. The CSV also has each comment's response and contact id."),
    )
