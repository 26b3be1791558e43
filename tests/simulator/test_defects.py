"""The defect injector: every fault it reports is really in the file, where it says, at the rate asked."""

from __future__ import annotations

import copy
import csv
import io
import json
import math
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from simulator import simulate
from simulator.config import CenterConfig
from simulator.defects import EXPECTED, FILE_KINDS, KINDS, UNKNOWN_CHANNELS, Defect, inject_defects

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


def _jsonl(rows: list[dict]) -> list[str]:
    return [json.dumps(row, separators=(",", ":")) for row in rows]


def _csv(rows: list[list]) -> list[str]:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().split("\n")[:-1]


def _at(n: int) -> str:
    return (datetime(2026, 1, 5, 8) + timedelta(minutes=7 * n)).strftime("%Y-%m-%dT%H:%M:%SZ")


def day_files(n: int) -> dict[str, list[str]]:
    """A small landing day shaped like the simulator's exports, ``n`` records per busy file."""
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
    contacts = [{"ContactId": f"c-{i:05d}", "InitialContactId": None, "Channel": "VOICE", "InitiationMethod": "INBOUND",
                 "InitiationTimestamp": _at(i), "DisconnectTimestamp": _at(i + 1),
                 "Queue": {"Name": "Support", "EnqueueTimestamp": _at(i), "Duration": 20},
                 "Agent": {"Username": "ana", "ConnectedToAgentTimestamp": _at(i)},
                 "LastUpdateTimestamp": _at(i + 2)} for i in range(n)]
    events = [{"EventId": f"e-{i}", "EventTimestamp": _at(i), "State": "Available",
               "Agent": {"Username": "ana"}} for i in range(n)]
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
        "crm/2026-01-05/tickets.jsonl": _jsonl(tickets),
        "crm/2026-01-05/ticket_audits.jsonl": _jsonl(audits),
        "crm/2026-01-05/users.jsonl": _jsonl(users),
        "crm/2026-01-05/groups.jsonl": _jsonl(groups),
        "telephony/2026-01-05/contact_records.jsonl": _jsonl(contacts),
        "telephony/2026-01-05/agent_events.jsonl": _jsonl(events),
        "surveys/2026-01-05/responses.csv": _csv(responses),
        "surveys/2026-01-05/distributions.csv": _csv(distributions),
        "crm/2026-01-05/notes.txt": ["not an export csops knows"],
    }


def _header_rows(name: str) -> int:
    return 3 if name.endswith("responses.csv") else 1


def _records(name: str, lines: list[str]) -> list[tuple[int, list[str]]]:
    """(first physical line, fields) of each CSV record."""
    reader = csv.reader(line + "\n" for line in lines)
    found, start = [], 1
    for row in reader:
        found.append((start, row))
        start = reader.line_num + 1
    return found


def _record_count(name: str, lines: list[str]) -> int:
    if name.endswith(".csv"):
        return max(0, len(_records(name, lines)) - _header_rows(name))
    return sum(1 for line in lines if line.strip())


def _utc(text: str) -> datetime:
    assert text.endswith("Z"), text
    return datetime.fromisoformat(text)


def _usernames(lines: list[str]) -> set[str]:
    """The usernames of a users.jsonl's users: their emails' local parts, as staging reads them."""
    names = set()
    for line in lines:
        try:
            user = json.loads(line)
        except ValueError:
            continue  # a malformed line, itself a fault
        if isinstance(user, dict) and isinstance(user.get("email"), str):
            names.add(user["email"].split("@", 1)[0].strip().casefold())
    return names


def assert_checked_fault_shows(defect: Defect, lines: list[str], known_usernames: set[str]) -> None:
    """A fault only the checks after the load can see: every row is well-formed, and the line
    the manifest names holds the contradiction."""
    record = json.loads(lines[defect.line - 1])
    match = DETAIL_VALUE.match(defect.detail)
    value = json.loads(match["value"])
    if defect.kind == "conflicting_version":
        first = json.loads(lines[defect.line - 2])
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


def _channel_map_spellings() -> set[str]:
    with (ROOT / "seeds" / "channel_map.csv").open() as seed:
        return {row["source_channel"].strip().casefold() for row in csv.DictReader(seed)}


def assert_shows(result, defect: Defect, inputs: dict[str, list[str]]) -> None:
    """The line a defect names really shows that defect."""
    assert defect.expected == EXPECTED[defect.kind]
    assert defect.expected.startswith(("blocked: ", "warned: ") if defect.kind in CHECKED_KINDS
                                      else ("rejected: ", "handled: "))
    lines = result.files[defect.file] + result.withheld.get(defect.file, [])
    if defect.kind in CHECKED_KINDS:
        assert defect.file.endswith("/contact_records.jsonl")
        users = [line for name, file in inputs.items() if name.endswith("/users.jsonl") for line in file]
        assert_checked_fault_shows(defect, lines, _usernames(users))
        return
    if defect.kind == "empty_file":
        assert defect.line is None and result.files[defect.file] == []
        assert f"had {len(inputs[defect.file])} lines" in defect.detail
        return
    line = lines[defect.line - 1]
    is_csv = defect.file.endswith(".csv")
    if is_csv:
        records = dict(_records(defect.file, lines))
        header = records[1]
        row = records[defect.line]
    if defect.kind == "duplicate_record":
        if is_csv:
            starts = sorted(records)
            previous = starts[starts.index(defect.line) - 1]
            assert records[previous] == row
        else:
            assert lines[defect.line - 2] == line
        return
    if defect.kind == "malformed_json":
        with pytest.raises(ValueError):
            json.loads(line)
        return
    if defect.kind == "malformed_csv_row":
        assert len(row) != len(header)
        return
    if defect.kind == "late_file":
        assert defect.line > len(result.files[defect.file])
        assert line in inputs[defect.file]
        return
    match = DETAIL_VALUE.match(defect.detail)
    if is_csv:
        if defect.kind == "missing_required_field":
            assert row[header.index("ResponseId")] == ""
            return
        assert defect.kind == "out_of_range_score"
        value = json.loads(match["value"])
        assert row[header.index(match["field"])] == value
        assert int(value) not in SCALES[match["field"]]
        return
    record = json.loads(line)
    if defect.kind == "missing_required_field":
        field = re.match(r'^field "([^"]+)" removed', defect.detail)[1]
        assert field not in record
        return
    value = json.loads(match["value"])
    if defect.kind == "unknown_channel":
        holder = record["via"] if match["field"] == "via.channel" else record
        assert holder[match["field"].split(".")[-1]] == value
        assert value.strip().casefold() not in _channel_map_spellings()
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


@pytest.fixture(scope="module")
def small() -> dict[str, list[str]]:
    return day_files(60)


@pytest.fixture(scope="module")
def large() -> dict[str, list[str]]:
    return day_files(800)


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
                                    "detail": defect.detail, "expected": defect.expected}
        assert_shows(result, defect, small)
    assert result.files["crm/2026-01-05/notes.txt"] == small["crm/2026-01-05/notes.txt"]


def test_lines_not_in_the_manifest_are_as_exported(small):
    result = inject_defects(DAY, small, 0.3, seed=5)
    for name, lines in result.files.items():
        if name.endswith(".csv") or not lines:
            continue  # CSV records may span lines: their rows are checked below
        marked = {d.line: d.kind for d in result.defects if d.file == name and d.kind not in FILE_KINDS}
        exported = iter(small[name])
        for n, line in enumerate(lines, start=1):
            if marked.get(n) in ("duplicate_record", "conflicting_version"):
                continue  # the copy of the line before (changed, for a conflicting version)
            source = next(exported)
            assert line == source or n in marked
        assert list(exported) == result.withheld.get(name, [])


def test_csv_headers_are_untouched_and_rows_still_parse(large):
    result = inject_defects(DAY, large, 0.2, seed=2)
    for name in ("surveys/2026-01-05/responses.csv", "surveys/2026-01-05/distributions.csv"):
        lines = result.files[name] + result.withheld.get(name, [])
        if not lines:
            continue  # the day's emptied file
        records = _records(name, lines)
        headers = _header_rows(name)
        assert [row for _, row in records[:headers]] == [row for _, row in _records(name, large[name])[:headers]]
        malformed = {d.line for d in result.defects if d.file == name and d.kind == "malformed_csv_row"}
        assert malformed
        for start, row in records[headers:]:
            assert (len(row) != len(records[0][1])) == (start in malformed)


def test_withheld_lines_leave_the_day_and_land_where_the_manifest_says(small):
    result = inject_defects(DAY, small, 0.1, seed=3)
    (name, held), = result.withheld.items()
    assert held and not set(held) & set(result.files[name])
    late = [d for d in result.defects if d.kind == "late_file"]
    assert {d.file for d in late} == {name}
    appended = result.files[name] + held
    starts = [start for start, _ in _records(name, appended)] if name.endswith(".csv") else range(1, len(appended) + 1)
    assert [d.line for d in late] == [n for n in starts if n > len(result.files[name])]
    assert appended[late[0].line - 1:] == held


def test_file_level_faults_at_their_rates(small):
    defects = inject_defects(DAY, small, 0.2, seed=4).defects
    assert sum(d.kind == "late_file" for d in defects) >= 1
    assert [d.kind for d in defects].count("empty_file") == 1
    assert len({d.file for d in defects if d.kind in FILE_KINDS}) == 2


def test_observed_rate_is_near_the_rate(large):
    rate = 0.05
    result = inject_defects(DAY, large, rate, seed=11)
    touched = {d.file for d in result.defects if d.kind == "empty_file"}
    eligible = sum(_record_count(name, lines) for name, lines in large.items()
                   if name.endswith((".jsonl", ".csv")) and name not in touched)
    eligible -= sum(d.kind == "late_file" for d in result.defects)
    observed = sum(d.kind not in FILE_KINDS for d in result.defects)
    assert eligible > 3000
    assert abs(observed - eligible * rate) <= 4 * math.sqrt(eligible * rate * (1 - rate))


def test_kinds_land_only_where_they_apply(large):
    result = inject_defects(DAY, large, 0.3, seed=6)
    where = {}
    for defect in result.defects:
        where.setdefault(defect.kind, set()).add(defect.file.rsplit("/", 1)[1])
    assert set(where) == set(KINDS)
    assert where["unknown_channel"] == {"tickets.jsonl", "contact_records.jsonl"}
    assert where["out_of_range_score"] == {"responses.csv"}
    for kind in CHECKED_KINDS:
        assert where[kind] == {"contact_records.jsonl"}
    assert where["malformed_csv_row"] <= {"responses.csv", "distributions.csv"}
    assert not (where["malformed_json"] | where["timestamp_with_offset"] | where["timestamp_without_zone"]) & {
        "responses.csv", "distributions.csv"}


def test_unknown_channels_are_unknown_however_normalised():
    known = _channel_map_spellings()
    assert not {s.strip().casefold() for spellings in UNKNOWN_CHANNELS.values() for s in spellings} & known


def test_rate_one_faults_every_record(small):
    result = inject_defects(DAY, small, 1.0, seed=9)
    assert {d.kind for d in result.defects} >= set(FILE_KINDS)
    for defect in result.defects:
        assert_shows(result, defect, small)
    emptied = {d.file for d in result.defects if d.kind == "empty_file"}
    faulted = sum(d.kind not in FILE_KINDS for d in result.defects)
    records = sum(_record_count(n, small[n]) for n in small if n.endswith((".jsonl", ".csv")) and n not in emptied)
    assert faulted == records - sum(d.kind == "late_file" for d in result.defects)


def test_rate_outside_zero_to_one_is_refused(small):
    with pytest.raises(ValueError):
        inject_defects(DAY, small, 1.5, seed=1)


def test_checked_kinds_go_only_to_records_they_apply_to():
    """A conflicting version or an early end needs a DisconnectTimestamp (an early end, an
    InitiationTimestamp too); an unknown agent needs an Agent with a Username."""
    files = day_files(400)
    name = "telephony/2026-01-05/contact_records.jsonl"
    contacts = [json.loads(line) for line in files[name]]
    for i, contact in enumerate(contacts):
        if i % 3 == 0:
            contact["Agent"] = None  # an abandon
        if i % 4 == 0:
            del contact["DisconnectTimestamp"]
        if i % 5 == 0:
            contact["Agent"] = {"ConnectedToAgentTimestamp": contact["InitiationTimestamp"]}
    files[name] = _jsonl(contacts)
    by_id = {c["ContactId"]: c for c in contacts}
    seen = set()
    for seed in range(6):
        result = inject_defects(DAY, files, 0.5, seed)
        for defect in result.defects:
            if defect.kind not in CHECKED_KINDS:
                continue
            assert_shows(result, defect, files)
            exported = by_id[json.loads(result.files[name][defect.line - 1])["ContactId"]]
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
    files["crm/2026-01-05/users.jsonl"] = files["crm/2026-01-05/users.jsonl"] + _jsonl(taken)
    result = inject_defects(DAY, files, 1.0, seed=3)
    unknown = [d for d in result.defects if d.kind == "unknown_agent"]
    assert unknown
    for defect in unknown:
        assert_shows(result, defect, files)
        assert int(DETAIL_VALUE.match(defect.detail)["value"].strip('"').rsplit(".", 1)[1]) >= 1000


def test_checked_kinds_in_a_simulated_center_are_where_the_manifest_says(tmp_path):
    """In the simulator's own exports: each checked fault is on the line the manifest names once
    the day's files are written (late lines included), and an unknown agent is no user of that
    day or any earlier day."""
    config = CenterConfig(agents=6, days=4, start=date(2026, 2, 2), seed=9, defects_rate=0.1)
    simulate(config, tmp_path / "landing", tmp_path / "truth", tmp_path / "simulator")
    defects = [Defect(**json.loads(line)) for path in sorted((tmp_path / "truth").glob("*/defects*.jsonl"))
               for line in path.open()]
    landing = tmp_path / "landing"
    known: set[str] = set()
    seen = set()
    for day in sorted(p.name for p in (landing / "crm").iterdir()):
        for users in sorted((landing / "crm" / day).glob("users*.jsonl")):
            known |= _usernames(users.read_text().splitlines())
        for defect in defects:
            if defect.kind in CHECKED_KINDS and f"/{day}/" in defect.file:
                assert defect.expected == EXPECTED[defect.kind]
                assert_checked_fault_shows(defect, (landing / defect.file).read_text().splitlines(), known)
                seen.add(defect.kind)
    assert seen == CHECKED_KINDS
