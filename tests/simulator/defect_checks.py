"""What the defect injector's tests share: a small landing day in the vendors' layouts, and
the check that a manifest row's fault is really in the file, where it says.

The injector works on a day's files before they are packed: a JSON export as one record per
unit (an API page's records, a Firehose object's records), a CSV export as lines. Where a
fault is, is checked in the file as csops reads it once packed (``tests.landed.unpacked``):
the record the manifest names (``record``, csops's ``_source_record``) on the line it names.
A CSV export's rows are counted as the loader counts them: blank rows are no records, and a
row the manifest says opens a quote it never closes ends its line (the rows after it are found
again; a plain CSV reader would read on into them).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

from csops.simulator import exports
from csops.simulator.defects import EXPECTED, Defect
from csops.simulator.exports import late_name
from tests import landed

DAY = date(2026, 1, 5)
ROOT = Path(__file__).resolve().parents[2]
QUALTRICS_COLUMNS = [
    "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
    "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
    "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage",
    "Q1", "Q2", "Q3", "Q4", "Q5_TEXT", "contact_system", "contact_ref",
]
SCALES = {"Q1": range(1, 6), "Q2": range(0, 11), "Q3": range(1, 8)}
DETAIL_VALUE = re.compile(r'^field "(?P<field>[^"]+)" = (?P<value>"(?:[^"\\]|\\.)*"|-?[\d.]+)')
# The kinds each row of which loads, for the data-quality checks after the load to catch.
CHECKED_KINDS = {"conflicting_version", "ended_before_start", "unknown_agent"}
# The exports whose files are Firehose objects: the only ones a record can break in alone.
FIREHOSE_EXPORTS = {"contact_records", "agent_events"}
# How many Firehose objects (hour folders) the fixture splits a Connect stream's day into.
FIREHOSE_HOURS = 6


def jsonl_lines(rows: list[dict]) -> list[str]:
    return [json.dumps(row, separators=(",", ":")) for row in rows]


def csv_lines(rows: list[list]) -> list[str]:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().split("\n")[:-1]


def stamp(n: int) -> str:
    return (datetime(2026, 1, 5, 8) + timedelta(minutes=7 * n)).strftime("%Y-%m-%dT%H:%M:%SZ")


def firehose_objects(folder: str, stream: str, rows: list[dict], gzip: bool) -> dict[str, list[str]]:
    """A Connect stream's day as Kinesis Data Firehose writes it to S3: an object per hour under
    the UTC prefix YYYY/MM/DD/HH/, named <stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>[.gz]."""
    objects: dict[str, list[str]] = {}
    for index, row in enumerate(rows):
        hour = 8 + index * FIREHOSE_HOURS // len(rows)
        object_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{folder}/{hour}")
        name = (f"telephony/{folder}/2026/01/05/{hour:02d}/"
                f"{stream}-1-2026-01-05-{hour:02d}-59-00-{object_id}{'.gz' if gzip else ''}")
        objects.setdefault(name, []).extend(jsonl_lines([row]))
    return objects


def day_files(n: int) -> dict[str, list[str]]:
    """A small landing day in the vendors' layouts, ``n`` records per busy export: Zendesk API
    pages, Connect Firehose objects (agent events gzipped), Qualtrics CSV exports."""
    channels = ("email", "web", "chat", "twitter", "facebook")
    tickets = [{"id": 1000 + i, "created_at": stamp(i), "updated_at": stamp(i + 3), "status": "open", "priority": "normal",
                "via": {"channel": channels[i % 5], "source": {"from": {}, "to": {}, "rel": None}},
                "requester_id": 50 + i, "assignee_id": None if i % 6 == 0 else 7, "group_id": 3, "organization_id": None,
                "tags": ["billing"], "custom_fields": [{"id": 360000001, "value": "billing"}]} for i in range(n)]
    audits = [{"id": 10000 + i, "ticket_id": 1000 + i, "created_at": stamp(i), "author_id": 7, "via": {"channel": "web"},
               "events": [{"id": 1, "type": "Comment", "public": True, "author_id": 7, "body": "Héllo, thanks"}]}
              for i in range(n)]
    users = [{"id": 7 + i, "name": f"Agent {i}", "email": f"a{i}@example.com", "role": "agent",
              "created_at": "2025-06-01T09:00:00Z", "updated_at": "2025-06-01T09:00:00Z"} for i in range(n // 4)]
    groups = [{"id": 3 + i, "name": f"Team {i}", "created_at": "2025-06-01T09:00:00Z"} for i in range(4)]
    contacts = [{"AWSAccountId": "111122223333", "ContactId": f"c-{i:05d}", "InitialContactId": None,
                 "Channel": "VOICE", "InitiationMethod": "INBOUND",
                 "InitiationTimestamp": stamp(i), "DisconnectTimestamp": stamp(i + 1),
                 "Queue": {"Name": "Support", "EnqueueTimestamp": stamp(i), "Duration": 10 * (i % 4)},
                 "Agent": {"Username": "ana", "ConnectedToAgentTimestamp": stamp(i),
                           "AgentInteractionDuration": 60 + i % 300},
                 "LastUpdateTimestamp": stamp(i + 2)} for i in range(n)]
    events = [{"AWSAccountId": "111122223333", "AgentARN": "arn:aws:connect:us-east-1:111122223333:instance/x/agent/ana",
               "EventId": f"e-{i}", "EventTimestamp": stamp(i), "EventType": "HEART_BEAT",
               "CurrentAgentSnapshot": {"AgentStatus": {"Name": "Available", "StartTimestamp": stamp(0)},
                                        "Configuration": {"Username": "ana"}, "Contacts": []}} for i in range(n)]
    responses = [
        QUALTRICS_COLUMNS,
        [c if not c.startswith("Q") else f"Question {c}, please answer" for c in QUALTRICS_COLUMNS],
        [json.dumps({"ImportId": c}) for c in QUALTRICS_COLUMNS],
    ] + [
        ["2026-01-05 09:00:00", "2026-01-05 09:03:00", "IP Address", "198.51.100.7", 100, 180, "True",
         "2026-01-05 09:03:00", f"R_{i:06d}", "Doe", "Jo", f"jo{i}@example.com", 1000 + i, "", "", "email", "EN",
         1 + i % 5, i % 11, 1 + i % 7, 1 + i % 2,
         "Quick, kind\nand \"clear\"" if i % 9 == 0 else ("" if i % 2 else "fine"), "crm", 1000 + i]
        for i in range(n)
    ]
    distributions = [["SentDate", "RecipientEmail", "ExternalReference", "contact_system", "contact_ref", "Status"]] + [
        ["2026-01-05 08:00:00", f"jo{i}@example.com", 1000 + i, "crm", 1000 + i, "Email Sent"] for i in range(n)]
    return {
        "crm/2026-01-05/tickets-0001.json": jsonl_lines(tickets),
        "crm/2026-01-05/ticket_audits-0001.json": jsonl_lines(audits),
        "crm/2026-01-05/users-0001.json": jsonl_lines(users),
        "crm/2026-01-05/groups-0001.json": jsonl_lines(groups),
        **firehose_objects("contact-records", "csops-connect-ctr", contacts, gzip=False),
        **firehose_objects("agent-events", "csops-connect-agent-events", events, gzip=True),
        "surveys/2026-01-05/responses.csv": csv_lines(responses),
        "surveys/2026-01-05/distributions.csv": csv_lines(distributions),
        "crm/2026-01-05/notes.txt": ["not an export csops knows"],
    }


def export_of(name: str) -> str | None:
    return landed.export_of(name)


def is_csv(name: str) -> bool:
    return name.endswith(".csv")


def header_rows(name: str) -> int:
    return 3 if export_of(name) == "responses.csv" else 1


def csv_records(lines: list[str], open_quotes: set[int] = frozenset()) -> list[tuple[int, list[str]]]:
    """(first physical line, fields) of each CSV row, header and blank rows included; a line in
    ``open_quotes`` (a row that opens a quote it never closes) is a row of its own."""
    found, start = [], 1
    while start <= len(lines):
        if start in open_quotes:
            found.append((start, next(csv.reader([lines[start - 1] + "\n"]))))
            start += 1
            continue
        stop = min([line for line in open_quotes if line > start] + [len(lines) + 1])
        reader = csv.reader(line + "\n" for line in lines[start - 1:stop - 1])
        row_start = start
        for row in reader:
            found.append((row_start, row))
            row_start = start + reader.line_num
        start = stop
    return found


def is_blank(row: list[str]) -> bool:
    return not any(cell.strip() for cell in row)


def data_rows(name: str, lines: list[str], defects: list[Defect]) -> list[tuple[int, list[str]]]:
    """(first physical line, fields) of each data row of a CSV export, in order: its records."""
    open_quotes = {d.line for d in defects if d.file == name and d.kind == "unterminated_quote"}
    rows = csv_records(lines, open_quotes)
    return [(start, row) for start, row in rows[header_rows(name):] if not is_blank(row)]


def record_count(name: str, units: list[str]) -> int:
    if is_csv(name):
        return len(data_rows(name, units, []))
    return sum(1 for unit in units if unit.strip())


def units_of(result, name: str) -> list[str]:
    """A file's units as the injector hands them over: a day's file, or a late file's."""
    return result.files[name] if name in result.files else result.withheld[name]


def read_back(result, name: str) -> list:
    """The records csops reads from a JSON file once it is packed, in order."""
    return landed.unpacked(name, units_of(result, name))


def file_bytes(result, name: str) -> bytes:
    """The file's bytes as written (exports.packed), unzipped."""
    data = exports.packed(name, units_of(result, name))
    return gzip.decompress(data) if name.endswith(".gz") else data


def source_of_late(result, late: str) -> str:
    (source,) = [name for name in result.files if late_name(name) == late]
    return source


def utc(text: str) -> datetime:
    assert text.endswith("Z"), text
    return datetime.fromisoformat(text)


def usernames_of(users: list[dict]) -> set[str]:
    """The usernames of users: their emails' local parts, as staging reads them."""
    return {user["email"].split("@", 1)[0].strip().casefold() for user in users
            if isinstance(user, dict) and isinstance(user.get("email"), str)}


def users_of(files: dict[str, list[str]]) -> list[dict]:
    return [json.loads(unit) for name, units in files.items() if export_of(name) == "users" for unit in units]


def value_at(record: dict, path: str):
    for key in path.split("."):
        record = record[key]
    return record


def assert_checked_fault_shows(defect: Defect, record: dict, previous: dict | None, known_usernames: set[str]) -> None:
    """A fault only the checks after the load can see: every row is well-formed, and the record
    the manifest names (``previous`` is the one before it in its file) holds the contradiction."""
    match = DETAIL_VALUE.match(defect.detail)
    value = json.loads(match["value"])
    if defect.kind == "conflicting_version":
        first = previous
        assert match["field"] == "DisconnectTimestamp" and record["DisconnectTimestamp"] == value
        assert record["ContactId"] == first["ContactId"]
        assert record["LastUpdateTimestamp"] == first["LastUpdateTimestamp"]
        later = utc(record["DisconnectTimestamp"]) - utc(first["DisconnectTimestamp"])
        assert timedelta(minutes=1) <= later <= timedelta(minutes=30)
        assert {k: v for k, v in record.items() if k != "DisconnectTimestamp"} == {
            k: v for k, v in first.items() if k != "DisconnectTimestamp"}
    elif defect.kind == "ended_before_start":
        assert match["field"] == "DisconnectTimestamp" and record["DisconnectTimestamp"] == value
        early = utc(record["InitiationTimestamp"]) - utc(record["DisconnectTimestamp"])
        assert timedelta(minutes=1) <= early <= timedelta(minutes=60)
    else:
        assert defect.kind == "unknown_agent" and match["field"] == "Agent.Username"
        assert record["Agent"]["Username"] == value and value.startswith("agent.unknown.")
        assert value.casefold() not in known_usernames
        assert value != re.search(r'\(was "([^"]+)"\)$', defect.detail)[1]


# Which source system's rows of seeds/channel_map.csv a channel field is looked up in.
CHANNEL_SYSTEMS = {"via.channel": "crm", "Channel": "telephony"}


def channel_map_spellings(field: str) -> set[str]:
    with (ROOT / "seeds" / "channel_map.csv").open() as seed:
        return {row["source_channel"].strip().casefold() for row in csv.DictReader(seed)
                if row["source_system"] == CHANNEL_SYSTEMS[field]}


# Kinds the reader rejects as it reads (csops/orchestration/deliveries.py): no value to check after it.
READ_REJECTED_KINDS = ("malformed_json", "duplicated_key", "non_utf8_bytes")


def assert_shows(result, defect: Defect, inputs: dict[str, list[str]]) -> None:
    """The record a defect names, read back as csops reads the file, really shows that defect."""
    assert defect.expected == EXPECTED[defect.kind]
    assert defect.expected.startswith(("blocked: ", "warned: ") if defect.kind in CHECKED_KINDS
                                      else ("rejected: ", "handled: "))
    if defect.kind == "empty_file":
        assert defect.line is None and defect.record is None and result.files[defect.file] == []
        assert f"(it held {record_count(defect.file, inputs[defect.file])})" in defect.detail
        if not is_csv(defect.file):
            assert read_back(result, defect.file) == []  # an empty page, an object of nothing: no record
        return
    if is_csv(defect.file):
        assert_shows_in_csv(result, defect, inputs)
        return
    read = read_back(result, defect.file)
    found = read[defect.record - 1]
    assert (found.ordinal, found.line) == (defect.record, defect.line), defect
    # In an API page or a Firehose object every record is on the file's one line.
    assert defect.line == 1
    if defect.kind == "malformed_json":
        assert export_of(defect.file) in FIREHOSE_EXPORTS
        assert found.reason.startswith("malformed JSON"), found
        return
    if defect.kind in READ_REJECTED_KINDS:  # csops's reader itself rejects these, with the manifest's reason
        assert found.reason.startswith(defect.expected.removeprefix("rejected: ")), (defect, found)
        return
    assert found.reason is None, found
    record = found.value
    # A JSON file's units are its records: the one the manifest names, as written.
    unit = units_of(result, defect.file)[defect.record - 1]
    assert json.loads(unit) == record
    if defect.kind in CHECKED_KINDS:
        assert export_of(defect.file) == "contact_records"
        previous = read[defect.record - 2].value if defect.record > 1 else None
        assert_checked_fault_shows(defect, record, previous, usernames_of(users_of(inputs)))
        return
    if defect.kind == "duplicate_record":
        assert defect.record > 1 and read[defect.record - 2].value == record
        return
    if defect.kind == "late_file":
        source = source_of_late(result, defect.file)
        held = len(result.withheld[defect.file])
        assert re.search(rf"\(from {re.escape(source)}\)", defect.detail)
        # The source file's last records, as exported, in their order.
        assert record == json.loads(inputs[source][len(inputs[source]) - held + defect.record - 1])
        return
    if defect.kind == "missing_required_field":
        field = re.match(r'^field "([^"]+)" removed', defect.detail)[1]
        assert field not in record
        return
    if defect.kind == "duplicated_key":
        assert_duplicated_key_shows(defect, unit)
        return
    if defect.kind == "non_utf8_bytes":
        assert export_of(defect.file) in FIREHOSE_EXPORTS  # an API page is written whole in UTF-8
        assert_foreign_byte_shows(defect, found.text, value_at(record, DETAIL_VALUE.match(defect.detail)["field"]))
        assert_foreign_bytes_are_in_the_file(result, defect.file)
        return
    match = DETAIL_VALUE.match(defect.detail)
    value = json.loads(match["value"])
    assert value_at(record, match["field"]) == value
    was = json.loads(re.search(r"\(was (.+)\)$", defect.detail)[1])
    if defect.kind == "unknown_channel":
        assert value.strip().casefold() not in channel_map_spellings(match["field"])
    elif defect.kind == "timestamp_with_offset":
        moment = datetime.fromisoformat(value)
        assert moment.utcoffset() not in (None, timedelta(0))
        assert moment == datetime.fromisoformat(was)
    elif defect.kind in ("timestamp_without_zone", "nested_timestamp_without_zone"):
        assert ("." in match["field"]) == (defect.kind == "nested_timestamp_without_zone")
        assert datetime.fromisoformat(value).tzinfo is None and value + "Z" == was
    elif defect.kind == "implausible_timestamp":
        moment, exported = utc(value), utc(was)
        assert moment.year in (1970, 2099) and moment.time() == exported.time()
        assert moment.date() == (date(1970, 1, 1) if moment.year == 1970 else exported.date().replace(year=2099))
    elif defect.kind == "fractional_id":
        assert export_of(defect.file) == "tickets" and type(was) is int
        if isinstance(value, str):
            assert value.startswith("0x") and int(value, 16) == was
        else:
            assert isinstance(value, float) and not value.is_integer() and int(value) == was
    elif defect.kind == "negative_duration":
        assert export_of(defect.file) == "contact_records" and value == -was < 0
    else:
        assert defect.kind == "empty_key" and export_of(defect.file) == "contact_records"
        assert match["field"] == "ContactId" and value == "" and was != ""


def assert_duplicated_key_shows(defect: Defect, unit: str) -> None:
    """The key is in the record's text twice, at its top level, with two values; a parser keeps either."""
    key, first, second = re.match(r'^key "([^"]+)" written twice: (.+), then (.+)$', defect.detail).groups()
    pairs = json.loads(unit, object_pairs_hook=lambda pairs: pairs)
    assert [value for name, value in pairs if name == key] == [json.loads(first), json.loads(second)]
    assert json.loads(first) != json.loads(second) and pairs[0][0] != key
    assert sorted(name for name, _ in pairs).count(key) == 2 and len({name for name, _ in pairs}) == len(pairs) - 1


LATIN1_DETAIL = re.compile(r'written in Latin-1: "(?P<letter>.)" as the byte 0x(?P<byte>[0-9a-f]{2}) '
                           r'at character (?P<at>\d+) \(was (?P<was>"(?:[^"\\]|\\.)*")\)$')


def assert_foreign_byte_shows(defect: Defect, text: str, value: str) -> None:
    """The record's text (as csops decodes it) holds the one byte, in the field the manifest
    names, where the exported value had the letter unaccented."""
    latin = LATIN1_DETAIL.search(defect.detail)
    byte, at, was = int(latin["byte"], 16), int(latin["at"]), json.loads(latin["was"])
    assert latin["letter"].encode("latin-1") == bytes([byte]) and byte >= 0x80
    escaped = chr(0xDC00 + byte)  # how a UTF-8 reader keeps a byte that is not UTF-8 (surrogateescape)
    assert value == was[:at - 1] + escaped + was[at:] and was[at - 1] != latin["letter"]
    assert re.findall("[\udc80-\udcff]", text) == [escaped]
    assert json.loads(DETAIL_VALUE.match(defect.detail)["value"]) == was[:at - 1] + latin["letter"] + was[at:]


def assert_foreign_bytes_are_in_the_file(result, name: str) -> None:
    """The file as written is not UTF-8 exactly where the manifest says: one byte a fault."""
    data = file_bytes(result, name)
    expected = [d for d in result.defects if d.file == name and d.kind == "non_utf8_bytes"]
    foreign = [byte for byte in data.decode("utf-8", errors="surrogateescape") if "\udc80" <= byte <= "\udcff"]
    assert len(foreign) == len(expected) > 0
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        raise AssertionError(f"{name} decodes as UTF-8")


def assert_shows_in_csv(result, defect: Defect, inputs: dict[str, list[str]]) -> None:
    """In a CSV export, ``line`` is the physical line the row starts on and ``record`` its place
    among the data rows (header and blank rows not counted)."""
    lines = units_of(result, defect.file)
    data = data_rows(defect.file, lines, result.defects)
    header = csv_records(lines)[0][1]
    starts = [start for start, _ in data]
    if defect.kind == "blank_lines":
        assert is_blank(next(csv.reader([lines[defect.line - 1] + "\n"]), []))
        assert lines[defect.line - 1].strip() == "" and starts[defect.record - 1] == defect.line + 1
        assert_row_ends_are_crlf(defect.file, lines, result.defects)
        return
    assert starts.index(defect.line) + 1 == defect.record, defect
    row = dict(data)[defect.line]
    if defect.kind == "duplicate_record":
        assert data[defect.record - 2][1] == row
        return
    if defect.kind == "malformed_csv_row":
        assert len(row) != len(header)
        return
    if defect.kind == "unterminated_quote":
        assert_quote_is_never_closed(header, lines[defect.line - 1], defect)
        return
    if defect.kind == "late_file":
        source = source_of_late(result, defect.file)
        # The late export starts with the source's header rows, then its held-back rows.
        source_rows = csv_records(inputs[source])
        assert [r for _, r in csv_records(lines)[:header_rows(source)]] == [
            r for _, r in source_rows[:header_rows(source)]]
        assert row == source_rows[len(source_rows) - len(data) + defect.record - 1][1]
        return
    if defect.kind == "missing_required_field":
        assert row[header.index("ResponseId")] == ""
        return
    match = DETAIL_VALUE.match(defect.detail)
    value = json.loads(match["value"])
    if defect.kind == "non_utf8_bytes":
        assert_foreign_byte_shows(defect, "\n".join(lines[defect.line - 1:defect.line + value.count("\n")]),
                                  row[header.index(match["field"])])
        assert_foreign_bytes_are_in_the_file(result, defect.file)
        return
    assert row[header.index(match["field"])] == value
    was = json.loads(re.search(r"\(was (.+)\)$", defect.detail)[1])
    if defect.kind == "non_ascii_score":
        # Not ASCII, yet Python's int() reads it as the exported score: only a check of the digits finds it.
        assert not value.isascii() and value.isdigit() and int(value) == int(was)
    elif defect.kind == "impossible_date":
        assert match["field"] == "RecordedDate" and re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", value)
        assert value[:5] == was[:5] and value[10:] == was[10:]
        try:
            datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
        except ValueError:
            pass
        else:
            raise AssertionError(f"{value} is a real date")
    else:
        assert defect.kind == "out_of_range_score"
        assert int(value) not in SCALES[match["field"]]


def assert_quote_is_never_closed(header: list[str], line: str, defect: Defect) -> None:
    """The row is one line whose field opens a quote: read alone, a strict CSV reader runs out of
    data inside it; the fields before it are the header's."""
    column = re.match(r'^field "([^"]+)" opens a quote', defect.detail)[1]
    before, quote, _ = line.partition(',"' if header.index(column) else '"')
    assert quote and len(next(csv.reader([before])) if before else []) == header.index(column)
    assert line.count('"') - before.count('"') == 1
    try:
        list(csv.reader([line + "\n"], strict=True))
    except csv.Error:
        pass
    else:
        raise AssertionError(f"{line!r} closes its quotes")


def assert_row_ends_are_crlf(name: str, lines: list[str], defects: list[Defect]) -> None:
    """Every row of the file ends in CRLF (exports.packed ends each line in LF), a line break
    inside a quoted field stays LF."""
    text = "\n".join(lines) + "\n"
    open_quotes = {d.line for d in defects if d.file == name and d.kind == "unterminated_quote"}
    rows = csv_records(lines, open_quotes)
    assert text.count("\r\n") == len(rows) and text.count("\r") == len(rows)
    # The same rows with LF row ends (a row that opens a quote ends in its line end: CRLF here).
    assert csv_records([line.removesuffix("\r") for line in lines], open_quotes) == [
        (start, [cell.replace("\r\n", "\n") for cell in row]) for start, row in rows]
