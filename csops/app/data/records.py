"""The records behind an aggregate: contacts, tickets' SLAs, calls, survey responses.

Each function takes the aggregate row's keys and returns at most ``RECORDS_SHOWN`` rows,
newest first, with the full count in ``frame.attrs["total_count"]``.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from csops.app.data import MartColumns, frame
from csops.kernel.publication import Publication
from csops.kernel.redaction import redact

RECORDS_SHOWN = 2_000

CONTACTS = MartColumns("fct_contacts", (
    "contact_id", "contact_date", "created_at", "ended_at", "channel", "issue_category", "team_key", "agent_id",
    "customer_key", "source_system", "source_contact_ref", "is_inbound", "is_handled", "is_resolved_on_contact",
))
RESOLUTIONS = MartColumns("fct_contact_resolutions", (
    "is_fcr_eligible", "window_ends_at", "is_window_closed", "is_first_contact_resolved",
    "repeat_contact_count", "first_repeat_at", "first_repeat_contact_id", "first_repeat_channel",
))
TEAM_NAMES = MartColumns("dim_teams", ("team_name",))
AGENT_NAMES = MartColumns("dim_agents", ("agent_name",))
TICKET_SLAS = MartColumns("fct_ticket_slas", (
    "ticket_id", "sla_kind", "created_at", "created_date", "channel", "ticket_priority", "team_key", "policy_hours",
    "is_sla_applicable", "target_minutes", "started_at", "completed_at", "is_completed", "elapsed_sla_minutes",
    "elapsed_business_minutes", "elapsed_calendar_minutes", "sla_status", "credited_agent_id", "credited_team_key",
    "as_of_at",
))
QUEUE_SEGMENTS = MartColumns("fct_queue_segments", (
    "contact_record_id", "initial_contact_record_id", "previous_contact_record_id", "channel", "initiation_method",
    "queue_name", "connect_agent_username", "initiated_at", "enqueued_at", "dequeued_at", "connected_to_agent_at",
    "disconnected_at", "queue_wait_seconds", "queue_outcome", "is_offered", "is_answered",
    "is_answered_within_threshold", "is_left_queue_within_threshold", "talk_seconds", "hold_seconds",
    "after_contact_work_seconds", "handle_seconds", "is_transferred_by_agent", "interval_start_at", "queue_date",
))
SURVEY_RESPONSES = MartColumns("fct_survey_responses", (
    "survey_response_id", "contact_id", "contact_date", "channel", "team_key", "agent_id", "csat_scale",
    "csat_score", "is_csat_good", "nps_score", "ces_score", "is_resolved_answer", "recorded_at",
))
COMMENT_EXAMPLES = MartColumns("survey_comment_examples", ("comment_text_redacted", "sentiment_label",
                                                           "sentiment_score"))



def _contacts_with_verdict(join: str) -> str:
    """Contacts with their agent's and team's names and FCR's verdict: a ``left`` join keeps every
    contact (the verdict null where FCR does not judge it), an ``inner`` one the contacts FCR judges."""
    return f"""
        select {CONTACTS.select("contacts")}, {TEAM_NAMES.select("teams")}, {AGENT_NAMES.select("agents")},
            {RESOLUTIONS.select("resolutions")}
        from {CONTACTS.table} as contacts
        left join {TEAM_NAMES.table} as teams on contacts.team_key = teams.team_key
        left join {AGENT_NAMES.table} as agents on contacts.agent_id = agents.agent_id
        {join} join {RESOLUTIONS.table} as resolutions on contacts.contact_id = resolutions.contact_id
    """


def _limited(publication: Publication, select: str, where: list[str], parameters: dict, order_by: str) -> pd.DataFrame:
    condition = " and ".join(where) or "true"
    total = frame(publication, f"select count(*) as n from ({select}) as records where {condition}", parameters)
    rows = frame(publication, f"select * from ({select}) as records where {condition} "
                              f"order by {order_by} limit {RECORDS_SHOWN}", parameters)
    rows.attrs["total_count"] = int(total.iloc[0]["n"])
    return rows


def _conditions(start_date: date | None, end_date: date | None, date_column: str, **equal) -> tuple[list[str], dict]:
    where, parameters = [], {}
    if start_date is not None:
        where.append(f"{date_column} between $start_date and $end_date")
        parameters.update(start_date=start_date, end_date=end_date or start_date)
    for column, value in equal.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            where.append(f"list_contains(${column}, {column})")
        else:
            where.append(f"{column} = ${column}")
        parameters[column] = value
    return where, parameters


def contacts(publication: Publication, start_date: date | None = None, end_date: date | None = None,
             **equal) -> pd.DataFrame:
    """Contacts (``fct_contacts`` with agent and team names, and FCR's verdict with its window:
    the verdict is null while the window is open), on contact dates ``start_date``..``end_date``
    and where each named column equals the value (or is in the list): e.g. ``channel="phone"``,
    ``team_key=("tier1_east",)``, ``agent_id=7``."""
    where, parameters = _conditions(start_date, end_date, "contact_date", **equal)
    return _limited(publication, _contacts_with_verdict("left"), where, parameters, "created_at desc")


def fcr_contacts(publication: Publication, start_date: date | None = None, end_date: date | None = None,
                 null_columns: tuple[str, ...] = (), **equal) -> pd.DataFrame:
    """As :func:`contacts`, the inbound contacts that have an FCR verdict (resolved on contact,
    window end and whether it had closed, repeats and the first repeat's channel), where each
    named column equals the value (e.g. ``first_repeat_channel="email"``, ``is_window_closed=True``)
    and the ``null_columns`` are null (e.g. ``("agent_id",)``)."""
    where, parameters = _conditions(start_date, end_date, "contact_date", **equal)
    where += [f"{column} is null" for column in null_columns]
    return _limited(publication, _contacts_with_verdict("inner"), where, parameters, "created_at desc")


def ticket_slas(publication: Publication, start_date: date | None = None, end_date: date | None = None,
                **equal) -> pd.DataFrame:
    """Tickets' SLA clocks (``fct_ticket_slas``) with the team's name, by created date and any of
    its columns (e.g. ``team_key="unknown"``: tickets whose group is no team)."""
    select = f"""
        select {TICKET_SLAS.select("slas")}, {TEAM_NAMES.select("teams")}
        from {TICKET_SLAS.table} as slas
        left join {TEAM_NAMES.table} as teams on slas.team_key = teams.team_key
    """
    where, parameters = _conditions(start_date, end_date, "created_date", **equal)
    return _limited(publication, select, where, parameters, "created_at desc")


def queue_segments(publication: Publication, start_date: date | None = None, end_date: date | None = None,
                   **equal) -> pd.DataFrame:
    """Calls' queue segments (``fct_queue_segments``), by queue date and any of its columns
    (e.g. ``queue_name="Billing"``, ``interval_start_at=...``)."""
    where, parameters = _conditions(start_date, end_date, "queue_date", **equal)
    return _limited(publication, f"select {QUEUE_SEGMENTS.select()} from {QUEUE_SEGMENTS.table}", where,
                    parameters, "enqueued_at desc")


def survey_responses(publication: Publication, start_date: date | None = None, end_date: date | None = None,
                     **equal) -> pd.DataFrame:
    """Survey responses whose contact is in the warehouse, with that contact's issue category, the
    names, and the redacted comment, themes and sentiment of ``survey_comment_examples``: the records
    behind a ``feedback_by_*_week`` row. By contact date ``start_date``..``end_date`` and where each
    named column of the response equals the value (``channel``, ``team_key``, ``agent_id``); lowest
    CSAT first."""
    select = f"""
        select {SURVEY_RESPONSES.select("responses")}, {TEAM_NAMES.select("teams")}, {AGENT_NAMES.select("agents")},
            contacts.issue_category, {COMMENT_EXAMPLES.select("comments")},
            array_to_string(comments.theme_keys, ', ') as themes
        from {SURVEY_RESPONSES.table} as responses
        left join {CONTACTS.table} as contacts on responses.contact_id = contacts.contact_id
        left join {TEAM_NAMES.table} as teams on responses.team_key = teams.team_key
        left join {AGENT_NAMES.table} as agents on responses.agent_id = agents.agent_id
        left join {COMMENT_EXAMPLES.table} as comments on responses.survey_response_id = comments.survey_response_id
        where responses.is_contact_matched
    """
    where, parameters = _conditions(start_date, end_date, "contact_date", **equal)
    rows = _limited(publication, select, where, parameters,
                    "csat_score asc nulls last, contact_date, survey_response_id")
    # Redacted again as shown: a publication made before the redaction knew every
    # country's phone numbers and every script's addresses (issue 15) still shows none.
    rows["comment_text_redacted"] = rows["comment_text_redacted"].map(redact)
    return rows
