"""What a manager reads for each column, and how its numbers are written: one map for the whole app.

A KPI's label, unit, format and target come from the KPI registry the marts publish
(``marts.dim_kpis``), so "CSAT (top-2-box)" and its ``.1%`` are written once, in the registry's
seed. Every other column (counts, intervals, names, flags, the other rates) has its label and
format here, once. Formats are d3-format strings, as the registry's ``display_format``: Plotly
takes them as they are, Python's ``format`` reads them the same, and tables get them converted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

import pandas as pd
import streamlit as st

from csops.app.data import kpis as kpi_registry
from csops.kernel.publication import Publication

TEXT, LONG_TEXT, DATE, DATETIME, FLAG = "text", "long text", "date", "datetime", "flag"
COUNT, RATE = "d", ".1%"
# Shown after a value of these units ("12 s"); rates and scores carry their unit in the format.
UNIT_SUFFIXES = {"seconds": " s", "minutes": " min"}
# The part of a d3 format a table's printf format can hold: sign, precision, type.
_D3_NUMBER = re.compile(r"(?P<sign>\+?),?(?:\.(?P<precision>\d+))?(?P<type>[df%])")


class Column(NamedTuple):
    label: str
    display: str = TEXT  # TEXT, LONG_TEXT, DATE, DATETIME, FLAG, or a d3 number format
    help: str | None = None


# Every column a page shows that is not a KPI of the registry, by its mart name.
COLUMNS: dict[str, Column] = {
    # Periods, names and keys
    "week_start_date": Column("Week starting (Monday)", DATE),
    "contact_date": Column("Contact date", DATE),
    "created_date": Column("Created", DATE),
    "queue_date": Column("Date", DATE),
    "backlog_date": Column("Day", DATE),
    "completed_on": Column("Completed", DATE),
    "created_at": Column("Created (UTC)", DATETIME),
    "measured_at": Column("Measured at (UTC)", DATETIME),
    "interval_start_at": Column("Interval start (UTC)", DATETIME),
    "interval_start_local_at": Column("Interval start (reporting time)", DATETIME),
    "channel": Column("Channel"),
    "channel_scope": Column("Channel"),
    "team_name": Column("Team"),
    "team_names": Column("Team(s) that week"),
    "agent_name": Column("Agent"),
    "queue_name": Column("Queue"),
    "issue_category": Column("Issue category"),
    "next_channel": Column("Came back on"),
    "ticket_id": Column("Ticket", COUNT),
    "ticket_priority": Column("Priority"),
    "sla_kind": Column("SLA"),
    "policy_hours": Column("Hours"),
    "kpi_label": Column("KPI"),
    "training_name": Column("Training"),
    "theme_label": Column("Theme"),
    "themes": Column("Themes"),
    "sentiment_label": Column("Sentiment"),
    "comment_text_redacted": Column("Comment (redacted)", LONG_TEXT),
    "peer_team_name": Column("Compared with"),
    "outlier_on": Column("Outlier on"),
    "csat_rank": Column("Rank (1 = lowest CSAT)"),
    # Counts
    "handled_contact_count": Column("Contacts handled", COUNT),
    "inbound_contact_count": Column("Inbound contacts", COUNT),
    "resolved_on_contact_count": Column("Resolved on contact", COUNT),
    "fcr_eligible_contact_count": Column("FCR-eligible (n)", COUNT, "Resolved contacts whose FCR window has closed"),
    "first_contact_resolved_count": Column("Resolved, no repeat", COUNT),
    "window_open_contact_count": Column("Window still open", COUNT),
    "survey_fcr_response_count": Column("Survey answers (n)", COUNT),
    "group_repeat_contact_count": Column("Came back", COUNT),
    "repeat_contact_count": Column("Contacts", COUNT),
    "fcr_window_days": Column("Window (days)", COUNT),
    "response_count": Column("Responses", COUNT),
    "csat_response_count": Column("CSAT n", COUNT),
    "csat_top2_response_count": Column("Scored 4-5", COUNT),
    "nps_response_count": Column("NPS n", COUNT),
    "ces_response_count": Column("CES n", COUNT),
    "mention_count": Column("Mentions", COUNT),
    "mention_count_change": Column("Change vs week before", "+d"),
    "csat_score": Column("CSAT (1-5)", COUNT),
    "offered_calls": Column("Offered", COUNT),
    "answered_calls": Column("Answered calls", COUNT),
    "abandoned_calls": Column("Abandoned", COUNT),
    "short_abandoned_calls": Column("Short abandons", COUNT),
    "callback_requested_calls": Column("Callbacks requested", COUNT),
    "required_agents": Column("Required agents (Erlang C)", COUNT),
    "ticket_count": Column("Tickets", COUNT),
    "met_count": Column("Met", COUNT),
    "breached_count": Column("Breached", COUNT),
    "in_flight_count": Column("In flight", COUNT),
    "unmeasured_count": Column("Unmeasured", COUNT),
    "target_minutes": Column("Target (min)", COUNT),
    "breached_in_flight_count": Column("Breaching now", COUNT),
    "backlog_ticket_count": Column("Backlog (tickets)", COUNT),
    "created_ticket_count": Column("Created", COUNT),
    "solve_count": Column("Solves", COUNT),
    "reopen_count": Column("Reopens", COUNT),
    "trained_agent_count": Column("Trained agents (n)", COUNT),
    "control_agent_count": Column("Other agents (n)", COUNT),
    "sample_size": Column("n", COUNT),
    # Rates that are no KPI of the registry, and intervals
    "csat_top2_rate_ci95_low": Column("CSAT 95% low", RATE),
    "csat_top2_rate_ci95_high": Column("CSAT 95% high", RATE),
    "occupancy_rate": Column("Occupancy", RATE),
    "first_response_compliance_rate": Column("First response SLA", RATE),
    "agent_work_compliance_rate": Column("Resolution SLA", RATE),
    "reopen_rate": Column("Reopen rate", RATE),
    "escalation_rate": Column("Escalation rate", RATE),
    "transfer_rate": Column("Transfer rate", RATE),
    "survey_fcr_rate": Column("Survey FCR", RATE),
    "repeat_rate": Column("Repeat rate", RATE),
    "next_channel_share_rate": Column("Share of the group's repeats", RATE),
    "next_channel_repeat_rate": Column("Share of eligible contacts", RATE),
    "response_rate": Column("Response rate", RATE),
    "csat_good_rate": Column("Good rate (good/bad surveys)", RATE),
    "comment_share_rate": Column("Share of comments", RATE),
    "comment_share_rate_change": Column("Share change (points)", RATE),
    "required_agents_service_level_rate": Column("Predicted SL with required", RATE),
    # Other measures
    "aht_seconds": Column("AHT (s)", ",.0f"),
    "erlang_aht_seconds": Column("AHT used (s)", ",.0f"),
    "p90_wait_seconds": Column("p90 wait (s)", ",.0f"),
    "longest_wait_seconds": Column("Longest wait (s)", COUNT),
    "staffed_agents": Column("Staffed agents", ".2f"),
    "traffic_erlangs": Column("Load (Erlangs)", ".2f"),
    "mean_completed_elapsed_sla_minutes": Column("Mean elapsed (min)", ",.0f"),
    "p50_completed_elapsed_sla_minutes": Column("Median elapsed (min)", ",.0f"),
    "elapsed_sla_minutes": Column("Elapsed (policy min)", ",.0f"),
    "elapsed_calendar_minutes": Column("Elapsed (calendar min)", ",.0f"),
    "backlog_age_p50_hours": Column("Age p50 (h)", ".1f"),
    "backlog_age_p90_hours": Column("Age p90 (h)", ".1f"),
    "csat_mean_score": Column("Mean CSAT (1-5)", ".2f"),
    "ces_mean_score": Column("CES (1-7)", ".2f"),
    "sentiment_mean_score": Column("Mean sentiment (-1..1)", ".2f"),
    "sentiment_score": Column("Sentiment (-1..1)", ".2f"),
    "aht_peer_median_seconds": Column("AHT (s): team median", ",.0f"),
    "operational_fcr_peer_median_rate": Column("Operational FCR: team median", RATE),
    "csat_top2_peer_median_rate": Column("CSAT: team median", RATE),
    "aht_robust_z_score": Column("AHT: z", ".2f"),
    "operational_fcr_robust_z_score": Column("Operational FCR: z", ".2f"),
    "csat_top2_robust_z_score": Column("CSAT: z", ".2f"),
    "trained_before_value": Column("Trained, before", ".1f"),
    "trained_after_value": Column("Trained, after", ".1f"),
    "control_before_value": Column("Others, before", ".1f"),
    "control_after_value": Column("Others, after", ".1f"),
    "difference_in_differences": Column("DiD", ".1f"),
    "difference_ci95_low": Column("DiD 95% low", ".1f"),
    "difference_ci95_high": Column("DiD 95% high", ".1f"),
    "previous_week_value": Column("Week before", ".3f"),
    "kpi_value": Column("This week", ".3f"),
    "change_from_previous_week": Column("Change", "+.3f"),
    # Flags
    "is_low_sample": Column("Low sample", FLAG),
    "is_understaffed": Column("Understaffed", FLAG),
    "is_improving": Column("Toward target", FLAG),
    "is_shown": Column("Shown", FLAG),
    "is_window_complete": Column("After window complete", FLAG),
}


@dataclass(frozen=True)
class Measure:
    """A number a chart or tile shows: its column, what a manager reads, its d3 format and unit."""

    column: str
    label: str
    value_format: str
    unit: str = ""

    @property
    def is_rate(self) -> bool:
        return self.value_format.endswith("%")

    @property
    def suffix(self) -> str:
        return UNIT_SUFFIXES.get(self.unit, "")

    def format(self, value: Any) -> str:
        """``value`` as the page writes it ("82.4%", "31 s"); "n/a" when null."""
        if value is None or pd.isna(value):
            return "n/a"
        return f"{value:{self.value_format}}{self.suffix}"

    def field(self, name: str = "y") -> str:
        """A Plotly hover-template field that writes this measure (``%{y:.1%}``)."""
        return f"%{{{name}:{self.value_format}}}{self.suffix}"


@dataclass(frozen=True)
class Kpi(Measure):
    """A KPI of the registry (``marts.dim_kpis``), with its target."""

    target_value: float | None = None
    target_direction: str | None = None  # at_least | at_most: also which way is better
    target_source: str | None = None

    @property
    def has_target(self) -> bool:
        return self.target_value is not None and not pd.isna(self.target_value)


def registry(publication: Publication) -> dict[str, Kpi]:
    """Every KPI of the publication's registry, by ``kpi_name``."""
    return {str(row["kpi_name"]): Kpi(
        column=str(row["kpi_name"]), label=str(row["kpi_label"]), value_format=str(row["display_format"]),
        unit=str(row["unit"]), target_value=None if pd.isna(row["target_value"]) else float(row["target_value"]),
        target_direction=row["target_direction"], target_source=row["target_source"],
    ) for _, row in kpi_registry.registry(publication).iterrows()}


def kpi(publication: Publication, kpi_name: str) -> Kpi:
    return registry(publication)[kpi_name]


def measure(publication: Publication, column: str) -> Measure:
    """The registry's KPI of that name, else the column as this module labels it."""
    found = registry(publication).get(column)
    if found is not None:
        return found
    label, display, _ = COLUMNS[column]
    return Measure(column, label, display)


def table_format(d3_format: str) -> str:
    """A d3 number format as a table column's format: a percentage for a rate, else printf."""
    parts = _D3_NUMBER.fullmatch(d3_format)
    if parts is None:
        raise ValueError(f"no table format for the d3 format {d3_format!r}")
    if parts["type"] == "%":
        return "percent"
    if parts["type"] == "d" or parts["precision"] is None:
        return f"%{parts['sign']}d"
    return f"%{parts['sign']}.{parts['precision']}f"


def columns(publication: Publication, names: Iterable[str], *, relabel: dict[str, str] | None = None,
            formats: dict[str, str] | None = None) -> dict[str, Any]:
    """Column settings for a table showing ``names`` in that order (the CSV keeps every column):
    each labelled and formatted as the registry or :data:`COLUMNS` says, ``relabel`` and ``formats``
    (d3) overriding both where one table needs its own words."""
    found = registry(publication)
    settings = {}
    for name in names:
        kpi_of_column = found.get(name)
        if kpi_of_column is None:
            column = COLUMNS[name]
        else:  # "Average speed of answer (s)": a table's header carries the unit its cells leave out
            unit = f" ({kpi_of_column.suffix.strip()})" if kpi_of_column.suffix else ""
            column = Column(kpi_of_column.label + unit, kpi_of_column.value_format)
        label = (relabel or {}).get(name, column.label)
        settings[name] = _setting(label, (formats or {}).get(name, column.display), column.help)
    return settings


def _setting(label: str, display: str, help_text: str | None) -> Any:
    if display in (TEXT, LONG_TEXT):
        return st.column_config.TextColumn(label, help=help_text, width="large" if display == LONG_TEXT else None)
    if display == DATE:
        return st.column_config.DateColumn(label, format="YYYY-MM-DD", help=help_text)
    if display == DATETIME:
        return st.column_config.DatetimeColumn(label, format="YYYY-MM-DD HH:mm", help=help_text)
    if display == FLAG:
        return st.column_config.CheckboxColumn(label, help=help_text)
    return st.column_config.NumberColumn(label, format=table_format(display), help=help_text)
