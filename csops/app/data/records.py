"""The records behind an aggregate: contacts, tickets' SLAs, calls, survey comments.

Each function takes the aggregate row's keys and returns at most ``RECORDS_SHOWN`` rows,
newest first, with the full count in ``frame.attrs["total_count"]``.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from csops.app.data import frame, has_table
from csops.kernel.publication import Publication
from csops.kernel.redaction import redact

RECORDS_SHOWN = 2_000


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
    """Contacts (``fct_contacts`` with agent and team names, and FCR's verdict with its window when
    published: the verdict is null while the window is open),
    on contact dates ``start_date``..``end_date`` and where each named column equals the value
    (or is in the list): e.g. ``channel="phone"``, ``team_key=("tier1_east",)``, ``agent_id=7``."""
    resolution = has_table(publication, "fct_contact_resolutions")
    select = f"""
        select contacts.contact_id, contacts.contact_date, contacts.created_at, contacts.ended_at, contacts.channel,
            contacts.issue_category, contacts.team_key, teams.team_name, contacts.agent_id, agents.agent_name,
            contacts.source_system, contacts.source_contact_ref, contacts.customer_key, contacts.is_inbound,
            contacts.is_handled, contacts.is_resolved_on_contact
            {", resolutions.window_ends_at, resolutions.is_window_closed, resolutions.is_first_contact_resolved, "
             "resolutions.repeat_contact_count" if resolution else ""}
        from marts.fct_contacts as contacts
        left join marts.dim_teams as teams on contacts.team_key = teams.team_key
        left join marts.dim_agents as agents on contacts.agent_id = agents.agent_id
        {"left join marts.fct_contact_resolutions as resolutions on contacts.contact_id = resolutions.contact_id"
         if resolution else ""}
    """
    where, parameters = _conditions(start_date, end_date, "contact_date", **equal)
    return _limited(publication, select, where, parameters, "created_at desc")


def ticket_slas(publication: Publication, start_date: date | None = None, end_date: date | None = None,
                **equal) -> pd.DataFrame:
    """Tickets' SLA clocks (``fct_ticket_slas``), by created date and any of its columns."""
    select = """
        select slas.*, teams.team_name
        from marts.fct_ticket_slas as slas
        left join marts.dim_teams as teams on slas.team_key = teams.team_key
    """
    where, parameters = _conditions(start_date, end_date, "created_date", **equal)
    return _limited(publication, select, where, parameters, "created_at desc")


def queue_segments(publication: Publication, start_date: date | None = None, end_date: date | None = None,
                   **equal) -> pd.DataFrame:
    """Calls' queue segments (``fct_queue_segments``), by queue date and any of its columns
    (e.g. ``queue_name="Billing"``, ``interval_start_at=...``)."""
    where, parameters = _conditions(start_date, end_date, "queue_date", **equal)
    return _limited(publication, "select * from marts.fct_queue_segments", where, parameters, "enqueued_at desc")


def ticket_slas_of_team(publication: Publication, team_key: str, start_date: date | None = None,
                        end_date: date | None = None, **equal) -> pd.DataFrame:
    """As :func:`ticket_slas`, for one team as the SLA marts report it: team ``unknown`` is the
    tickets whose group is no team (a null ``team_key`` in ``fct_ticket_slas``)."""
    select = """
        select slas.*, teams.team_name
        from marts.fct_ticket_slas as slas
        left join marts.dim_teams as teams on slas.team_key = teams.team_key
    """
    where, parameters = _conditions(start_date, end_date, "created_date", **equal)
    if team_key == "unknown":
        where.append("team_key is null")
    else:
        where.append("team_key = $team_key")
        parameters["team_key"] = team_key
    return _limited(publication, select, where, parameters, "created_at desc")


def fcr_contacts(publication: Publication, start_date: date | None = None, end_date: date | None = None,
                 null_columns: tuple[str, ...] = (), **equal) -> pd.DataFrame:
    """Inbound contacts with their FCR verdict (``fct_contacts`` x ``fct_contact_resolutions``:
    resolved on contact, window end and whether it had closed, repeats and the first repeat's
    channel), on contact dates ``start_date``..``end_date`` and where each named column equals
    the value (e.g. ``channel="phone"``, ``first_repeat_channel="email"``,
    ``is_window_closed=True``); ``null_columns`` must be null (e.g. ``("agent_id",)``)."""
    # Publications made before the repeat paths have no first repeat's id and channel.
    columns = set(frame(publication, "select column_name from information_schema.columns where table_schema = "
                                     "'marts' and table_name = 'fct_contact_resolutions'")["column_name"])
    first_repeat = "".join(f", resolutions.{column}" for column in ("first_repeat_contact_id", "first_repeat_channel")
                           if column in columns)
    select = f"""
        select contacts.contact_id, contacts.contact_date, contacts.created_at, contacts.ended_at, contacts.channel,
            contacts.issue_category, contacts.team_key, teams.team_name, contacts.agent_id, agents.agent_name,
            contacts.customer_key, contacts.source_system, contacts.source_contact_ref,
            resolutions.is_resolved_on_contact, resolutions.window_ends_at, resolutions.is_window_closed,
            resolutions.is_first_contact_resolved, resolutions.repeat_contact_count, resolutions.first_repeat_at
            {first_repeat}
        from marts.fct_contacts as contacts
        inner join marts.fct_contact_resolutions as resolutions on contacts.contact_id = resolutions.contact_id
        left join marts.dim_teams as teams on contacts.team_key = teams.team_key
        left join marts.dim_agents as agents on contacts.agent_id = agents.agent_id
    """
    where, parameters = _conditions(start_date, end_date, "contact_date", **equal)
    where += [f"{column} is null" for column in null_columns]
    return _limited(publication, select, where, parameters, "created_at desc")


def survey_responses(publication: Publication, start_date: date | None = None, end_date: date | None = None,
                     **equal) -> pd.DataFrame:
    """Survey responses whose contact is in the warehouse, with that contact (``fct_survey_responses``
    x ``fct_contacts``, names, and the redacted comment, themes and sentiment of
    ``survey_comment_examples`` when published): the records behind a ``feedback_by_*_week`` row.
    By contact date ``start_date``..``end_date`` and where each named column of the response
    equals the value (``channel``, ``team_key``, ``agent_id``); lowest CSAT first."""
    comments = has_table(publication, "survey_comment_examples")
    select = f"""
        select responses.survey_response_id, responses.contact_id, responses.contact_date, responses.channel,
            responses.team_key, teams.team_name, responses.agent_id, agents.agent_name, contacts.issue_category,
            responses.csat_scale, responses.csat_score, responses.is_csat_good, responses.nps_score,
            responses.ces_score, responses.is_resolved_answer, responses.recorded_at
            {", comments.comment_text_redacted, comments.sentiment_label, comments.sentiment_score, "
             "array_to_string(comments.theme_keys, ', ') as themes" if comments else ""}
        from marts.fct_survey_responses as responses
        left join marts.fct_contacts as contacts on responses.contact_id = contacts.contact_id
        left join marts.dim_teams as teams on responses.team_key = teams.team_key
        left join marts.dim_agents as agents on responses.agent_id = agents.agent_id
        {"left join marts.survey_comment_examples as comments "
         "on responses.survey_response_id = comments.survey_response_id" if comments else ""}
        where responses.is_contact_matched
    """
    where, parameters = _conditions(start_date, end_date, "contact_date", **equal)
    rows = _limited(publication, select, where, parameters,
                    "csat_score asc nulls last, contact_date, survey_response_id")
    if comments:
        # Redacted again as shown: a publication made before the redaction knew every
        # country's phone numbers and every script's addresses (issue 15) still shows none.
        rows["comment_text_redacted"] = rows["comment_text_redacted"].map(redact)
    return rows
