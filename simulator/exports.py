"""Vendor-shaped lines for one landing day (see docs/source_formats.md, field by field)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import orjson

from simulator.model import Survey, Ticket
from simulator.population import BOT_USER_ID, Population
from simulator.tickets import CATEGORY_FIELD_ID, TICKET_TYPES

QUALTRICS_ACCOUNT_TIMEZONE = ZoneInfo("America/New_York")
QUALTRICS_COLUMNS = (
    "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
    "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
    "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage",
    "Q1", "Q2", "Q3", "Q4", "Q5_TEXT", "contact_system", "contact_ref",
)
QUALTRICS_QUESTIONS = {
    "Q1": "How satisfied are you with the support you received? (1 = very dissatisfied, 5 = very satisfied)",
    "Q2": "How likely are you to recommend us to a friend? (0 = not at all likely, 10 = extremely likely)",
    "Q3": "How easy was it to get your issue handled? (1 = very difficult, 7 = very easy)",
    "Q4": "Was your issue resolved?",
    "Q5_TEXT": "Is there anything else you would like to tell us?",
}
DISTRIBUTION_COLUMNS = ("SentDate", "RecipientEmail", "ExternalReference", "contact_system", "contact_ref", "Status")


# Moments are naive UTC datetimes until here; orjson writes them as vendors do, 2026-01-05T14:03:00Z.
JSON_OPTIONS = orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS


def jsonl(rows: list[dict]) -> list[str]:
    return [orjson.dumps(row, option=JSON_OPTIONS).decode() for row in rows]


def ticket_snapshots(ticket: Ticket, people: Population):
    """How to write the ticket as Zendesk's incremental export hands it over, as it stood after
    a given change: what never changes is built once per ticket (a day's snapshot reuses it)."""
    customer = people.customers[ticket.customer_index]
    base = {
        "id": ticket.ticket_id,
        "created_at": ticket.created_at,
        "updated_at": None,
        "status": None,
        "priority": None,
        "type": TICKET_TYPES[ticket.category],
        "subject": f"{ticket.category.title()} request",
        "via": {"channel": ticket.via_channel, "source": {"from": {}, "to": {}, "rel": None}},
        "requester_id": customer.zendesk_user_id,
        "submitter_id": ticket.submitter_id,
        "assignee_id": None,
        "group_id": None,
        "organization_id": None,
        "brand_id": 1,
        "tags": [ticket.category, ticket.channel],
        "custom_fields": [{"id": CATEGORY_FIELD_ID, "value": ticket.category}],
    }

    def snapshot(fields: tuple, updated_at: datetime) -> dict:
        status, priority, group_id, assignee_id = fields
        return {**base, "updated_at": updated_at, "status": status, "priority": priority,
                "assignee_id": assignee_id, "group_id": group_id}

    return snapshot


def users(people: Population, customer_indexes: list[int], day: date, with_bot: bool) -> list[dict]:
    """Agents and the bot every day (a daily export of staff); the customers seen today."""
    stamp = f"{day.isoformat()}T00:00:00Z"
    rows = [] if not with_bot else [{"id": BOT_USER_ID, "name": "Support Bot", "email": "bot@support.example.com", "phone": None,
             "role": "agent", "time_zone": "UTC", "active": True, "created_at": "2025-01-01T00:00:00Z",
             "updated_at": "2025-01-01T00:00:00Z"}]
    rows += [{"id": a.zendesk_user_id, "name": a.name, "email": a.email, "phone": None, "role": "agent",
              "time_zone": people.teams[a.team_on(day)].timezone, "active": True,
              "created_at": "2025-06-01T09:00:00Z", "updated_at": _agent_updated_at(a, day)} for a in people.agents]
    for index in customer_indexes:
        customer = people.customers[index]
        rows.append({"id": customer.zendesk_user_id, "name": f"{customer.first_name} {customer.last_name}",
                     "email": customer.email_as_typed, "phone": customer.phone_as_typed, "role": "end-user",
                     "time_zone": "Eastern Time (US & Canada)", "active": True,
                     "created_at": "2025-01-01T00:00:00Z", "updated_at": stamp})
    return rows


def _agent_updated_at(agent, day: date) -> str:
    """Zendesk stamps a user's updated_at on any change: a move to a team in another time zone is one."""
    if agent.moves_on is not None and day >= agent.moves_on:
        return f"{agent.moves_on.isoformat()}T00:00:00Z"
    return "2025-06-01T09:00:00Z"


def groups(people: Population) -> list[dict]:
    return [{"id": gid, "name": people.teams[key].name, "created_at": "2025-06-01T09:00:00Z"}
            for key, gid in people.group_ids.items()]


def group_memberships(people: Population, day: date) -> list[dict]:
    """Each agent's group on ``day``: an agent who moved team shows in the new group from then on."""
    rows = []
    for agent in people.agents:
        team = agent.team_on(day)
        since = agent.moves_on if agent.moves_on and day >= agent.moves_on else date(2025, 6, 1)
        rows.append({"id": agent.zendesk_user_id * 10 + list(people.group_ids).index(team),
                     "user_id": agent.zendesk_user_id, "group_id": people.group_ids[team], "default": True,
                     "created_at": f"{since.isoformat()}T00:00:00Z", "updated_at": f"{since.isoformat()}T00:00:00Z"})
    return rows


def account_time(moment: datetime) -> str:
    """Qualtrics exports dates in the account's timezone, without a zone."""
    return moment.replace(tzinfo=timezone.utc).astimezone(QUALTRICS_ACCOUNT_TIMEZONE).strftime("%Y-%m-%d %H:%M:%S")


def _csv_lines(rows: list[tuple]) -> list[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue().splitlines()


def qualtrics_responses(surveys: list[Survey], people: Population) -> list[str]:
    header = [QUALTRICS_COLUMNS, tuple(QUALTRICS_QUESTIONS.get(c, c) for c in QUALTRICS_COLUMNS),
              tuple(json.dumps({"ImportId": c if c.startswith("Q") else c[0].lower() + c[1:]}) for c in QUALTRICS_COLUMNS)]
    rows = []
    for survey in surveys:
        customer = people.customers[survey.customer_index]
        rows.append((
            account_time(survey.started_at), account_time(survey.recorded_at), "IP Address", "198.51.100.7", 100,
            int((survey.recorded_at - survey.started_at).total_seconds()), "True", account_time(survey.recorded_at),
            survey.response_id, customer.last_name, customer.first_name, customer.email, survey.contact_ref, "", "",
            "email", "EN", survey.csat_score, survey.nps_score, survey.ces_score,
            1 if survey.is_resolved_answer else 2, survey.comment, survey.contact_system, survey.contact_ref,
        ))
    return _csv_lines(header + rows)


def distributions(surveys: list[Survey], people: Population) -> list[str]:
    rows = [(account_time(s.sent_at), people.customers[s.customer_index].email, s.contact_ref, s.contact_system,
             s.contact_ref, "Email Sent") for s in surveys]
    return _csv_lines([DISTRIBUTION_COLUMNS, *rows])


def survey_truth(survey: Survey) -> dict:
    return {"response_id": survey.response_id, "contact_system": survey.contact_system,
            "contact_ref": survey.contact_ref, "sent_at": survey.sent_at,
            "recorded_at": survey.recorded_at if survey.recorded_at else None,
            "csat_score": survey.csat_score, "nps_score": survey.nps_score, "ces_score": survey.ces_score,
            "is_resolved_answer": survey.is_resolved_answer, "themes": list(survey.themes),
            "sentiment": survey.sentiment}
