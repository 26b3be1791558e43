"""The defect injector: every fault it reports is really in the file, where it says, at the rate asked.

The fixture and the check that a fault is where the manifest says are in
``tests/simulator/defect_checks.py``; the hostile-input kinds (issue 15) have their own tests in
``test_defects_hostile.py``.
"""

from __future__ import annotations

import copy
import json
import math
import re
from datetime import date
from pathlib import PurePosixPath

import pytest

from csops.orchestration.files import landing_day
from csops.simulator import simulate
from csops.simulator.config import CenterConfig
from csops.simulator.defects import EXPECTED, FILE_KINDS, KINDS, UNKNOWN_CHANNELS, Defect, inject_defects
from csops.simulator.exports import late_name
from tests import landed
from tests.simulator.defect_checks import (
    CHANNEL_SYSTEMS, CHECKED_KINDS, DAY, DETAIL_VALUE, FIREHOSE_EXPORTS, FIREHOSE_HOURS, READ_REJECTED_KINDS,
    assert_checked_fault_shows,
    assert_shows, channel_map_spellings, csv_records, data_rows, day_files, export_of, header_rows, is_csv,
    jsonl_lines, read_back, record_count, source_of_late, usernames_of, users_of,
)


@pytest.fixture(scope="module")
def small() -> dict[str, list[str]]:
    return day_files(60)


@pytest.fixture(scope="module")
def large() -> dict[str, list[str]]:
    return day_files(800)


def test_the_fixture_is_in_the_vendor_layouts(small):
    """Each file of the fixture is one of the exports the injector knows, but the stray note."""
    exports = {name: export_of(name) for name in small}
    assert set(exports.values()) == {"tickets", "ticket_audits", "users", "groups", "contact_records",
                                     "agent_events", "responses.csv", "distributions.csv", None}
    assert [name for name, export in exports.items() if export is None] == ["crm/2026-01-05/notes.txt"]
    assert sum(export == "contact_records" for export in exports.values()) == FIREHOSE_HOURS
    for name, units in small.items():
        if exports[name] and not is_csv(name):
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
            if export_of(name) is None or is_csv(name):
                continue
            read = read_back(result, name)
            assert [record.ordinal for record in read] == list(range(1, len(units) + 1)), name
            broken = {record.ordinal for record in read if record.reason is not None}
            assert broken == {d.record for d in result.defects if d.file == name and d.kind in READ_REJECTED_KINDS}
            for record in read:
                if record.reason is None:
                    assert record.value == json.loads(units[record.ordinal - 1])
            broken_seen += len(broken)
    assert broken_seen


def test_records_not_in_the_manifest_are_as_exported(small):
    result = inject_defects(DAY, small, 0.3, seed=5)
    for name, units in result.files.items():
        if is_csv(name) or not units:
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
    """Header rows as exported; every data row has the header's fields but the ones the manifest
    says are malformed (a blank row is no data row)."""
    result = inject_defects(DAY, large, 0.2, seed=2)
    for name in ("surveys/2026-01-05/responses.csv", "surveys/2026-01-05/distributions.csv"):
        headers = header_rows(name)
        exported_header = [row for _, row in csv_records(large[name])[:headers]]
        malformed = {d.line for d in result.defects
                     if d.file == name and d.kind in ("malformed_csv_row", "unterminated_quote")}
        for lines in (result.files[name], result.withheld.get(late_name(name))):
            if not lines:
                continue  # the day's emptied file, or no late rows from this one
            records = csv_records(lines)
            assert [row for _, row in records[:headers]] == exported_header
            is_late = lines is not result.files[name]
            for start, row in data_rows(name, lines, [] if is_late else result.defects):
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
        source = source_of_late(result, late)
        assert late not in small and late != source
        late_defects = [d for d in result.defects if d.kind == "late_file"]
        assert {d.file for d in late_defects} == {late}
        assert [d.record for d in late_defects] == list(range(1, len(late_defects) + 1))
        if is_csv(source):
            layouts.add("csv")
            assert PurePosixPath(late).parent == PurePosixPath(source).parent
            assert late.endswith("-late.csv") and export_of(late) == export_of(source)
            header = header_rows(source)
            rows = csv_records(held)
            assert [d.line for d in late_defects] == [start for start, _ in rows[header:]]
            kept = {tuple(row) for _, row in csv_records(result.files[source])[header:]}
            assert not kept & {tuple(row) for _, row in rows[header:]}
            exported_rows = csv_records(small[source])
            assert [r for _, r in rows[header:]] == [r for _, r in exported_rows[len(exported_rows) - len(late_defects):]]
        else:
            read = landed.unpacked(late, held)
            assert len(read) == len(late_defects) == len(held)
            assert [d.line for d in late_defects] == [1] * len(held) == [r.line for r in read]
            assert not set(held) & set(result.files[source])
            assert held == small[source][-len(held):]
            if export_of(source) in FIREHOSE_EXPORTS:
                layouts.add("firehose")
                # A new object in the same hour folder, under the stream's name: Firehose's next flush.
                assert PurePosixPath(late).parent == PurePosixPath(source).parent
                assert PurePosixPath(late).name.rsplit("-", 5)[0] == PurePosixPath(source).name.rsplit("-", 5)[0]
                assert late.endswith(".gz") == source.endswith(".gz")
            else:
                layouts.add("api page")
                assert late == source.removesuffix(".json") + "-late.json"
            assert export_of(late) == export_of(source)
        for defect in late_defects:
            assert_shows(result, defect, small)
    assert layouts == {"csv", "firehose", "api page"}


def test_file_level_faults_at_their_rates(small):
    """At 0.2 a day has a late file, an emptied one and a CSV export with blank lines: the
    emptied file is neither of the others."""
    defects = inject_defects(DAY, small, 0.2, seed=4).defects
    late = {source_of_late_name(small, d.file) for d in defects if d.kind == "late_file"}
    emptied = [d.file for d in defects if d.kind == "empty_file"]
    blank = {d.file for d in defects if d.kind == "blank_lines"}
    assert len(late) == 1 and len(emptied) == 1 and blank == {"surveys/2026-01-05/responses.csv"}
    assert not (late | blank) & set(emptied) and late != set(emptied)


def source_of_late_name(files: dict[str, list[str]], late: str) -> str:
    (source,) = [name for name in files if late_name(name) == late]
    return source


def test_observed_rate_is_near_the_rate(large):
    rate = 0.05
    result = inject_defects(DAY, large, rate, seed=11)
    touched = {d.file for d in result.defects if d.kind == "empty_file"}
    eligible = sum(record_count(name, units) for name, units in large.items()
                   if export_of(name) is not None and name not in touched)
    eligible -= sum(d.kind == "late_file" for d in result.defects)
    observed = sum(d.kind not in FILE_KINDS for d in result.defects)
    assert eligible > 3000
    assert abs(observed - eligible * rate) <= 4 * math.sqrt(eligible * rate * (1 - rate))


def test_kinds_land_only_where_they_apply(large):
    result = inject_defects(DAY, large, 0.3, seed=6)
    where = {}
    for defect in result.defects:
        where.setdefault(defect.kind, set()).add(export_of(defect.file))
    assert set(where) == set(KINDS)
    assert where["unknown_channel"] == {"tickets", "contact_records"}
    assert where["out_of_range_score"] == {"responses.csv"}
    for kind in CHECKED_KINDS:
        assert where[kind] == {"contact_records"}
    assert where["malformed_csv_row"] <= {"responses.csv", "distributions.csv"}
    # An API page is one HTTP response: its records cannot break alone. A Firehose object's can.
    assert where["malformed_json"] == FIREHOSE_EXPORTS
    assert not (where["timestamp_with_offset"] | where["timestamp_without_zone"] | where["implausible_timestamp"]
                | where["duplicated_key"]) & {"responses.csv", "distributions.csv"}
    assert where["fractional_id"] == {"tickets"}
    for kind in ("nested_timestamp_without_zone", "negative_duration", "empty_key"):
        assert where[kind] == {"contact_records"}, kind
    # A foreign byte only where a record is written alone: a Firehose object's, a CSV row.
    assert where["non_utf8_bytes"] == FIREHOSE_EXPORTS | {"responses.csv"}
    for kind in ("non_ascii_score", "impossible_date", "unterminated_quote", "blank_lines"):
        assert where[kind] == {"responses.csv"}, kind


def test_unknown_channels_are_unknown_however_normalised():
    assert set(UNKNOWN_CHANNELS) == set(CHANNEL_SYSTEMS)
    for field, spellings in UNKNOWN_CHANNELS.items():
        assert not {s.strip().casefold() for s in spellings} & channel_map_spellings(field)


def test_rate_one_faults_every_record(small):
    result = inject_defects(DAY, small, 1.0, seed=9)
    kinds = {d.kind for d in result.defects}
    # Blank lines go only before a row with no fault, and here there is none.
    assert kinds >= {"late_file", "empty_file"} and "blank_lines" not in kinds
    for defect in result.defects:
        assert_shows(result, defect, small)
    emptied = {d.file for d in result.defects if d.kind == "empty_file"}
    faulted = sum(d.kind not in FILE_KINDS for d in result.defects)
    records = sum(record_count(n, small[n]) for n in small if export_of(n) is not None and n not in emptied)
    assert faulted == records - sum(d.kind == "late_file" for d in result.defects)


def test_rate_outside_zero_to_one_is_refused(small):
    with pytest.raises(ValueError):
        inject_defects(DAY, small, 1.5, seed=1)


def test_checked_kinds_go_only_to_records_they_apply_to():
    """A conflicting version or an early end needs a DisconnectTimestamp (an early end, an
    InitiationTimestamp too); an unknown agent needs an Agent with a Username."""
    files = day_files(400)
    by_id = {}
    for name in [name for name in files if export_of(name) == "contact_records"]:
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
        files[name] = jsonl_lines(contacts)
    seen = set()
    for seed in range(6):
        result = inject_defects(DAY, files, 0.5, seed)
        for defect in result.defects:
            if defect.kind not in CHECKED_KINDS:
                continue
            assert_shows(result, defect, files)
            exported = by_id[read_back(result, defect.file)[defect.record - 1].value["ContactId"]]
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
    files["crm/2026-01-05/users-0002.json"] = jsonl_lines(taken)
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
        known = usernames_of([user for on, users in users_by_day.items() if on <= day for user in users])
        read = landed.file_records(landing, landing / defect.file)
        found = read[defect.record - 1]
        assert (found.record, found.line, found.reason) == (defect.record, defect.line, None), defect
        assert defect.expected == EXPECTED[defect.kind]
        previous = read[defect.record - 2].value if defect.record > 1 else None
        assert_checked_fault_shows(defect, found.value, previous, known)
        seen.add(defect.kind)
    assert seen == CHECKED_KINDS
