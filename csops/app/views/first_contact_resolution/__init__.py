"""Page: First contact resolution. Is FCR improving? Where do customers come back, about what,
and where do they go next?

Operational FCR (no repeat by the same customer about the same issue category within the
window, on any channel) and survey FCR (customers answering "yes, resolved") are drawn side
by side and never blended. Every rate is a mart column shown at the mart's grain (a channel,
team or agent x week, a channel x day, a week x channel x issue category x next channel):
nothing is pooled over the date range. The Sankey draws one week's repeat counts as the
mart states them. One module per section.
"""

from __future__ import annotations

import streamlit as st

from csops.app import components, data, filters, labels
from csops.app.data import fcr
from csops.app.views.first_contact_resolution import agents, repeats, trends
from csops.kernel.publication import Publication

TITLE = "First contact resolution"
URL_PATH = "first-contact-resolution"


@components.page(TITLE, *fcr.PAGE_MARTS, kpi_area="contacts")
def render(publication: Publication, chosen: filters.Filters) -> None:
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
    target = labels.kpi(publication, fcr.TARGET_KPI)
    trends.render_channels(publication, chosen, target)
    trends.render_teams(publication, chosen, target)
    week = repeats.choose_week(publication, chosen)
    if week is None:
        return
    repeats.render(publication, chosen, week)
    agents.render(publication, chosen, week)


if __name__ == "__main__":  # Streamlit runs the page's file as a script
    render()
