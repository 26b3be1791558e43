"""Page: Customer feedback. Which channel, team or agent drags CSAT down, and why: what do
customers write?

For one week (the latest of the date range unless the manager picks another), the CSAT top-2
rate with its Wilson 95% interval and n, NPS and CES of each channel, team and agent
(``feedback_by_*_week``), then the themes of the survey comments with the CSAT of the responses
that mention them (``feedback_themes_weekly``) and the comments themselves
(``survey_comment_examples``). Every number is a mart column at the mart's grain. Rows below
``min_responses`` are drawn hollow and listed after the ranked rows, unranked. One module per section.
"""

from __future__ import annotations

import streamlit as st

from csops.app import components, filters
from csops.app.data import feedback
from csops.app.views.customer_feedback import rankings, themes, week
from csops.kernel.publication import Publication

TITLE = "Customer feedback"
URL_PATH = "customer-feedback"

WEEK_KEY = "feedback_week"
DRILL_MODE_KEY = "feedback_drill_mode"


@components.page(TITLE, *feedback.PAGE_MARTS, needs_selection=True, kpi_area="feedback")
def render(publication: Publication, chosen: filters.Filters) -> None:
    st.caption(
        "**Which channel, team or agent drags CSAT down this week, and why?** One week at a time, as the weekly "
        "feedback marts state it (weeks of the contact surveyed, shown whole when any of their days is in the "
        f"date range). The CSAT trend of each channel week by week is on [CSAT by channel]({week.csat_trend_link()})."
    )
    weeks = feedback.weeks(publication, chosen.start_date, chosen.end_date)
    if not weeks:
        st.info(f"No survey responses for contacts between {chosen.start_date} and {chosen.end_date}. Widen the "
                "contact dates in the sidebar.")
        return
    if st.session_state.get(WEEK_KEY) not in weeks:
        st.session_state[WEEK_KEY] = weeks[-1]  # the latest week of the range, and again when the range moves
    left, right = st.columns([1, 2])
    shown_week = left.selectbox("Week (starting Monday)", weeks, key=WEEK_KEY,
                                format_func=lambda day: f"{day:%Y-%m-%d}")
    drill_mode = right.radio("Drill-downs list", rankings.DRILL_MODES, key=DRILL_MODE_KEY, horizontal=True,
                             help="The records behind a row: the survey responses it counts (each with its "
                                  "contact, scores and comment), or every contact of that week.")
    centre = week.centre(publication, shown_week)
    week.render_note(publication, shown_week, centre)

    st.header("Who drags CSAT down?")
    rankings.render_channels(publication, chosen, shown_week, centre, drill_mode)
    rankings.render_teams(publication, chosen, shown_week, centre, drill_mode)
    rankings.render_agents(publication, chosen, shown_week, centre, drill_mode)

    st.header("Why? What customers write")
    ranked_themes = themes.render(publication, shown_week, centre)
    if ranked_themes is not None:
        themes.render_comments(publication, chosen, shown_week, ranked_themes)


if __name__ == "__main__":  # Streamlit runs the page's file as a script
    render()
