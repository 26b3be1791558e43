"""Write one landing day of exports, shaped like the vendors' (see docs/source_formats.md).

- crm/<day>/: Zendesk-style JSON lines: tickets.jsonl, ticket_audits.jsonl, users.jsonl, groups.jsonl
- telephony/<day>/: Amazon Connect contact-record-style JSON lines: contact_records.jsonl
- surveys/<day>/: a Qualtrics-style response export, responses.csv (with its two extra header
  rows), and the distribution list, distributions.csv
- truth/<day>/: what was planted (never read by the pipeline)
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from simulator.config import VIA_CHANNEL, CenterConfig
from simulator.contacts import LOOKBACK_DAYS, Contact, day_contacts, local_date
from simulator.population import Population, population

CATEGORY_FIELD_ID = 360_000_001
QUEUE_ARN = "arn:aws:connect:us-east-1:111122223333:instance/demo/queue/"
AGENT_ARN = "arn:aws:connect:us-east-1:111122223333:instance/demo/agent/"

QUALTRICS_COLUMNS = (
    "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
    "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
    "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage",
    "Q1", "Q2", "Q3", "Q4", "Q5_TEXT", "contact_system", "contact_ref",
)
QUALTRICS_QUESTIONS = {
    "Q1": "How satisfied are you with the support you received? (1 = very dissatisfied, 5 = very satisfied)",
    "Q2": "How likely are you to recommend us to a friend? (0-10)",
    "Q3": "How easy was it to get your issue handled? (1 = very difficult, 7 = very easy)",
    "Q4": "Was your issue resolved?",
    "Q5_TEXT": "Is there anything else you would like to tell us?",
}


def utc_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _jsonl(rows: list[dict]) -> str:
    return "".join(json.dumps(row, separators=(",", ":")) + "\n" for row in rows)


def _spilling_contacts(config: CenterConfig, day: date) -> list[Contact]:
    """Contacts of ``day`` and of the earlier days whose events can land on ``day``."""
    found: list[Contact] = []
    for back in range(LOOKBACK_DAYS, -1, -1):
        earlier = day - timedelta(days=back)
        if earlier >= config.start:  # the center's history begins at the period start
            found.extend(day_contacts(config, earlier))
    return found


def write_day(config: CenterConfig, day: date, landing: Path, truth: Path) -> dict[str, int]:
    """Write every export of one landing day; returns row counts per file."""
    people = population(config)
    contacts = _spilling_contacts(config, day)
    todays = [c for c in contacts if local_date(c.created_at, config) == day]
    files = {
        landing / "crm" / day.isoformat() / "tickets.jsonl": _jsonl(_ticket_snapshots(config, day, contacts, people)),
        landing / "crm" / day.isoformat() / "ticket_audits.jsonl": _jsonl(_ticket_audits(config, day, contacts, people)),
        landing / "crm" / day.isoformat() / "users.jsonl": _jsonl(_users(day, todays, people)),
        landing / "crm" / day.isoformat() / "groups.jsonl": _jsonl(_groups(people)),
        landing / "telephony" / day.isoformat() / "contact_records.jsonl": _jsonl(
            [_contact_record(c, people) for c in todays if c.system == "telephony"]
        ),
        landing / "surveys" / day.isoformat() / "responses.csv": _qualtrics_responses(config, day, contacts, people),
        landing / "surveys" / day.isoformat() / "distributions.csv": _distributions(config, day, contacts, people),
        truth / day.isoformat() / "contacts.jsonl": _jsonl([_truth_row(c) for c in todays]),
    }
    counts = {}
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        counts[str(path.relative_to(path.parents[2]))] = text.count("\n")
    return counts


def _status_at(contact: Contact, moment: datetime) -> str:
    if contact.solved_at is not None and contact.solved_at <= moment:
        return "solved"
    return "open" if contact.first_reply_at is not None and contact.first_reply_at <= moment else "new"


def _day_end_utc(config: CenterConfig, day: date) -> datetime:
    local_end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=ZoneInfo(config.timezone))
    return local_end.astimezone(timezone.utc).replace(tzinfo=None) - timedelta(seconds=1)


def _ticket_events(contact: Contact) -> list[datetime]:
    return [t for t in (contact.created_at, contact.first_reply_at, contact.solved_at) if t is not None]


def _ticket_snapshots(config: CenterConfig, day: date, contacts: list[Contact], people: Population) -> list[dict]:
    """Zendesk's incremental export: each ticket changed on ``day``, as it stood at the day's end."""
    day_end = _day_end_utc(config, day)
    rows = []
    for contact in contacts:
        if contact.system != "crm":
            continue
        changed = [t for t in _ticket_events(contact) if local_date(t, config) == day]
        if not changed:
            continue
        agent = people.agents[contact.agent_index]
        customer = people.customers[contact.customer_index]
        rows.append({
            "id": int(contact.ref),
            "created_at": utc_text(contact.created_at),
            "updated_at": utc_text(max(changed)),
            "status": _status_at(contact, day_end),
            "priority": "normal",
            "type": "question",
            "subject": f"{contact.category.title()} question",
            "via": {"channel": VIA_CHANNEL[contact.channel], "source": {"from": {}, "to": {}, "rel": None}},
            "requester_id": customer.zendesk_user_id,
            "submitter_id": customer.zendesk_user_id,
            "assignee_id": agent.zendesk_user_id,
            "group_id": agent.group_id,
            "organization_id": None,
            "brand_id": 1,
            "tags": [contact.category],
            "custom_fields": [{"id": CATEGORY_FIELD_ID, "value": contact.category}],
        })
    return rows


def _ticket_audits(config: CenterConfig, day: date, contacts: list[Contact], people: Population) -> list[dict]:
    rows = []
    for contact in contacts:
        if contact.system != "crm":
            continue
        agent = people.agents[contact.agent_index]
        customer = people.customers[contact.customer_index]
        ticket_id = int(contact.ref)
        audits = [
            (contact.created_at, customer.zendesk_user_id, [
                {"id": ticket_id * 10 + 1, "type": "Create", "field_name": "status", "value": "new"},
                {"id": ticket_id * 10 + 2, "type": "Comment", "public": True, "author_id": customer.zendesk_user_id,
                 "body": f"Hello, I need help with {contact.category}."},
            ]),
            (contact.first_reply_at, agent.zendesk_user_id, [
                {"id": ticket_id * 10 + 3, "type": "Comment", "public": True, "author_id": agent.zendesk_user_id,
                 "body": "Thanks for reaching out, here is what to do."},
                {"id": ticket_id * 10 + 4, "type": "Change", "field_name": "status", "value": "open", "previous_value": "new"},
            ]),
            (contact.solved_at, agent.zendesk_user_id, [
                {"id": ticket_id * 10 + 5, "type": "Change", "field_name": "status", "value": "solved", "previous_value": "open"},
            ]),
        ]
        for n, (moment, author, events) in enumerate(audits):
            if moment is not None and local_date(moment, config) == day:
                rows.append({"id": ticket_id * 10 + n, "ticket_id": ticket_id, "created_at": utc_text(moment),
                             "author_id": author, "via": {"channel": "web"}, "events": events})
    return rows


def _users(day: date, todays: list[Contact], people: Population) -> list[dict]:
    """Agents every day (a daily full export of staff), and the customers seen today.

    Real systems spell the same person differently: Zendesk holds phones as typed.
    """
    rows = [{"id": a.zendesk_user_id, "name": a.name, "email": a.email, "phone": None, "role": "agent",
             "time_zone": "Eastern Time (US & Canada)", "active": True, "created_at": "2025-06-01T09:00:00Z",
             "updated_at": "2025-06-01T09:00:00Z"} for a in people.agents]
    seen = sorted({c.customer_index for c in todays if c.system == "crm"})
    for index in seen:
        customer = people.customers[index]
        national = customer.phone_e164[2:]
        phone = (f"({national[:3]}) {national[3:6]}-{national[6:]}" if index % 3 == 0
                 else f"+1 {national[:3]}-{national[3:6]}-{national[6:]}" if index % 3 == 1 else national)
        email = customer.email.upper() if index % 5 == 0 else customer.email
        rows.append({"id": customer.zendesk_user_id, "name": f"{customer.first_name} {customer.last_name}",
                     "email": email, "phone": phone, "role": "end-user", "time_zone": "Eastern Time (US & Canada)",
                     "active": True, "created_at": "2025-01-01T00:00:00Z", "updated_at": f"{day.isoformat()}T00:00:00Z"})
    return rows


def _groups(people: Population) -> list[dict]:
    return [{"id": gid, "name": name, "created_at": "2025-06-01T09:00:00Z"} for gid, name in people.groups]


def _contact_record(contact: Contact, people: Population) -> dict:
    customer = people.customers[contact.customer_index]
    enqueue_at = contact.created_at + timedelta(seconds=20)  # time in the IVR before the queue
    dequeue_at = enqueue_at + timedelta(seconds=contact.queue_wait_seconds or 0)
    record: dict = {
        "AWSAccountId": "111122223333",
        "ContactId": contact.ref,
        "InitialContactId": None,
        "PreviousContactId": None,
        "NextContactId": None,
        "Channel": "VOICE",
        "InitiationMethod": "INBOUND",
        "InitiationTimestamp": utc_text(contact.created_at),
        "ConnectedToSystemTimestamp": utc_text(contact.created_at),
        "CustomerEndpoint": {"Address": customer.phone_e164, "Type": "TELEPHONE_NUMBER"},
        "SystemEndpoint": {"Address": "+18005550100", "Type": "TELEPHONE_NUMBER"},
        "Queue": {"Name": "Support", "ARN": QUEUE_ARN + "support", "EnqueueTimestamp": utc_text(enqueue_at),
                  "DequeueTimestamp": utc_text(dequeue_at), "Duration": contact.queue_wait_seconds},
        "Agent": None,
        "Attributes": {"category": contact.category},
    }
    if contact.is_answered:
        agent = people.agents[contact.agent_index]
        talk, hold, acw = contact.talk_seconds or 0, contact.hold_seconds or 0, contact.after_contact_work_seconds or 0
        acw_start = dequeue_at + timedelta(seconds=talk + hold)
        record["Agent"] = {
            "Username": agent.connect_username, "ARN": AGENT_ARN + agent.connect_username,
            "RoutingProfile": {"Name": agent.team_key},
            "ConnectedToAgentTimestamp": utc_text(dequeue_at),
            "AgentInteractionDuration": talk, "CustomerHoldDuration": hold, "LongestHoldDuration": hold,
            "NumberOfHolds": 1 if hold else 0,
            "AfterContactWorkStartTimestamp": utc_text(acw_start),
            "AfterContactWorkEndTimestamp": utc_text(acw_start + timedelta(seconds=acw)),
            "AfterContactWorkDuration": acw,
        }
        record["DisconnectTimestamp"] = utc_text(acw_start)
        record["DisconnectReason"] = "CUSTOMER_DISCONNECT"
        record["Attributes"]["disposition"] = "resolved"
        last = acw_start + timedelta(seconds=acw)
    else:
        record["DisconnectTimestamp"] = utc_text(dequeue_at)
        record["DisconnectReason"] = "CUSTOMER_DISCONNECT"
        last = dequeue_at
    record["LastUpdateTimestamp"] = utc_text(last + timedelta(seconds=30))
    return record


def _account_time(moment: datetime, config: CenterConfig) -> str:
    """Qualtrics exports dates in the account's timezone, without a zone."""
    return moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(config.timezone)).strftime("%Y-%m-%d %H:%M:%S")


def _qualtrics_responses(config: CenterConfig, day: date, contacts: list[Contact], people: Population) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(QUALTRICS_COLUMNS)
    writer.writerow([QUALTRICS_QUESTIONS.get(c, c) for c in QUALTRICS_COLUMNS])
    writer.writerow([json.dumps({"ImportId": c if c.startswith("Q") else c[0].lower() + c[1:]}) for c in QUALTRICS_COLUMNS])
    for contact in contacts:
        survey = contact.survey
        if survey is None or survey.recorded_at is None or local_date(survey.recorded_at, config) != day:
            continue
        customer = people.customers[contact.customer_index]
        writer.writerow([
            _account_time(survey.started_at, config), _account_time(survey.recorded_at, config), "IP Address",
            "198.51.100.7", 100, int((survey.recorded_at - survey.started_at).total_seconds()), "True",
            _account_time(survey.recorded_at, config), survey.response_id, customer.last_name, customer.first_name,
            customer.email, contact.ref, "", "", "email", "EN",
            survey.csat_score, survey.nps_score, survey.ces_score, 1 if survey.is_resolved_answer else 2,
            survey.comment, contact.system, contact.ref,
        ])
    return out.getvalue()


def _distributions(config: CenterConfig, day: date, contacts: list[Contact], people: Population) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("SentDate", "RecipientEmail", "ExternalReference", "contact_system", "contact_ref", "Status"))
    for contact in contacts:
        survey = contact.survey
        if survey is None or local_date(survey.sent_at, config) != day:
            continue
        writer.writerow((_account_time(survey.sent_at, config), people.customers[contact.customer_index].email,
                         contact.ref, contact.system, contact.ref, "Email Sent"))
    return out.getvalue()


def _truth_row(contact: Contact) -> dict:
    survey = contact.survey
    return {
        "contact_ref": contact.ref, "system": contact.system, "channel": contact.channel,
        "customer_index": contact.customer_index, "agent_index": contact.agent_index,
        "category": contact.category, "created_at": utc_text(contact.created_at),
        "is_answered": contact.is_answered,
        "survey_sent_at": utc_text(survey.sent_at) if survey else None,
        "survey_recorded_at": utc_text(survey.recorded_at) if survey and survey.recorded_at else None,
        "csat_score": survey.csat_score if survey else None,
    }
