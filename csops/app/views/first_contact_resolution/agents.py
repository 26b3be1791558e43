"""Section: how does each agent resolve first time? One week of ``fcr_by_agent_week``."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from csops.app import components, filters, labels
from csops.app.data import fcr
from csops.app.views.first_contact_resolution.drill import NO_TEAM, contacts_drill_down, counts_label, equal_or_null
from csops.app.weeks import week_end
from csops.kernel.publication import Publication


def render(publication: Publication, chosen: filters.Filters, week: date) -> None:
    st.subheader(f"Agents, week of {week}")
    if chosen.all_teams and not chosen.teams:
        st.info(NO_TEAM)
        return
    rows = fcr.agent_rows(publication, week, chosen.teams, chosen.is_every_team)
    if rows.empty:
        st.info(f"No agent of the selected teams handled a contact in the week of {week}.")
        return
    components.table(
        rows, file_name=f"fcr_by_agent_week_{week}", key="fcr_agents",
        column_config=labels.columns(publication, ("agent_name", "team_names", *fcr.FCR_MEASURE_COLUMNS)),
        caption=(f"**How does each agent resolve first time?** `fcr_by_agent_week` for the week of {week}: agents "
                 "who handled a contact for a selected team that week (their team on the contact's day), listed by "
                 "team and name, **not ranked**: the FCR marts carry no low-sample flag and an agent's week rests on "
                 "few contacts, so read each rate with its n. The channel filter does not apply (the mart has no "
                 "channel)."),
    )
    contacts_drill_down(
        publication, rows, key=f"fcr_agents_{week}",
        label=lambda row: f"{row['agent_name']} ({row['team_names']}): " + counts_label(row),
        scope=lambda row: {"start_date": week, "end_date": week_end(week),
                           **equal_or_null("agent_id", None if pd.isna(row["agent_id"]) else int(row["agent_id"]))},
    )
