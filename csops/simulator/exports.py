"""Vendor-shaped lines for one landing day (see docs/source_formats.md, field by field)."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import orjson

from csops.simulator.model import Survey, Ticket
from csops.simulator.population import BOT_USER_ID, Population
from csops.simulator.surveys import preview_of
from csops.simulator.tickets import CATEGORY_FIELD_ID, TICKET_TYPES

QUALTRICS_ACCOUNT_TIMEZONE = ZoneInfo("America/New_York")
# The simulated center's survey, as its author built it: the standard columns, five
# questions by QID, and the embedded data the center's triggers set (the Zendesk ticket, or
# the Connect contact, surveyed). seeds/survey_question_map.csv maps it as `support_csat`.
QUALTRICS_STANDARD_COLUMNS = (
    ("StartDate", "Start Date", "startDate"), ("EndDate", "End Date", "endDate"),
    ("Status", "Response Type", "status"), ("IPAddress", "IP Address", "ipAddress"),
    ("Progress", "Progress", "progress"), ("Duration (in seconds)", "Duration (in seconds)", "duration"),
    ("Finished", "Finished", "finished"), ("RecordedDate", "Recorded Date", "recordedDate"),
    ("ResponseId", "Response ID", "_recordId"), ("RecipientLastName", "Recipient Last Name", "recipientLastName"),
    ("RecipientFirstName", "Recipient First Name", "recipientFirstName"),
    ("RecipientEmail", "Recipient Email", "recipientEmail"),
    ("ExternalReference", "External Data Reference", "externalDataReference"),
    ("LocationLatitude", "Location Latitude", "locationLatitude"),
    ("LocationLongitude", "Location Longitude", "locationLongitude"),
    ("DistributionChannel", "Distribution Channel", "distributionChannel"),
    ("UserLanguage", "User Language", "userLanguage"),
)
QUALTRICS_QUESTIONS = (
    ("Q1", "How satisfied are you with the support you received?", "QID1"),
    ("Q2", "How likely are you to recommend us to a friend or colleague?", "QID2"),
    ("Q3", "How easy was it to get your issue handled?", "QID3"),
    ("Q4", "Was your issue resolved?", "QID4"),
    ("Q5_TEXT", "Is there anything else you would like to tell us? - Text", "QID5_TEXT"),
)
# Embedded data: the column, its ImportId and header text are the field's name.
QUALTRICS_EMBEDDED_DATA = ("ticket_id", "connect_contact_id")
QUALTRICS_COLUMNS = tuple(name for name, _, _ in (*QUALTRICS_STANDARD_COLUMNS, *QUALTRICS_QUESTIONS)) + \
    QUALTRICS_EMBEDDED_DATA
# The dates' columns: their ImportId names the zone they are written in.
QUALTRICS_DATE_IMPORT_IDS = ("startDate", "endDate", "recordedDate")


# Moments are naive UTC datetimes until here; orjson writes them as vendors do, 2026-01-05T14:03:00Z.
JSON_OPTIONS = orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS


def jsonl(rows: list[dict]) -> list[str]:
    return [orjson.dumps(row, option=JSON_OPTIONS).decode() for row in rows]


# How each system hands its records over (docs/source_formats.md). The engine names files in these
# layouts with one JSON record per unit; :func:`packed` writes the units as the vendor packs them.
# Amazon Connect streams reach S3 through Kinesis Data Firehose: an object per buffer flush under
# the UTC prefix of its arrival hour, named <delivery stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>,
# records concatenated with no delimiter; ".gz" when the stream compresses (GZIP).
FIREHOSE_STREAMS = {  # folder: (delivery stream, compressed)
    "contact-records": ("csops-connect-ctr", False),
    "agent-events": ("csops-connect-agent-events", True),
}
# Zendesk's endpoints, their envelope key, and how they page.
ZENDESK_PAGE_SIZE = 1000
ZENDESK_ENDPOINTS = {  # file stem: (envelope key, pagination)
    "tickets": ("tickets", "cursor_stream"),  # GET /api/v2/incremental/tickets/cursor.json
    "users": ("users", "cursor_stream"),  # GET /api/v2/incremental/users/cursor.json
    "ticket_audits": ("audits", "cursor"),  # GET /api/v2/ticket_audits.json
    "groups": ("groups", "offset"),  # GET /api/v2/groups.json
    "group_memberships": ("group_memberships", "offset"),  # GET /api/v2/group_memberships.json
}
_PAGE_NAME = re.compile(r"^crm/[^/]+/(?P<stem>[a-z_]+)-(?P<page>\d{4})(?P<late>-late)?\.json$")
_FIREHOSE_NAME = re.compile(r"^telephony/(?P<folder>[a-z-]+)/\d{4}/\d{2}/\d{2}/\d{2}/[^/]+$")


def firehose_objects(folder: str, rows: list[dict], time_key: str, day: date, seed: int, shard_index: int
                     ) -> dict[str, list[str]]:
    """One object per arrival hour of ``day`` (a record's ``time_key``, kept within the day)."""
    stream, compressed = FIREHOSE_STREAMS[folder]
    day_start = datetime.combine(day, datetime.min.time())
    last_second = day_start + timedelta(days=1, seconds=-1)
    by_hour: dict[int, list[dict]] = {}
    latest: dict[int, datetime] = {}
    for row in rows:
        arrived = min(max(row[time_key], day_start), last_second)
        by_hour.setdefault(arrived.hour, []).append(row)
        latest[arrived.hour] = max(latest.get(arrived.hour, arrived), arrived)
    files = {}
    for hour, hour_rows in sorted(by_hour.items()):
        object_id = _uuid(f"{seed}:{shard_index}:{folder}:{day.isoformat()}:{hour}")
        name = (f"telephony/{folder}/{day:%Y/%m/%d}/{hour:02d}/"
                f"{stream}-1-{latest[hour]:%Y-%m-%d-%H-%M-%S}-{object_id}{'.gz' if compressed else ''}")
        files[name] = jsonl(hour_rows)
    return files


def zendesk_pages(stem: str, rows: list[dict], day: date, always: bool = False) -> dict[str, list[str]]:
    """The day's records of one endpoint as its API pages (``crm/<day>/<stem>-0001.json``, ...).
    ``always``: the endpoint returns a page even when nothing changed (an incremental export)."""
    units = jsonl(rows)
    pages = [units[start:start + ZENDESK_PAGE_SIZE] for start in range(0, len(units), ZENDESK_PAGE_SIZE)]
    if not pages and always:
        pages = [[]]
    return {f"crm/{day.isoformat()}/{stem}-{number:04d}.json": page for number, page in enumerate(pages, 1)}


def next_page(relative: str) -> str | None:
    """The name of the page after this one, for an API page; None for other files."""
    page = _PAGE_NAME.match(relative)
    if not page or page["late"]:
        return None
    return relative.replace(f"-{page['page']}.json", f"-{int(page['page']) + 1:04d}.json")


def export_of(relative: str) -> str | None:
    """Which export a file of the vendor layouts holds: a Zendesk endpoint, a Connect stream."""
    page = _PAGE_NAME.match(relative)
    if page:
        return page["stem"]
    firehose = _FIREHOSE_NAME.match(relative)
    return firehose["folder"].replace("-", "_") if firehose else None


def is_firehose_object(relative: str) -> bool:
    return _FIREHOSE_NAME.match(relative) is not None


def late_name(relative: str) -> str:
    """Where records that missed their delivery arrive on the next run: a new object in the same
    Firehose hour folder, a later page of the same day's export, a second CSV export."""
    if _FIREHOSE_NAME.match(relative):
        return re.sub(r"[0-9a-f-]{36}(?=(\.gz)?$)", lambda found: _uuid(found.group() + ":late"), relative)
    stem, dot, extension = relative.rpartition(".")
    return f"{stem}-late{dot}{extension}"


def _uuid(text: str) -> str:
    return str(uuid.UUID(bytes=hashlib.sha256(text.encode()).digest()[:16], version=4))


def packed(relative: str, units: list[str], last_page: bool = True) -> bytes:
    """A file's bytes as its system writes them, from its records (or CSV lines), in UTF-8; a
    lone surrogate U+DC80-U+DCFF in a unit is written as the byte it stands for (0x80-0xFF), as
    a record a Latin-1 system wrote (csops/simulator/defects.py's ``non_utf8_bytes``)."""
    page = _PAGE_NAME.match(relative)
    if page:
        key, pagination = ZENDESK_ENDPOINTS[page["stem"]]
        return _encoded(_zendesk_page(key, pagination, relative, units, last_page))
    firehose = _FIREHOSE_NAME.match(relative)
    if firehose:
        data = _encoded("".join(units))  # Firehose concatenates records with no delimiter
        return gzip.compress(data, mtime=0) if relative.endswith(".gz") else data
    return _encoded("\n".join(units) + "\n") if units else b""


def _encoded(text: str) -> bytes:
    return text.encode("utf-8", errors="surrogateescape")


def _zendesk_page(key: str, pagination: str, relative: str, units: list[str], last_page: bool) -> str:
    cursor = hashlib.sha256(relative.encode()).hexdigest()[:24]
    endpoint = {"tickets": "incremental/tickets/cursor.json", "users": "incremental/users/cursor.json",
                "audits": "ticket_audits.json"}.get(key, f"{key}.json")
    url = f"https://csops-demo.zendesk.com/api/v2/{endpoint}"
    head = f'{{"{key}":[' + ",".join(units) + "],"
    if pagination == "cursor_stream":
        tail = (f'"after_url":"{url}?cursor={cursor}","after_cursor":"{cursor}","before_url":null,'
                f'"before_cursor":null,"end_of_stream":{"true" if last_page else "false"}}}')
    elif pagination == "cursor":
        tail = (f'"before_cursor":null,"before_url":null,"after_cursor":{"null" if last_page else json.dumps(cursor)},'
                f'"after_url":{"null" if last_page else json.dumps(url + "?cursor=" + cursor)}}}')
    else:
        tail = f'"next_page":null,"previous_page":null,"count":{len(units)}}}'
    return head + tail + "\n"


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
    # A leaver stays, downgraded: Zendesk keeps the user (active, as an end-user) and their tickets.
    rows += [{"id": a.zendesk_user_id, "name": a.name, "email": a.email, "phone": None, "role": a.role_on(day),
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
    """Zendesk stamps a user's updated_at on any change: a move to a team in another time zone is
    one, a role changed (made admin, downgraded to end-user when they leave) another."""
    changes = [datetime(2025, 6, 1, 9)]
    if agent.moves_on is not None and day >= agent.moves_on:
        changes.append(datetime.combine(agent.moves_on, datetime.min.time()))
    changes += [moment for moment in (agent.promoted_at, agent.leaves_at)
                if moment is not None and day >= moment.date()]
    return f"{max(changes).isoformat(timespec='seconds')}Z"


def groups(people: Population) -> list[dict]:
    return [{"id": gid, "name": people.teams[key].name, "created_at": "2025-06-01T09:00:00Z"}
            for key, gid in people.group_ids.items()]


def group_memberships(people: Population, day: date) -> list[dict]:
    """Each agent's group on ``day``: an agent who moved team shows in the new group from then on;
    a leaver's membership is gone from the day they left (Zendesk deletes a downgraded agent's)."""
    rows = []
    for agent in people.agents:
        if agent.leaves_at is not None and day >= agent.leaves_at.date():
            continue
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
    """The day's response export as Qualtrics' CSV download writes it: three header rows (names,
    question texts, ImportIds with the dates' zone), then a row per response, numeric values.
    An admin's preview or test of a survey (csops/simulator/surveys.py) sits beside the real responses."""
    import_ids = [{"ImportId": import_id} for _, _, import_id in (*QUALTRICS_STANDARD_COLUMNS, *QUALTRICS_QUESTIONS)]
    import_ids += [{"ImportId": name} for name in QUALTRICS_EMBEDDED_DATA]
    for import_id in import_ids:
        if import_id["ImportId"] in QUALTRICS_DATE_IMPORT_IDS:
            import_id["timeZone"] = QUALTRICS_ACCOUNT_TIMEZONE.key
    header = [
        QUALTRICS_COLUMNS,
        tuple(text for _, text, _ in (*QUALTRICS_STANDARD_COLUMNS, *QUALTRICS_QUESTIONS)) + QUALTRICS_EMBEDDED_DATA,
        tuple(json.dumps(import_id, separators=(",", ":")) for import_id in import_ids),
    ]
    rows = []
    for survey in surveys:
        customer = people.customers[survey.customer_index]
        recorded = account_time(survey.recorded_at)
        embedded = (survey.contact_ref, "") if survey.contact_system == "crm" else ("", survey.contact_ref)
        standard = (account_time(survey.started_at), recorded, "IP Address", "198.51.100.7", 100,
                    int((survey.recorded_at - survey.started_at).total_seconds()), "True", recorded)
        recipient = (customer.last_name, customer.first_name, customer.email, customer.zendesk_user_id, "", "")
        rows.append((*standard, survey.response_id, *recipient, "email", "EN", survey.csat_score, survey.nps_score,
                     survey.ces_score, 1 if survey.is_resolved_answer else 2, survey.comment, *embedded))
        preview = preview_of(survey)
        if preview is not None:
            # Opened from the ticket to check the trigger: the real contact's embedded data, the
            # lowest scores, and a status that keeps it out of every KPI.
            rows.append((*standard[:2], preview.status, "", 100, standard[5], "True", recorded, preview.response_id,
                         "", "", "", "", "", "", preview.distribution_channel, "EN", 1, 0, 1, 2, "", *embedded))
    return _csv_lines(header + rows)


QUALTRICS_SURVEY_LINK = "https://csops-demo.qualtrics.com/jfe/form/SV_cs0psSupp0rtCsat"


def qualtrics_distribution_history(sent: list[Survey], answered: list[Survey], people: Population) -> list[str]:
    """The invitations whose state moved on this day, as a daily pull of Qualtrics' distribution
    history API returns them: one page ``{"result": {"elements": [...], "nextPage": null}, "meta"}``.
    The center's trigger creates one distribution per contact surveyed, to the customer's
    directory contact; an invitation sent today is delivered (``Success``), and comes again,
    ``SurveyFinished`` with its ``responseId``, the day it is answered."""
    invitations = {id(s): s for s in (*sent, *answered)}.values()
    answered_today = {id(s) for s in answered}
    elements = []
    for survey in sorted(invitations, key=lambda s: (s.sent_at, s.contact_system, s.contact_ref)):
        customer = people.customers[survey.customer_index]
        distribution_id = "EMD_" + _qualtrics_id(f"{survey.contact_system}:{survey.contact_ref}")
        contact_id = "CID_" + _qualtrics_id(f"contact:{customer.zendesk_user_id}")
        finished = id(survey) in answered_today
        elements.append({
            "contactId": contact_id,
            "contactLookupId": "CGC_" + _qualtrics_id(f"lookup:{customer.zendesk_user_id}"),
            "distributionID": distribution_id,
            "status": "SurveyFinished" if finished else "Success",
            "surveyLink": f"{QUALTRICS_SURVEY_LINK}?Q_DL={distribution_id}_{contact_id}&Q_CHL=email",
            "contactFrequencyRuleId": None,
            "responseId": survey.response_id if finished else None,
            "responseCompletedAt": survey.recorded_at if finished else None,
            "sentAt": survey.sent_at,
            "openedAt": max(survey.sent_at, survey.started_at - timedelta(minutes=1)) if finished else None,
            "responseStartedAt": survey.started_at if finished else None,
            "surveySessionId": "FS_" + _qualtrics_id(f"session:{survey.response_id}") if finished else None,
        })
    page = {"result": {"elements": elements, "nextPage": None},
            "meta": {"httpStatus": "200 - OK",
                     "requestId": _uuid("history:" + ",".join(e["distributionID"] for e in elements[:1]))}}
    return [orjson.dumps(page, option=JSON_OPTIONS).decode()]


def _qualtrics_id(text: str) -> str:
    """A Qualtrics-looking id body (15 characters), the same for the same text."""
    return hashlib.sha256(text.encode()).hexdigest()[:15]


def survey_truth(survey: Survey) -> dict:
    preview = preview_of(survey)
    return {"response_id": survey.response_id, "contact_system": survey.contact_system,
            "contact_ref": survey.contact_ref, "sent_at": survey.sent_at,
            "recorded_at": survey.recorded_at if survey.recorded_at else None,
            "csat_score": survey.csat_score, "nps_score": survey.nps_score, "ces_score": survey.ces_score,
            "is_resolved_answer": survey.is_resolved_answer, "themes": list(survey.themes),
            "sentiment": survey.sentiment,
            # A preview or test response written beside this one, which no KPI may count.
            "preview_response_id": preview.response_id if preview else None}
