"""The defect injector: every fault it reports is really in the file, where it says, at the rate asked.

The injector works on a day's files before they are packed: a JSON export as one record per
unit (an API page's records, a Firehose object's records), a CSV export as lines. Where a
fault is, is checked in the file as csops reads it once packed (``tests.landed.unpacked``):
the record the manifest names (``record``, csops's ``_source_record``) on the line it names.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import math
import re
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path, PurePosixPath

import pytest

from orchestration.deliveries import landing_day
from simulator import simulate
from simulator.config import CenterConfig
from simulator.defects import EXPECTED, FILE_KINDS, KINDS, UNKNOWN_CHANNELS, Defect, inject_defects
from simulator.exports import late_name
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
DETAIL_VALUE = re.compile(r'^field "(?P<field>[^"]+)" = (?P<value>"(?:[^"\\]|\\.)*")')
# The kinds each row of which loads, for the data-quality checks after the load to catch.
CHECKED_KINDS = {"conflicting_version", "ended_before_start", "unknown_agent"}
# The exports whose files are Firehose objects: the only ones a record can break in alone.
FIREHOSE_EXPORTS = {"contact_records", "agent_events"}
# How many Firehose objects (hour folders) the fixture splits a Connect stream's day into.
FIREHOSE_HOURS = 6


def _jsonl(rows: list[dict]) -> list[str]:
    return [json.dumps(row, separators=(",", ":")) for row in rows]


def _csv(rows: list[list]) -> list[str]:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().split("\n")[:-1]


def _at(n: int) -> str:
    return (datetime(2026, 1, 5, 8) + timedelta(minutes=7 * n)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _firehose(folder: str, stream: str, rows: list[dict], gzip: bool) -> dict[str, list[str]]:
    """A Connect stream's day as Kinesis Data Firehose writes it to S3: an object per hour under
    the UTC prefix YYYY/MM/DD/HH/, named <stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>[.gz]."""
    objects: dict[str, list[str]] = {}
    for index, row in enumerate(rows):
        hour = 8 + index * FIREHOSE_HOURS // len(rows)
        object_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{folder}/{hour}")
        name = (f"telephony/{folder}/2026/01/05/{hour:02d}/"
                f"{stream}-1-2026-01-05-{hour:02d}-59-00-{object_id}{'.gz' if gzip else ''}")
        objects.setdefault(name, []).extend(_jsonl([row]))
    return objects


def day_files(n: int) -> dict[str, list[str]]:
    """A small landing day in the vendors' layouts, ``n`` records per busy export: Zendesk API
    pages, Connect Firehose objects (agent events gzipped), Qualtrics CSV exports."""
    channels = ("email", "web", "chat", "twitter", "facebook")
    tickets = [{"id": 1000 + i, "created_at": _at(i), "updated_at": _at(i + 3), "status": "open", "priority": "normal",
                "via": {"channel": channels[i % 5], "source": {"from": {}, "to": {}, "rel": None}},
                "requester_id": 50 + i, "assignee_id": 7, "group_id": 3, "organization_id": None,
                "tags": ["billing"], "custom_fields": [{"id": 360000001, "value": "billing"}]} for i in range(n)]
    audits = [{"id": 10000 + i, "ticket_id": 1000 + i, "created_at": _at(i), "author_id": 7, "via": {"channel": "web"},
               "events": [{"id": 1, "type": "Comment", "public": True, "author_id": 7, "body": "Héllo, thanks"}]}
              for i in range(n)]
    users = [{"id": 7 + i, "name": f"Agent {i}", "email": f"a{i}@example.com", "role": "agent",
              "created_at": "2025-06-01T09:00:00Z", "updated_at": "2025-06-01T09:00:00Z"} for i in range(n // 4)]
    groups = [{"id": 3 + i, "name": f"Team {i}", "created_at": "2025-06-01T09:00:00Z"} for i in range(4)]
    contacts = [{"AWSAccountId": "111122223333", "ContactId": f"c-{i:05d}", "InitialContactId": None,
                 "Channel": "VOICE", "InitiationMethod": "INBOUND",
                 "InitiationTimestamp": _at(i), "DisconnectTimestamp": _at(i + 1),
                 "Queue": {"Name": "Support", "EnqueueTimestamp": _at(i), "Duration": 20},
                 "Agent": {"Username": "ana", "ConnectedToAgentTimestamp": _at(i)},
                 "LastUpdateTimestamp": _at(i + 2)} for i in range(n)]
    events = [{"AWSAccountId": "111122223333", "AgentARN": "arn:aws:connect:us-east-1:111122223333:instance/x/agent/ana",
               "EventId": f"e-{i}", "EventTimestamp": _at(i), "EventType": "HEART_BEAT",
               "CurrentAgentSnapshot": {"AgentStatus": {"Name": "Available", "StartTimestamp": _at(0)},
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
        "crm/2026-01-05/tickets-0001.json": _jsonl(tickets),
        "crm/2026-01-05/ticket_audits-0001.json": _jsonl(audits),
        "crm/2026-01-05/users-0001.json": _jsonl(users),
        "crm/2026-01-05/groups-0001.json": _jsonl(groups),
        **_firehose("contact-records", "csops-connect-ctr", contacts, gzip=False),
        **_firehose("agent-events", "csops-connect-agent-events", events, gzip=True),
        "surveys/2026-01-05/responses.csv": _csv(responses),
        "surveys/2026-01-05/distributions.csv": _csv(distributions),
        "crm/2026-01-05/notes.txt": ["not an export csops knows"],
    }


def _export(name: str) -> str | None:
    return landed.export_of(name)


def _is_csv(name: str) -> bool:
    return name.endswith(".csv")


def _header_rows(name: str) -> int:
    return 3 if _export(name) == "responses.csv" else 1


def _csv_records(lines: list[str]) -> list[tuple[int, list[str]]]:
    """(first physical line, fields) of each CSV row, header rows included."""
    reader = csv.reader(line + "\n" for line in lines)
    found, start = [], 1
    for row in reader:
        found.append((start, row))
        start = reader.line_num + 1
    return found


def _record_count(name: str, units: list[str]) -> int:
    if _is_csv(name):
        return max(0, len(_csv_records(units)) - _header_rows(name))
    return sum(1 for unit in units if unit.strip())


def _units(result, name: str) -> list[str]:
    """A file's units as the injector hands them over: a day's file, or a late file's."""
    return result.files[name] if name in result.files else result.withheld[name]


def _read(result, name: str) -> list:
    """The records csops reads from a JSON file once it is packed, in order."""
    return landed.unpacked(name, _units(result, name))


def _source_of_late(result, late: str) -> str:
    (source,) = [name for name in result.files if late_name(name) == late]
    return source


def _utc(text: str) -> datetime:
    assert text.endswith("Z"), text
    return datetime.fromisoformat(text)


def _usernames(users: list[dict]) -> set[str]:
    """The usernames of users: their emails' local parts, as staging reads them."""
    return {user["email"].split("@", 1)[0].strip().casefold() for user in users
            if isinstance(user, dict) and isinstance(user.get("email"), str)}


def _users_of(files: dict[str, list[str]]) -> list[dict]:
    return [json.loads(unit) for name, units in files.items() if _export(name) == "users" for unit in units]


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
        later = _utc(record["DisconnectTimestamp"]) - _utc(first["DisconnectTimestamp"])
        assert timedelta(minutes=1) <= later <= timedelta(minutes=30)
        assert {k: v for k, v in record.items() if k != "DisconnectTimestamp"} == {
            k: v for k, v in first.items() if k != "DisconnectTimestamp"}
    elif defect.kind == "ended_before_start":
        assert match["field"] == "DisconnectTimestamp" and record["DisconnectTimestamp"] == value
        early = _utc(record["InitiationTimestamp"]) - _utc(record["DisconnectTimestamp"])
        assert timedelta(minutes=1) <= early <= timedelta(minutes=60)
    else:
        assert defect.kind == "unknown_agent" and match["field"] == "Agent.Username"
        assert record["Agent"]["Username"] == value and value.startswith("agent.unknown.")
        assert value.casefold() not in known_usernames
        assert value != re.search(r'\(was "([^"]+)"\)$', defect.detail)[1]


# Which source system's rows of seeds/channel_map.csv a channel field is looked up in.
CHANNEL_SYSTEMS = {"via.channel": "crm", "Channel": "telephony"}


def _channel_map_spellings(field: str) -> set[str]:
    with (ROOT / "seeds" / "channel_map.csv").open() as seed:
        return {row["source_channel"].strip().casefold() for row in csv.DictReader(seed)
                if row["source_system"] == CHANNEL_SYSTEMS[field]}


def assert_shows(result, defect: Defect, inputs: dict[str, list[str]]) -> None:
    """The record a defect names, read back as csops reads the file, really shows that defect."""
    assert defect.expected == EXPECTED[defect.kind]
    assert defect.expected.startswith(("blocked: ", "warned: ") if defect.kind in CHECKED_KINDS
                                      else ("rejected: ", "handled: "))
    if defect.kind == "empty_file":
        assert defect.line is None and defect.record is None and result.files[defect.file] == []
        assert f"(it held {_record_count(defect.file, inputs[defect.file])})" in defect.detail
        if not _is_csv(defect.file):
            assert _read(result, defect.file) == []  # an empty page, an object of nothing: no record
        return
    if _is_csv(defect.file):
        assert_shows_in_csv(result, defect, inputs)
        return
    read = _read(result, defect.file)
    found = read[defect.record - 1]
    assert (found.ordinal, found.line) == (defect.record, defect.line), defect
    # In an API page or a Firehose object every record is on the file's one line.
    assert defect.line == 1
    if defect.kind == "malformed_json":
        assert _export(defect.file) in FIREHOSE_EXPORTS
        assert found.reason.startswith("malformed JSON"), found
        return
    assert found.reason is None, found
    record = found.value
    if defect.kind in CHECKED_KINDS:
        assert _export(defect.file) == "contact_records"
        previous = read[defect.record - 2].value if defect.record > 1 else None
        assert_checked_fault_shows(defect, record, previous, _usernames(_users_of(inputs)))
        return
    if defect.kind == "duplicate_record":
        assert defect.record > 1 and read[defect.record - 2].value == record
        return
    if defect.kind == "late_file":
        source = _source_of_late(result, defect.file)
        held = len(result.withheld[defect.file])
        assert re.search(rf"\(from {re.escape(source)}\)", defect.detail)
        # The source file's last records, as exported, in their order.
        assert record == json.loads(inputs[source][len(inputs[source]) - held + defect.record - 1])
        return
    match = DETAIL_VALUE.match(defect.detail)
    if defect.kind == "missing_required_field":
        field = re.match(r'^field "([^"]+)" removed', defect.detail)[1]
        assert field not in record
        return
    value = json.loads(match["value"])
    if defect.kind == "unknown_channel":
        holder = record["via"] if match["field"] == "via.channel" else record
        assert holder[match["field"].split(".")[-1]] == value
        assert value.strip().casefold() not in _channel_map_spellings(match["field"])
        return
    assert record[match["field"]] == value
    was = re.search(r'\(was "([^"]+)"\)$', defect.detail)[1]
    if defect.kind == "timestamp_with_offset":
        moment = datetime.fromisoformat(value)
        assert moment.utcoffset() not in (None, timedelta(0))
        assert moment == datetime.fromisoformat(was)
    else:
        assert defect.kind == "timestamp_without_zone"
        assert datetime.fromisoformat(value).tzinfo is None and value + "Z" == was


def assert_shows_in_csv(result, defect: Defect, inputs: dict[str, list[str]]) -> None:
    """In a CSV export, ``line`` is the physical line the row starts on and ``record`` its place
    among the data rows (header rows not counted)."""
    lines = _units(result, defect.file)
    rows = _csv_records(lines)
    header = rows[0][1]
    data_starts = [start for start, _ in rows[_header_rows(defect.file):]]
    assert data_starts.index(defect.line) + 1 == defect.record, defect
    row = dict(rows)[defect.line]
    if defect.kind == "duplicate_record":
        assert dict(rows)[data_starts[defect.record - 2]] == row
        return
    if defect.kind == "malformed_csv_row":
        assert len(row) != len(header)
        return
    if defect.kind == "late_file":
        source = _source_of_late(result, defect.file)
        # The late export starts with the source's header rows, then its held-back rows.
        source_rows = _csv_records(inputs[source])
        assert [r for _, r in rows[:_header_rows(source)]] == [r for _, r in source_rows[:_header_rows(source)]]
        held = len(rows) - _header_rows(source)
        assert row == source_rows[len(source_rows) - held + defect.record - 1][1]
        return
    match = DETAIL_VALUE.match(defect.detail)
    if defect.kind == "missing_required_field":
        assert row[header.index("ResponseId")] == ""
        return
    assert defect.kind == "out_of_range_score"
    value = json.loads(match["value"])
    assert row[header.index(match["field"])] == value
    assert int(value) not in SCALES[match["field"]]


@pytest.fixture(scope="module")
def small() -> dict[str, list[str]]:
    return day_files(60)


@pytest.fixture(scope="module")
def large() -> dict[str, list[str]]:
    return day_files(800)


def test_the_fixture_is_in_the_vendor_layouts(small):
    """Each file of the fixture is one of the exports the injector knows, but the stray note."""
    exports = {name: _export(name) for name in small}
    assert set(exports.values()) == {"tickets", "ticket_audits", "users", "groups", "contact_records",
                                     "agent_events", "responses.csv", "distributions.csv", None}
    assert [name for name, export in exports.items() if export is None] == ["crm/2026-01-05/notes.txt"]
    assert sum(export == "contact_records" for export in exports.values()) == FIREHOSE_HOURS
    for name, units in small.items():
        if exports[name] and not _is_csv(name):
            assert [record.value for record in landed.unpacked(name, units)] == [json.loads(u) for u in units]


def test_rate_zero_is_the_identity(small):
    result = inject_defects(DAY, small, 0.0, seed=1)
    assert result.files == small and result.defects == [] and result.withheld == {}
    assert all(result.files[name] is not small[name] for name in small)


def test_same_inputs_give_the_same_output_and_leave_the_input_alone(small):
    before = copy.deepcopy(small)
    first = inject_defects(DAY, small, 0.2, seed=7)
    assert small == before
    assert inject_defects(DAY, small, 0.2, seed=7) == first
    assert inject_defects(DAY, small, 0.2, seed=8) != first
    assert inject_defects(date(2026, 1, 6), small, 0.2, seed=7) != first


@pytest.mark.parametrize("seed", range(4))
def test_every_defect_is_where_the_manifest_says(small, seed):
    result = inject_defects(DAY, small, 0.3, seed)
    assert result.defects
    for defect in result.defects:
        assert defect.kind in KINDS
        assert defect.to_json() == {"kind": defect.kind, "file": defect.file, "line": defect.line,
                                    "record": defect.record, "detail": defect.detail, "expected": defect.expected}
        assert_shows(result, defect, small)
    assert result.files["crm/2026-01-05/notes.txt"] == small["crm/2026-01-05/notes.txt"]


@pytest.mark.parametrize("rate", [0.3, 1.0])
def test_a_broken_record_takes_none_of_its_neighbours(small, rate):
    """Read back as csops reads it, each JSON file holds one record per unit, and the only
    records it cannot read are the ones the manifest says are malformed: a record cut short
    in a Firehose object leaves the records before and after it whole."""
    broken_seen = 0
    for seed in range(3):
        result = inject_defects(DAY, small, rate, seed)
        for name, units in [*result.files.items(), *result.withheld.items()]:
            if _export(name) is None or _is_csv(name):
                continue
            read = _read(result, name)
            assert [record.ordinal for record in read] == list(range(1, len(units) + 1)), name
            broken = {record.ordinal for record in read if record.reason is not None}
            assert broken == {d.record for d in result.defects if d.file == name and d.kind == "malformed_json"}
            for record in read:
                if record.reason is None:
                    assert record.value == json.loads(units[record.ordinal - 1])
            broken_seen += len(broken)
    assert broken_seen


def test_records_not_in_the_manifest_are_as_exported(small):
    result = inject_defects(DAY, small, 0.3, seed=5)
    for name, units in result.files.items():
        if _is_csv(name) or not units:
            continue  # CSV records may span lines: their rows are checked below
        marked = {d.record: d.kind for d in result.defects if d.file == name and d.kind not in FILE_KINDS}
        exported = iter(small[name])
        for n, unit in enumerate(units, start=1):  # a JSON file's units are its records
            if marked.get(n) in ("duplicate_record", "conflicting_version"):
                continue  # the copy of the record before (changed, for a conflicting version)
            source = next(exported)
            assert unit == source or n in marked
        assert list(exported) == result.withheld.get(late_name(name), [])


def test_csv_headers_are_untouched_and_rows_still_parse(large):
    result = inject_defects(DAY, large, 0.2, seed=2)
    for name in ("surveys/2026-01-05/responses.csv", "surveys/2026-01-05/distributions.csv"):
        headers = _header_rows(name)
        exported_header = [row for _, row in _csv_records(large[name])[:headers]]
        malformed = {d.line for d in result.defects if d.file == name and d.kind == "malformed_csv_row"}
        for lines in (result.files[name], result.withheld.get(late_name(name))):
            if not lines:
                continue  # the day's emptied file, or no late rows from this one
            records = _csv_records(lines)
            assert [row for _, row in records[:headers]] == exported_header
            is_late = lines is not result.files[name]
            for start, row in records[headers:]:
                assert (len(row) != len(records[0][1])) == (start in malformed and not is_late)
        if result.files[name]:
            assert malformed


def test_withheld_records_leave_the_day_and_land_in_a_late_file_where_the_manifest_says(small):
    layouts = set()
    for seed in range(40):
        result = inject_defects(DAY, small, 0.1, seed)
        if not result.withheld:
            continue
        (late, held), = result.withheld.items()
        source = _source_of_late(result, late)
        assert late not in small and late != source
        late_defects = [d for d in result.defects if d.kind == "late_file"]
        assert {d.file for d in late_defects} == {late}
        assert [d.record for d in late_defects] == list(range(1, len(late_defects) + 1))
        if _is_csv(source):
            layouts.add("csv")
            assert PurePosixPath(late).parent == PurePosixPath(source).parent
            assert late.endswith("-late.csv") and _export(late) == _export(source)
            header = _header_rows(source)
            rows = _csv_records(held)
            assert [d.line for d in late_defects] == [start for start, _ in rows[header:]]
            kept = {tuple(row) for _, row in _csv_records(result.files[source])[header:]}
            assert not kept & {tuple(row) for _, row in rows[header:]}
            exported_rows = _csv_records(small[source])
            assert [r for _, r in rows[header:]] == [r for _, r in exported_rows[len(exported_rows) - len(late_defects):]]
        else:
            read = landed.unpacked(late, held)
            assert len(read) == len(late_defects) == len(held)
            assert [d.line for d in late_defects] == [1] * len(held) == [r.line for r in read]
            assert not set(held) & set(result.files[source])
            assert held == small[source][-len(held):]
            if _export(source) in FIREHOSE_EXPORTS:
                layouts.add("firehose")
                # A new object in the same hour folder, under the stream's name: Firehose's next flush.
                assert PurePosixPath(late).parent == PurePosixPath(source).parent
                assert PurePosixPath(late).name.rsplit("-", 5)[0] == PurePosixPath(source).name.rsplit("-", 5)[0]
                assert late.endswith(".gz") == source.endswith(".gz")
            else:
                layouts.add("api page")
                assert late == source.removesuffix(".json") + "-late.json"
            assert _export(late) == _export(source)
        for defect in late_defects:
            assert_shows(result, defect, small)
    assert layouts == {"csv", "firehose", "api page"}


def test_file_level_faults_at_their_rates(small):
    defects = inject_defects(DAY, small, 0.2, seed=4).defects
    assert sum(d.kind == "late_file" for d in defects) >= 1
    assert [d.kind for d in defects].count("empty_file") == 1
    assert len({d.file for d in defects if d.kind in FILE_KINDS}) == 2


def test_observed_rate_is_near_the_rate(large):
    rate = 0.05
    result = inject_defects(DAY, large, rate, seed=11)
    touched = {d.file for d in result.defects if d.kind == "empty_file"}
    eligible = sum(_record_count(name, units) for name, units in large.items()
                   if _export(name) is not None and name not in touched)
    eligible -= sum(d.kind == "late_file" for d in result.defects)
    observed = sum(d.kind not in FILE_KINDS for d in result.defects)
    assert eligible > 3000
    assert abs(observed - eligible * rate) <= 4 * math.sqrt(eligible * rate * (1 - rate))


def test_kinds_land_only_where_they_apply(large):
    result = inject_defects(DAY, large, 0.3, seed=6)
    where = {}
    for defect in result.defects:
        where.setdefault(defect.kind, set()).add(_export(defect.file))
    assert set(where) == set(KINDS)
    assert where["unknown_channel"] == {"tickets", "contact_records"}
    assert where["out_of_range_score"] == {"responses.csv"}
    for kind in CHECKED_KINDS:
        assert where[kind] == {"contact_records"}
    assert where["malformed_csv_row"] <= {"responses.csv", "distributions.csv"}
    # An API page is one HTTP response: its records cannot break alone. A Firehose object's can.
    assert where["malformed_json"] == FIREHOSE_EXPORTS
    assert not (where["timestamp_with_offset"] | where["timestamp_without_zone"]) & {
        "responses.csv", "distributions.csv"}


def test_unknown_channels_are_unknown_however_normalised():
    assert set(UNKNOWN_CHANNELS) == set(CHANNEL_SYSTEMS)
    for field, spellings in UNKNOWN_CHANNELS.items():
        assert not {s.strip().casefold() for s in spellings} & _channel_map_spellings(field)


def test_rate_one_faults_every_record(small):
    result = inject_defects(DAY, small, 1.0, seed=9)
    assert {d.kind for d in result.defects} >= set(FILE_KINDS)
    for defect in result.defects:
        assert_shows(result, defect, small)
    emptied = {d.file for d in result.defects if d.kind == "empty_file"}
    faulted = sum(d.kind not in FILE_KINDS for d in result.defects)
    records = sum(_record_count(n, small[n]) for n in small if _export(n) is not None and n not in emptied)
    assert faulted == records - sum(d.kind == "late_file" for d in result.defects)


def test_rate_outside_zero_to_one_is_refused(small):
    with pytest.raises(ValueError):
        inject_defects(DAY, small, 1.5, seed=1)


def test_checked_kinds_go_only_to_records_they_apply_to():
    """A conflicting version or an early end needs a DisconnectTimestamp (an early end, an
    InitiationTimestamp too); an unknown agent needs an Agent with a Username."""
    files = day_files(400)
    by_id = {}
    for name in [name for name in files if _export(name) == "contact_records"]:
        contacts = [json.loads(unit) for unit in files[name]]
        for contact in contacts:
            i = int(contact["ContactId"].removeprefix("c-"))
            if i % 3 == 0:
                contact["Agent"] = None  # an abandon
            if i % 4 == 0:
                del contact["DisconnectTimestamp"]
            if i % 5 == 0:
                contact["Agent"] = {"ConnectedToAgentTimestamp": contact["InitiationTimestamp"]}
            by_id[contact["ContactId"]] = contact
        files[name] = _jsonl(contacts)
    seen = set()
    for seed in range(6):
        result = inject_defects(DAY, files, 0.5, seed)
        for defect in result.defects:
            if defect.kind not in CHECKED_KINDS:
                continue
            assert_shows(result, defect, files)
            exported = by_id[_read(result, defect.file)[defect.record - 1].value["ContactId"]]
            if defect.kind == "unknown_agent":
                assert isinstance((exported["Agent"] or {}).get("Username"), str)
            else:
                assert "DisconnectTimestamp" in exported and "InitiationTimestamp" in exported
            seen.add(defect.kind)
    assert seen == CHECKED_KINDS


def test_an_unknown_agent_is_no_user_of_the_day_even_when_the_usual_names_are_taken():
    files = day_files(200)
    taken = [{"id": 90000 + n, "name": f"Agent Unknown {n}", "email": f"Agent.Unknown.{n}@support.example.com",
              "role": "agent", "created_at": "2025-06-01T09:00:00Z", "updated_at": "2025-06-01T09:00:00Z"}
             for n in range(1, 1000)]
    # The taken names on a second users page: every page of the day counts.
    files["crm/2026-01-05/users-0002.json"] = _jsonl(taken)
    result = inject_defects(DAY, files, 1.0, seed=3)
    unknown = [d for d in result.defects if d.kind == "unknown_agent"]
    assert unknown
    for defect in unknown:
        assert_shows(result, defect, files)
        assert int(DETAIL_VALUE.match(defect.detail)["value"].strip('"').rsplit(".", 1)[1]) >= 1000


def test_checked_kinds_in_a_simulated_center_are_where_the_manifest_says(tmp_path):
    """In the simulator's own exports: each checked fault is in the record the manifest names
    once the day's files are written and read as csops reads them, and an unknown agent is no
    user of that day or any earlier day."""
    config = CenterConfig(agents=6, days=4, start=date(2026, 2, 2), seed=9, defects_rate=0.1)
    simulate(config, tmp_path / "landing", tmp_path / "truth", tmp_path / "simulator")
    defects = [Defect(**json.loads(line)) for path in sorted((tmp_path / "truth").glob("*/defects*.jsonl"))
               for line in path.open()]
    landing = tmp_path / "landing"
    users_by_day: dict[date, list[dict]] = {}
    for user in landed.landed_records(landing, "crm", "users"):
        users_by_day.setdefault(landing_day(user.file), []).append(user.value)
    seen = set()
    for defect in defects:
        if defect.kind not in CHECKED_KINDS:
            continue
        day = landing_day(defect.file)
        known = _usernames([user for on, users in users_by_day.items() if on <= day for user in users])
        read = landed.file_records(landing, landing / defect.file)
        found = read[defect.record - 1]
        assert (found.record, found.line, found.reason) == (defect.record, defect.line, None), defect
        assert defect.expected == EXPECTED[defect.kind]
        previous = read[defect.record - 2].value if defect.record > 1 else None
        assert_checked_fault_shows(defect, found.value, previous, known)
        seen.add(defect.kind)
    assert seen == CHECKED_KINDS
