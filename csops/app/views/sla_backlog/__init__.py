"""Page: SLA and backlog. Are we meeting our ticket SLAs, where not, what is breaching right now,
and how big and how old is the backlog?

Every rate, percentile and count of the charts is a mart column, shown at the mart's grain
(one creation day x channel x priority x team for compliance, one day x team x channel for
the backlog): days and rows are never pooled into a rate. The tickets breaching now are
rows of ``fct_ticket_slas``, counted as they are. One module per section.
"""

from __future__ import annotations

import streamlit as st

from csops.app import components, filters
from csops.app.data import sla
from csops.app.views.sla_backlog import backlog, breaches, compliance, dimensions
from csops.kernel.publication import Publication

TITLE = "SLA and backlog"
URL_PATH = "sla-and-backlog"


@components.page(TITLE, sla.COMPLIANCE_MART, sla.SLA_FACT, sla.BACKLOG_MART, sla.TEAMS_DIMENSION,
                 needs_selection=True, kpi_area="tickets")
def render(publication: Publication, chosen: filters.Filters) -> None:
    team_names = dict(chosen.options.teams)
    colors = dimensions.colors(chosen.options)
    st.caption(
        f"Tickets created {chosen.start_date} to {chosen.end_date} (compliance) and backlog days in the same range, "
        "in the channels and teams chosen in the sidebar. Tickets whose group is no team are in the unknown team "
        "(`dim_teams`' unknown member)."
    )
    compliance.render(publication, chosen, team_names, colors)
    breaches.render(publication, chosen)
    backlog.render(publication, chosen, colors)


if __name__ == "__main__":  # Streamlit runs the page's file as a script
    render()
