"""Page: Queues and staffing. When do we miss service level? How many agents did an interval need, and
how many did we have? Where do callers abandon?

Every number is a column of the queue marts (``queue_interval_metrics``, ``queue_daily_metrics``),
shown at the mart's grain: one week's intervals as heatmaps, one day's intervals against Erlang C,
each queue-day as a trend. Nothing is averaged over weeks or pooled over days. One module per section.
"""

from __future__ import annotations

import streamlit as st

from csops.app import components, filters
from csops.app.data import queues
from csops.app.views.queues_staffing import abandons, heatmaps, staffing
from csops.kernel.publication import Publication

TITLE = "Queues and staffing"
URL_PATH = "queues-and-staffing"

PHONE = "phone"
NO_PHONE = ("Queues are phone queues, and **phone** is not among the channels selected in the sidebar: this page "
            "has nothing to show. Add phone under Channels to see the queues.")
SCOPE_CAPTION = (
    "Queues are Amazon Connect phone queues: of the sidebar's channels only phone applies. **Queues are not "
    "teams:** the Teams filter does not apply to this page (an agent's time counts towards the queue their "
    "routing profile mostly serves, whatever their team). The date filter selects the queues' reporting dates "
    "({timezone})."
)


@components.page(TITLE, queues.INTERVAL_MART, queues.DAILY_MART, kpi_area="queues")
def render(publication: Publication, chosen: filters.Filters) -> None:
    timezone = queues.reporting_timezone(publication)
    st.caption(SCOPE_CAPTION.format(timezone=timezone))
    if PHONE not in chosen.channels:
        st.info(NO_PHONE)
        return
    names = queues.queue_names(publication, chosen.start_date, chosen.end_date)
    if not names:
        st.info(f"No queue has an interval between {chosen.start_date} and {chosen.end_date}. Widen the dates in "
                "the sidebar.")
        return
    week = heatmaps.render(publication, chosen, names, timezone)
    staffing.render(publication, chosen, names, timezone, week)
    abandons.render(publication, chosen, names, timezone)


if __name__ == "__main__":  # Streamlit runs the page's file as a script
    render()
