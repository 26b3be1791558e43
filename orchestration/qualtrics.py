"""Qualtrics response exports, read as Qualtrics delivers them, into ``raw.surveys_responses``.

A response export's columns depend on the survey: the standard columns (``StartDate`` ...
``UserLanguage``; an anonymous survey lacks ``IPAddress``, ``Recipient*``,
``ExternalReference`` and ``Location*``), then the questions, named by their author or by
QID (``Q1``, ``Q3_4``, ``Q5_TEXT``, ``Q2 - Topics``), then embedded data under the author's
names. Current exports have three header rows (names, question texts, an ImportId JSON per
column, whose ``timeZone`` says the zone of the dates); the legacy layout names its standard
columns ``V1``..``V10`` and has two.

Which survey a file is, and which of its columns are CSAT, NPS, CES, resolved, comment and
the contact surveyed, is configuration the center edits: ``seeds/survey_question_map.csv``.
A file is the survey whose every mapped column it has (by name or by ImportId); the survey
mapping the most columns wins. Answers may be values or choice-text labels
(``seeds/survey_scales.csv``); ``Status`` a code or its label
(``seeds/survey_response_statuses.csv``). The loader checks; staging maps.

Each data row is loaded (standard columns, absent ones null; every other column kept in
``answers``, by name, and ``answers_by_import_id``) or rejected with its reason. A file
csops cannot place (no mapped survey, a zone no one knows) stops the load with one message
saying what to add, and nothing of the day is loaded.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from orchestration.deliveries import UnreadableFile, unpacked_text
from orchestration.landing import day_of_name
from orchestration.loading import PROVENANCE_COLUMNS, LandingError
from orchestration.record_checks import REPO_ROOT
from orchestration.raw_tables import QUALTRICS_STANDARD_COLUMNS as STANDARD_COLUMNS
from orchestration.raw_tables import RawTable

SEEDS = REPO_ROOT / "seeds"
# The legacy layout's standard columns. V2 (ResponseSet) and V3 (Name) have no current
# equivalent: they are kept among the answers under those names. It has no RecordedDate:
# staging takes EndDate, when the response was submitted.
LEGACY_COLUMNS = {"V1": "ResponseId", "V2": "ResponseSet", "V3": "Name", "V4": "ExternalReference",
                  "V5": "RecipientEmail", "V6": "IPAddress", "V7": "Status", "V8": "StartDate", "V9": "EndDate",
                  "V10": "Finished"}
DATE_COLUMNS = ("RecordedDate", "EndDate", "StartDate")  # the first is the response's time
QUALTRICS_DATE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
MEASURES = ("csat", "nps", "ces", "resolved", "comment", "contact_ref")
MAPPING_HELP = ("add the survey to seeds/survey_question_map.csv: one row per measure (csat, nps, ces, resolved, "
                "comment, contact_ref) with its column_name or import_id, its scale (1-5, good_bad, 0-10, 1-7, "
                "yes_no, text) and, for contact_ref, the contact_system (crm for a Zendesk ticket id, telephony for "
                "a Connect ContactId)")


@dataclass(frozen=True)
class MappedColumn:
    """A row of seeds/survey_question_map.csv: one measure of one survey and where it is."""

    survey_key: str
    measure: str
    column_name: str
    import_id: str
    scale: str
    contact_system: str

    @property
    def label(self) -> str:
        return self.column_name or f"ImportId {self.import_id}"


@dataclass(frozen=True)
class ExportHeader:
    """A response export's header rows, read: the columns under the names csops keys them by."""

    names: tuple[str, ...]  # the current layout's standard names for the legacy V-columns
    import_ids: tuple[str | None, ...]  # per column; all None in the legacy layout
    header_rows: int
    timezone: str | None  # from the ImportId row's "timeZone", when the export names one


@dataclass(frozen=True)
class Placement:
    """Which mapped survey a file is, and the column index of each of its mapped measures."""

    survey_key: str
    columns: tuple[tuple[MappedColumn, int], ...]


class SurveyScales:
    """The answers each scale accepts, as values or labels (case and spaces aside), and the
    response statuses that exist; read from the seeds staging maps with."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], int] = {}
        for row in _seed("survey_scales"):
            self.answers[(row["scale"], _folded(row["answer"]))] = int(row["answer_value"])
        self.counted_statuses: dict[str, bool] = {}
        for row in _seed("survey_response_statuses"):
            for spelling in (row["status_code"], row["status_label"]):
                self.counted_statuses[_folded(spelling)] = row["is_counted"].strip().lower() == "true"

    def accepts(self, scale: str, answer: str) -> bool:
        return (scale, _folded(answer)) in self.answers


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def mapped_surveys() -> dict[str, list[MappedColumn]]:
    """seeds/survey_question_map.csv, by survey: read at each load, as the center may have edited it."""
    surveys: dict[str, list[MappedColumn]] = {}
    for row in _seed("survey_question_map"):
        column = MappedColumn(*(row[name].strip() for name in (
            "survey_key", "measure", "column_name", "import_id", "scale", "contact_system")))
        surveys.setdefault(column.survey_key, []).append(column)
    return surveys


def read_header(rows: list[list[str]]) -> ExportHeader:
    """The layout of an export from its first rows (names; texts; ImportIds in current exports)."""
    first = [cell.strip() for cell in rows[0]] if rows else []
    if first[:2] == ["V1", "V2"]:
        return ExportHeader(tuple(LEGACY_COLUMNS.get(name, name) for name in first), (None,) * len(first), 2, None)
    third = rows[2] if len(rows) > 2 else []
    import_ids = [_import_id(cell) for cell in third]
    if not third or not all(import_ids[i] for i, cell in enumerate(third) if cell.strip()):
        return ExportHeader(tuple(first), (None,) * len(first), 2, None)  # no ImportId row
    zones = {json.loads(cell).get("ImportId"): json.loads(cell).get("timeZone") for cell in third if cell.strip()}
    timezone = next((zones[key] for key in ("recordedDate", "endDate", "startDate") if zones.get(key)), None)
    return ExportHeader(tuple(first), tuple(import_ids) + (None,) * (len(first) - len(import_ids)), 3, timezone)


def _import_id(cell: str) -> str | None:
    try:
        value = json.loads(cell)
    except ValueError:
        return None
    return value.get("ImportId") if isinstance(value, dict) else None


def place(header: ExportHeader, surveys: dict[str, list[MappedColumn]], file_name: str) -> Placement:
    """The mapped survey this export is: the one whose every mapped column it has, by name or
    ImportId (the one mapping most columns, if several do). Anything else: one clear error."""
    if "ResponseId" not in header.names:
        raise LandingError(
            f"{file_name}: not a Qualtrics response export: no ResponseId column (V1 in the legacy layout). "
            f"Its columns: {', '.join(header.names[:25]) or 'none'}")
    placements, closest = [], None
    for key, mapped in surveys.items():
        found = [(column, _column_index(header, column)) for column in mapped]
        missing = [column.label for column, index in found if index is None]
        if not missing:
            placements.append(Placement(key, tuple(found)))
        elif closest is None or len(missing) < len(closest[1]):
            closest = (key, missing)
    placements.sort(key=lambda p: -len(p.columns))
    if len(placements) > 1 and len(placements[0].columns) == len(placements[1].columns):
        raise LandingError(
            f"{file_name}: its columns fit the mappings of surveys {placements[0].survey_key} and "
            f"{placements[1].survey_key} in seeds/survey_question_map.csv equally: one of them must map a column "
            f"(by name or ImportId) the other does not")
    if not placements:
        columns = ", ".join(f"{name} ({import_id})" if import_id and import_id != name else name
                            for name, import_id in zip(header.names, header.import_ids) if name not in STANDARD_COLUMNS)
        hint = f" The closest mapped survey, {closest[0]}, lacks {', '.join(closest[1])}." if closest else ""
        raise LandingError(f"{file_name}: a Qualtrics export of a survey csops has no mapping for: {MAPPING_HELP}. "
                           f"Its questions and embedded data: {columns or 'none'}.{hint}")
    return placements[0]


def _column_index(header: ExportHeader, column: MappedColumn) -> int | None:
    for index, (name, import_id) in enumerate(zip(header.names, header.import_ids)):
        if (column.column_name and name == column.column_name) or (column.import_id and import_id == column.import_id):
            return index
    return None


def _export_rows(path: Path, file_name: str) -> tuple[list[str], list[tuple[int, int, list[str]]]]:
    """The file's physical lines, and its CSV records with the lines each starts and ends on
    (a quoted comment may hold line breaks)."""
    try:
        text = unpacked_text(path)
    except UnreadableFile as error:
        raise LandingError(f"{file_name}: {error}") from error
    reader = csv.reader(io.StringIO(text, newline=""))
    records, end_of_previous = [], 0
    for row in reader:
        records.append((end_of_previous + 1, reader.line_num, row))
        end_of_previous = reader.line_num
    return [line.rstrip("\r") for line in text.split("\n")], records


def load_csv(con, table: RawTable, files: list[Path], prefix: str, source: str, run_id: str,
             started_at: datetime) -> None:
    """Load Qualtrics response exports into ``raw.<table>``: each data row loaded or rejected."""
    surveys, scales = mapped_surveys(), SurveyScales()
    loaded, rejected = [], []
    for path in files:
        file_name = str(path).replace(prefix, "", 1)
        landing_date = day_of_name(file_name)
        lines, records = _export_rows(path, file_name)
        if not records:  # an empty file: a day with no response
            continue
        header = read_header([row for _, _, row in records[:3]])
        placement = place(header, surveys, file_name)
        if header.timezone is not None:
            _check_timezone(header.timezone, file_name)
        record_number = 0
        for start, end, row in records[header.header_rows:]:
            if not any(cell.strip() for cell in row):
                continue
            record_number += 1
            reason = row_reason(header, placement, scales, row)
            if reason:
                rejected.append((run_id, source, table.table_name, file_name, landing_date, start, record_number,
                                 "\n".join(lines[start - 1:end]), reason))
            else:
                loaded.append((*response_values(header, placement, row), file_name, start, record_number,
                               landing_date, run_id, started_at))
    if rejected:
        con.executemany("insert into audit.rejected_rows (run_id, source, raw_table, source_file, landing_date, "
                        "line_number, record_number, raw_text, reason) values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rejected)
    if loaded:
        frame = pd.DataFrame(loaded, columns=[*(name for name, _ in (*table.columns, *PROVENANCE_COLUMNS))])
        con.register("loaded_response_rows", frame)
        try:
            con.execute(f"insert into raw.{table.table_name} by name select * from loaded_response_rows")
        finally:
            con.unregister("loaded_response_rows")


def _check_timezone(name: str, file_name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise LandingError(f'{file_name}: its ImportId row gives the dates\' time zone as "{name}", which is not an '
                           f"IANA time zone (such as America/New_York): correct the export settings") from error


def row_reason(header: ExportHeader, placement: Placement, scales: SurveyScales, row: list[str]) -> str | None:
    """Why a data row cannot be loaded, or None."""
    if len(row) != len(header.names):
        return f"malformed CSV row: {len(row)} fields, expected {len(header.names)}"
    values = dict(zip(header.names, (cell.strip() for cell in row)))
    reasons = [] if values.get("ResponseId") else ['missing required field "ResponseId"']
    if not (values.get("RecordedDate") or values.get("EndDate")):
        reasons.append('missing required field "RecordedDate"')
    for name in DATE_COLUMNS:
        if values.get(name) and not QUALTRICS_DATE.match(values[name]):
            reasons.append(f'field "{name}" is not a date and time (YYYY-MM-DD hh:mm:ss): {values[name]!r}')
    status = values.get("Status", "")
    if status and _folded(status) not in scales.counted_statuses:
        reasons.append(f'unknown response status "{status}": add it to seeds/survey_response_statuses.csv')
    contacts = []
    for column, index in placement.columns:
        answer = row[index].strip()
        if column.measure == "contact_ref":
            contacts += [f"{header.names[index]} = {answer}"] if answer else []
        elif answer and column.scale != "text" and not scales.accepts(column.scale, answer):
            reasons.append(f"score out of range: {header.names[index]} = {answer!r} ({column.measure}, on the "
                           f"{column.scale} scale: a value or a label of seeds/survey_scales.csv)")
    # A preview, a test or spam is kept out of every KPI (staging): it need not name a contact.
    if scales.counted_statuses.get(_folded(status), True):
        contact_columns = [header.names[i] for c, i in placement.columns if c.measure == "contact_ref"]
        if not contact_columns:
            reasons.append("no contact surveyed: the survey's mapping in seeds/survey_question_map.csv names no "
                           "contact_ref column (a response csops cannot tie to a ticket or a call)")
        elif not contacts:
            reasons.append(f'missing required field "{" or ".join(contact_columns)}" (the contact surveyed)')
        elif len(contacts) > 1:
            reasons.append(f"more than one contact surveyed: {', '.join(contacts)} (seeds/survey_question_map.csv "
                           f"maps each of these columns to a contact)")
    return "; ".join(reasons) or None


def response_values(header: ExportHeader, placement: Placement, row: list[str]) -> tuple:
    """The raw row, in the columns of raw.surveys_responses: the standard columns (null where
    the export has none), the survey, the dates' zone (null when the export does not say: staging
    takes the account's), and every other column as exported, by name and by ImportId."""
    standard = {name: value for name, value in zip(header.names, row) if name in STANDARD_COLUMNS}
    others = [(name, import_id, value) for name, import_id, value in zip(header.names, header.import_ids, row)
              if name not in STANDARD_COLUMNS]
    by_import_id = {import_id: value for _, import_id, value in others if import_id}
    return (*(standard.get(name) for name in STANDARD_COLUMNS), placement.survey_key, header.timezone,
            json.dumps({name: value for name, _, value in others}, ensure_ascii=False),
            json.dumps(by_import_id, ensure_ascii=False) if by_import_id else None)


def count_records(path: Path) -> int:
    """Data rows in a response export, counted from the file again: for the reconciliation check."""
    _, records = _export_rows(path, str(path))
    if not records:
        return 0
    header = read_header([row for _, _, row in records[:3]])
    return sum(1 for _, _, row in records[header.header_rows:] if any(cell.strip() for cell in row))

