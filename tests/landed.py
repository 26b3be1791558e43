"""Landed exports read the way csops reads them, for the simulator's and the loader's tests.

A test that checks what the simulator wrote should see each file as the loader does: unpacked
by its first bytes, its records found in an API page's envelope or in a Firehose object's
concatenation, numbered as ``_source_record``. So the reading here goes through
``orchestration.deliveries`` and never parses a layout itself; what is the tests' own is
only which files make up one export, told by the vendors' layouts:

- Zendesk API pages: ``crm/<day>/<endpoint>-<page>[-late][-part<k>].json``;
- Connect Firehose objects: ``telephony/<stream folder>/YYYY/MM/DD/HH/<object>``, the folder
  spelled with hyphens (``contact-records`` holds the ``contact_records`` export);
- a Qualtrics CSV: ``surveys/<day>/<name>[-late][-part<k>].csv``.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from csops.orchestration.deliveries import JsonRecord, read_json_records
from csops.orchestration.files import unpacked_text
from csops.simulator import exports

_API_PAGE = re.compile(r"^crm/[^/]+/(?P<export>[a-z_]+)-\d{4}(-late)?(-part\d+)?\.json$")
_FIREHOSE_OBJECT = re.compile(r"^telephony/(?P<folder>[a-z-]+)/\d{4}/\d{2}/\d{2}/\d{2}/[^/]+$")
_CSV_EXPORT = re.compile(r"^surveys/[^/]+/(?P<stem>[^/]+?)(-late)?(-part\d+)?\.csv$")


@dataclass(frozen=True)
class LandedRecord:
    file: str  # relative to the landing folder, as ``_source_file``
    record: int  # 1-based place in the file, as ``_source_record``
    line: int  # the line it starts on in the unpacked file, as ``_source_line``
    value: dict | None  # None when csops cannot read it (``reason`` says why)
    text: str
    reason: str | None


def export_of(relative: str) -> str | None:
    """Which export a landed file belongs to (``tickets``, ``contact_records``, ``responses.csv``)."""
    if page := _API_PAGE.match(relative):
        return page["export"]
    if firehose := _FIREHOSE_OBJECT.match(relative):
        return firehose["folder"].replace("-", "_")
    if csv_export := _CSV_EXPORT.match(relative):
        return f"{csv_export['stem']}.csv"
    return None


def export_files(landing: Path, source: str, export: str) -> list[Path]:
    """The landed files of one export, in path order."""
    return [path for path in sorted((landing / source).rglob("*"))
            if path.is_file() and export_of(relative(landing, path)) == export]


def relative(landing: Path, path: Path) -> str:
    return PurePosixPath(path.relative_to(landing)).as_posix()


def file_records(landing: Path, path: Path) -> list[LandedRecord]:
    """Every record of one landed JSON file, readable or not, in the file's order."""
    name = relative(landing, path)
    return [_landed(name, record) for record in read_json_records(path)]


def landed_records(landing: Path, source: str, export: str) -> list[LandedRecord]:
    """Every record of an export's landed files, readable or not: files in path order."""
    return [record for path in export_files(landing, source, export) for record in file_records(landing, path)]


def records(landing: Path, source: str, export: str) -> list[dict]:
    """The readable records of an export's landed files (the rows csops can load)."""
    return [record.value for record in landed_records(landing, source, export) if record.value is not None]


def by_place(landing: Path, source: str, export: str) -> dict[tuple[str, int], LandedRecord]:
    """An export's records by (file, record), the place the defects manifest and audit.rejected_rows name."""
    return {(record.file, record.record): record for record in landed_records(landing, source, export)}


def csv_rows(path: Path) -> list[list[str]]:
    """A landed CSV export's rows, header rows included, from its text as csops unpacks it."""
    return list(csv.reader(io.StringIO(unpacked_text(path), newline="")))


def unpacked(relative_name: str, units: list[str], last_page: bool = True) -> list[JsonRecord]:
    """The records csops reads back from a file the simulator would write from these units:
    ``simulator.exports.packed`` (API page envelope, Firehose concatenation, gzip), then
    ``read_json_records``. For the defects tests, which work on the units before packing."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / PurePosixPath(relative_name).name
        path.write_bytes(exports.packed(relative_name, units, last_page=last_page))
        return list(read_json_records(path))


def _landed(name: str, record: JsonRecord) -> LandedRecord:
    return LandedRecord(name, record.ordinal, record.line, record.value if record.reason is None else None,
                        record.text, record.reason)
