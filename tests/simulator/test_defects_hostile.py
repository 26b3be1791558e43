"""The hostile-input kinds of ``csops simulate --defects`` (issue 15): each is planted where the
manifest says, in the bytes the simulator writes, and the rows around it keep their places."""

from __future__ import annotations

import gzip
import json
import re
from datetime import date
from types import SimpleNamespace

import pytest

import csops.simulator.defects
from csops.simulator import exports, simulate
from csops.simulator.config import CenterConfig
from csops.simulator.defects import EXPECTED, KINDS, Defect, inject_defects
from tests import landed
from tests.simulator.defect_checks import (
    DAY, DETAIL_VALUE, assert_duplicated_key_shows, assert_shows, csv_records, data_rows, day_files, export_of,
    header_rows, is_blank, value_at, READ_REJECTED_KINDS,
)

HOSTILE_KINDS = {"fractional_id", "duplicated_key", "nested_timestamp_without_zone", "negative_duration",
                 "implausible_timestamp", "empty_key", "non_utf8_bytes", "non_ascii_score", "impossible_date",
                 "unterminated_quote", "blank_lines"}
RESPONSES = "surveys/2026-01-05/responses.csv"


@pytest.fixture(scope="module")
def files() -> dict[str, list[str]]:
    return day_files(120)


def test_the_contract_table_is_the_code():
    """The docstring's table names every kind once, with the treatment EXPECTED holds it to."""
    rows = re.findall(r"^\| `(\w+)` \|.*\| ([a-z]+: [^|]+?) \|$", csops.simulator.defects.__doc__, re.MULTILINE)
    assert sorted(kind for kind, _ in rows) == sorted(KINDS) and dict(rows) == EXPECTED
    assert HOSTILE_KINDS <= set(KINDS)


def test_each_hostile_kind_is_where_the_manifest_says(files):
    seen = set()
    for seed in range(3):
        result = inject_defects(DAY, files, 0.4, seed)
        for defect in result.defects:
            assert_shows(result, defect, files)
            seen.add(defect.kind)
    assert seen >= HOSTILE_KINDS


def test_hostile_kinds_are_deterministic_per_seed(files):
    first = inject_defects(DAY, files, 0.4, seed=3)
    assert inject_defects(DAY, files, 0.4, seed=3) == first
    assert {d.kind for d in first.defects} & HOSTILE_KINDS


def test_rows_after_an_unterminated_quote_are_whole_and_in_their_places(files):
    """A plain CSV reader reads on from an opened quote into the rows after it; those rows are
    still in the file, whole, each at the line and record the manifest's count gives them."""
    swallowed = 0
    for seed in range(6):
        result = inject_defects(DAY, files, 0.3, seed)
        if not result.files[RESPONSES]:
            continue  # the day's emptied file
        lines = result.files[RESPONSES]
        defects = [d for d in result.defects if d.file == RESPONSES]
        opened = sorted(d.line for d in defects if d.kind == "unterminated_quote")
        rows = data_rows(RESPONSES, lines, defects)
        # Row by row: a row the manifest does not name is the next exported row; a named one
        # replaces it, or is a copy of the row before.
        named = {d.line: d.kind for d in defects if d.kind != "blank_lines"}
        exported = iter(row for _, row in data_rows(RESPONSES, files[RESPONSES], []))
        for start, row in rows:
            if named.get(start) == "duplicate_record":
                continue
            original = next(exported)
            assert start in named or row == original, start
        withheld = result.withheld.get(exports.late_name(RESPONSES), [])
        assert len(list(exported)) == len(data_rows(RESPONSES, withheld, []))
        # Each manifest row's record is its place among the rows as found again.
        for defect in defects:
            place = defect.line + (1 if defect.kind == "blank_lines" else 0)
            assert [start for start, _ in rows].index(place) + 1 == defect.record, defect
        for line in opened:
            plain = [start for start, row in csv_records(lines)[header_rows(RESPONSES):] if not is_blank(row)]
            swallowed += len({start for start, _ in rows if start > line} - set(plain))
    assert swallowed  # the fault is real: a plain reader loses rows after it


def test_blank_lines_go_before_rows_that_load_and_are_no_records(files):
    """Blank lines only before rows with no fault, in a file whose rows all end in CRLF: the
    records, counted as the loader counts them (blank rows skipped), are the file's rows."""
    files_seen = 0
    for seed in range(8):
        result = inject_defects(DAY, files, 0.1, seed)
        blanks = [d for d in result.defects if d.kind == "blank_lines"]
        if not blanks:
            continue
        files_seen += 1
        lines = result.files[RESPONSES]
        assert all(line.endswith("\r") for line in lines[:header_rows(RESPONSES)])
        others = {d.record for d in result.defects if d.file == RESPONSES and d.kind != "blank_lines"}
        for defect in blanks:
            assert defect.file == RESPONSES and defect.record not in others and defect.record > 1
            assert lines[defect.line - 1].strip() == ""
        assert sum(line.strip() == "" for line in lines) == len(blanks)
    assert files_seen >= 3


def test_ids_and_durations_are_faulted_only_where_set(files):
    """A null assignee is no id to write as a fraction; a zero wait negated is no negative duration."""
    exported = {name: [json.loads(unit) for unit in units] for name, units in files.items()
                if export_of(name) in ("tickets", "contact_records")}
    seen = set()
    for seed in range(4):
        result = inject_defects(DAY, files, 0.5, seed)
        for defect in result.defects:
            if defect.kind not in ("fractional_id", "negative_duration") or defect.file not in exported:
                continue
            field = DETAIL_VALUE.match(defect.detail)["field"]
            # These kinds write one record in place of one: the exported one is at the same place.
            count_before = sum(d.kind in ("duplicate_record", "conflicting_version") for d in result.defects
                               if d.file == defect.file and d.record < defect.record)
            original = value_at(exported[defect.file][defect.record - 1 - count_before], field)
            assert type(original) is int and original > 0, defect
            seen.add(defect.kind)
    assert seen == {"fractional_id", "negative_duration"}


def test_a_foreign_byte_is_in_a_gzipped_object(files):
    """A Firehose object the stream gzips holds the Latin-1 byte once unzipped; its other records decode."""
    for seed in range(10):
        result = inject_defects(DAY, files, 0.3, seed)
        foreign = [d for d in result.defects if d.kind == "non_utf8_bytes" and d.file.endswith(".gz")]
        if foreign:
            break
    else:
        raise AssertionError("no foreign byte in a gzipped object")
    name = foreign[0].file
    data = gzip.decompress(exports.packed(name, result.files[name]))
    records = landed.unpacked(name, result.files[name])
    with_byte = {r.ordinal for r in records if (r.reason or "").startswith("not UTF-8: byte 0x")}
    assert with_byte == {d.record for d in foreign if d.file == name}
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_hostile_kinds_in_a_simulated_center_are_where_the_manifest_says(tmp_path):
    """In the simulator's own exports, as written to disk: each hostile fault is at the file,
    line and record the manifest names."""
    config = CenterConfig(agents=6, days=3, start=date(2026, 2, 2), seed=9, defects_rate=0.15)
    simulate(config, tmp_path / "landing", tmp_path / "truth", tmp_path / "simulator")
    landing = tmp_path / "landing"
    defects = [Defect(**json.loads(line)) for path in sorted((tmp_path / "truth").glob("*/defects*.jsonl"))
               for line in path.open()]
    seen = set()
    read: dict[str, list] = {}
    for defect in defects:
        if defect.kind not in HOSTILE_KINDS:
            continue
        path = landing / defect.file
        if defect.file.endswith(".csv"):
            text = path.read_bytes().decode("utf-8", errors="surrogateescape")
            day = [d for d in defects if d.file == defect.file]
            lines = text.split("\n")[:-1]
            assert_shows(SimpleNamespace(files={defect.file: lines}, withheld={}, defects=day), defect, {})
        else:
            if defect.file not in read:
                read[defect.file] = landed.file_records(landing, path)
            found = read[defect.file][defect.record - 1]
            if defect.kind in READ_REJECTED_KINDS:  # csops's reader rejects it, with the manifest's reason
                assert (found.record, found.line) == (defect.record, defect.line), defect
                assert found.reason.startswith(defect.expected.removeprefix("rejected: ")), (defect, found)
            else:
                assert (found.record, found.line, found.reason) == (defect.record, defect.line, None), defect
            if defect.kind != "non_utf8_bytes":  # stored with U+FFFD for the byte: nothing more to read
                assert_json_fault_landed(defect, found, path)
        seen.add(defect.kind)
    # What packing writes as bytes (a foreign byte, a key twice in a page and in an object, CRLF and
    # blank lines, an opened quote), and kinds of each file format; a small center answers too few
    # calls for every contact record kind, which the fixture's tests cover.
    assert seen >= {"duplicated_key", "non_utf8_bytes", "blank_lines", "unterminated_quote", "implausible_timestamp",
                    "empty_key", "non_ascii_score", "impossible_date", "fractional_id"}
    assert {landed.export_of(d.file) for d in defects if d.kind == "duplicated_key"} >= {"tickets", "contact_records"}


def assert_json_fault_landed(defect: Defect, found, path) -> None:
    if defect.kind == "duplicated_key":
        if landed.export_of(defect.file) in ("contact_records", "agent_events"):
            assert_duplicated_key_shows(defect, found.text)  # the record's own text, as delivered
        else:  # an API page: the record, as the page's text holds it
            page = json.loads(path.read_text(), object_pairs_hook=lambda pairs: pairs)
            (records,) = [value for key, value in page if isinstance(value, list)]
            assert_duplicated_key_shows(defect, _pairs_text(records[defect.record - 1]))
        return
    field = DETAIL_VALUE.match(defect.detail)["field"]
    if defect.kind == "non_utf8_bytes":
        assert len(re.findall("[\udc80-\udcff]", found.text)) == 1 and re.search("[\udc80-\udcff]",
                                                                                 value_at(found.value, field))
        return
    assert value_at(found.value, field) == json.loads(DETAIL_VALUE.match(defect.detail)["value"])


def _pairs_text(pairs: list) -> str:
    """A record parsed as key-value pairs, written back as JSON text with its keys as they came."""
    return "{" + ",".join(f"{json.dumps(key)}:{json.dumps(value)}" for key, value in pairs) + "}"
