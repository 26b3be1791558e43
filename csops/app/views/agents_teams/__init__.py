"""Page: Agents and teams. How is each team and each agent doing, who stands out from their
team, and did a training help?

Every number is a mart column: ``team_performance_weekly`` and ``agent_performance_weekly``
(the scorecards, the agents' robust z-scores and outlier flags) and ``training_impact`` (the
difference in differences and its interval, null where a cohort is too small to show). The page
filters, lays out and links them to the contacts behind; it computes no KPI, score, flag or
interval of its own. One module per section.
"""

from __future__ import annotations

import streamlit as st

from csops.app import components, filters
from csops.app.data import people
from csops.app.views.agents_teams import agents, outliers, teams, training
from csops.kernel.publication import Publication

TITLE = "Agents and teams"
URL_PATH = "agents-and-teams"

NO_CHANNEL_FILTER = (
    "The agent and team marts have no channel: every KPI here covers all of a team's or an agent's channels, "
    "whichever channels the sidebar chooses. The sidebar's teams and dates apply."
)


@components.page(TITLE, *people.PAGE_MARTS, needs_selection=True)
def render(publication: Publication, chosen: filters.Filters) -> None:
    """The page body; ``st.Page`` runs it on every rerun."""
    options = chosen.options
    if not chosen.is_every_channel:
        st.caption(NO_CHANNEL_FILTER)
    st.caption(f"Weeks start on Monday and are shown whole when any of their days is in the sidebar's dates. "
               f"The data run from {options.first_date} to {options.last_date}: a week beyond either end is "
               "partial.")

    teams.render(publication, chosen)
    week_agents = agents.render(publication, chosen)
    outliers.render(publication, week_agents)
    training.render(publication)


if __name__ == "__main__":  # Streamlit runs the page's file as a script
    render()
