"""The SLA marts' dimensions as the page shows them: SLA kinds, priorities (urgent first), teams
(unknown last), and a colour for each value."""

from __future__ import annotations

import pandas as pd

from csops.app import charts, data
from csops.app.data import sla

SLA_KIND_LABELS = {"first_response": "First response", "agent_work": "Agent work (resolution)"}
PRIORITIES = ("urgent", "high", "normal", "low")
PRIORITY_COLORS = {"urgent": "#d62728", "high": "#ff7f0e", "normal": "#1f77b4", "low": "#7f7f7f"}
# What the compliance charts colour and group by: the mart's three dimensions besides the day.
DIMENSIONS = {"Priority": "ticket_priority", "Channel": "channel", "Team": "team_key"}
NO_TICKET_CHANNEL = ("Ticket SLAs and the backlog cover ticket channels only; phone calls are measured by "
                     "service level on the Queues and staffing page.")


def kind_label(kind: str) -> str:
    return SLA_KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


def ordered_values(values: pd.Series, dimension: str) -> list[str]:
    present = set(values.dropna())
    if dimension == "ticket_priority":
        return [p for p in PRIORITIES if p in present] + sorted(present - set(PRIORITIES))
    if dimension == "team_key":
        return sorted(present - {sla.UNKNOWN_TEAM}) + ([sla.UNKNOWN_TEAM] if sla.UNKNOWN_TEAM in present else [])
    return sorted(present)


def colors(options: data.FilterOptions) -> dict[str, dict[str, str]]:
    """Colours per value of each dimension: channels and teams in their colour of every page."""
    return {
        "ticket_priority": PRIORITY_COLORS,
        "channel": charts.colors(options.channels),
        "team_key": charts.colors(key for key, _ in options.teams),
    }
