"""What the team and agent scorecards share: the KPIs they chart, the n behind each, the
columns their tables show, and the contacts behind a row."""

from __future__ import annotations

from datetime import date

import pandas as pd

from csops.app.data import records
from csops.app.weeks import week_end
from csops.kernel.publication import Publication

# The KPI columns a scorecard charts, in the order of the KPI choice.
CHARTED_KPIS = ("aht_seconds", "occupancy_rate", "first_response_compliance_rate", "agent_work_compliance_rate",
                "reopen_rate", "escalation_rate", "transfer_rate", "operational_fcr_rate", "csat_top2_rate")
# The three KPIs the agents' distributions, outlier scores and training estimates cover.
AGENT_KPIS = ("aht_seconds", "operational_fcr_rate", "csat_top2_rate")
CSAT = "csat_top2_rate"
# The n behind each KPI, shown in the charts' hover: (column, what it counts).
KPI_COUNTS = {
    "aht_seconds": ("answered_calls", "calls answered"),
    "occupancy_rate": ("staffed_agents", "agents staffed (time-weighted)"),
    "first_response_compliance_rate": ("first_response_met_count", "first responses met"),
    "agent_work_compliance_rate": ("agent_work_met_count", "resolutions met"),
    "reopen_rate": ("solved_at_least_once_ticket_count", "tickets solved"),
    "escalation_rate": ("first_replied_ticket_count", "tickets first replied"),
    "transfer_rate": ("answered_calls", "calls answered"),
    "operational_fcr_rate": ("fcr_eligible_contact_count", "resolved contacts, window closed"),
    "csat_top2_rate": ("csat_response_count", "CSAT responses"),
}
# The columns a scorecard table shows after the team or agent (the CSV keeps every column).
SHOWN_COLUMNS = (
    "handled_contact_count", "answered_calls", "aht_seconds", "occupancy_rate", "first_response_compliance_rate",
    "agent_work_compliance_rate", "reopen_rate", "escalation_rate", "transfer_rate", "fcr_eligible_contact_count",
    "operational_fcr_rate", "csat_response_count", "csat_top2_rate", "csat_top2_rate_ci95_low",
    "csat_top2_rate_ci95_high", "is_low_sample",
)


def handled_contacts(publication: Publication, week_start_date: date, **keys) -> pd.DataFrame:
    """The inbound contacts handled in the week (the marts' ``handled_contact_count``), all channels."""
    return records.contacts(publication, week_start_date, week_end(week_start_date), is_inbound=True,
                            is_handled=True, **keys)


def contacts_label(row: pd.Series, who: str) -> str:
    """A drill-down choice: who, which week, how many contacts handled."""
    return f"{who}, week of {row['week_start_date']}: {int(row['handled_contact_count']):,} contacts handled"
