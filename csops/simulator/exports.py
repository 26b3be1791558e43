"""How each system hands its records over (docs/source_formats.md): the vendors' file layouts
and names, and a file's bytes from its records. The records themselves are built beside the
systems: zendesk_records.py, qualtrics_records.py, contact_records.py, agent_events.py."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import uuid
from datetime import date, datetime, timedelta

import orjson

# Moments are naive UTC datetimes until here; orjson writes them as vendors do, 2026-01-05T14:03:00Z.
JSON_OPTIONS = orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS


def jsonl(rows: list[dict]) -> list[str]:
    return [orjson.dumps(row, option=JSON_OPTIONS).decode() for row in rows]


def utc_text(moment: datetime) -> str:
    """A naive UTC moment as vendors write it, ``2026-01-05T14:03:00Z``."""
    return f"{moment.isoformat(timespec='seconds')}Z"


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
        object_id = stable_uuid(f"{seed}:{shard_index}:{folder}:{day.isoformat()}:{hour}")
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
        return re.sub(r"[0-9a-f-]{36}(?=(\.gz)?$)", lambda found: stable_uuid(found.group() + ":late"), relative)
    stem, dot, extension = relative.rpartition(".")
    return f"{stem}-late{dot}{extension}"


def stable_uuid(text: str) -> str:
    """A version-4-shaped UUID, the same for the same text."""
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
