"""Qualtrics response exports, read as Qualtrics delivers them, into ``raw.surveys_responses``.

A response export's columns depend on the survey: the standard columns (``StartDate`` ...
``UserLanguage``; an anonymous survey lacks ``IPAddress``, ``Recipient*``,
``ExternalReference`` and ``Location*``), then the questions, named by their author or by
QID (``Q1``, ``Q3_4``, ``Q5_TEXT``, ``Q2 - Topics``), then embedded data under the author's
names. Current exports have three header rows (names, question texts, an ImportId JSON per
column, whose ``timeZone`` says the zone of the dates); the legacy layout names its standard
columns ``V1``..``V10`` and has two.

The header and the rows are read by csops/orchestration/qualtrics_csv.py (where a row under the names
is a header row only when it is one), each row checked by csops/orchestration/qualtrics_rows.py. An
export with no ImportId row (cut down to its names, say) has its dates read in the zone the
survey's other landed exports name (the account's, as for any export naming none); if those
exports disagree, it is refused saying so.

Which survey a file is, and which of its columns are CSAT, NPS, CES, resolved, comment and
the contact surveyed, is configuration the center edits: ``seeds/survey_question_map.csv``.
A file is the survey whose every mapped column it has (by name or by ImportId); the survey
mapping the most columns wins. Answers may be values or choice-text labels
(``seeds/survey_scales.csv``); ``Status`` a code or its label
(``seeds/survey_response_statuses.csv``). The loader checks; staging maps.

Each data row is loaded (standard columns, absent ones null; every other column kept in
``answers``, by name, and ``answers_by_import_id``) or rejected with its reason. A file
csops cannot place (no mapped survey, a zone no one knows, column names that are not UTF-8)
is listed with one message saying what to add or fix; the other files load.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from csops.orchestration.landing import day_of_name, source_files
from csops.orchestration.loading import PROVENANCE_COLUMNS, LandingError
from csops.orchestration.qualtrics_csv import ExportHeader, read_export, storable
from csops.orchestration.qualtrics_rows import SurveyScales, response_values, row_reason
from csops.kernel.paths import PROJECT_ROOT
from csops.orchestration.raw_tables import QUALTRICS_STANDARD_COLUMNS as STANDARD_COLUMNS
from csops.orchestration.raw_tables import RawTable

SEEDS = PROJECT_ROOT / "seeds"
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
class Placement:
    """Which mapped survey a file is, and the column index of each of its mapped measures."""

    survey_key: str
    columns: tuple[tuple[MappedColumn, int], ...]


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def mapped_surveys() -> dict[str, list[MappedColumn]]:
    """seeds/survey_question_map.csv, by survey: read at each load, as the center may have edited it."""
    surveys: dict[str, list[MappedColumn]] = {}
    for row in _seed("survey_question_map"):
        column = MappedColumn(*(row[name].strip() for name in (
            "survey_key", "measure", "column_name", "import_id", "scale", "contact_system")))
        surveys.setdefault(column.survey_key, []).append(column)
    return surveys


def place(header: ExportHeader, surveys: dict[str, list[MappedColumn]], file_name: str) -> Placement:
    """The mapped survey this export is: the one whose every mapped column it has, by name or
    ImportId (the one mapping most columns, if several do). Anything else: one clear error."""
    if "ResponseId" not in header.names:
        near = _near_miss("ResponseId", header.names) or _near_miss("V1", header.names)
        raise LandingError(
            f"{file_name}: not a Qualtrics response export: no ResponseId column (V1 in the legacy layout)"
            f"{f' (it has {near!r}: invisible characters or spacing differ)' if near else ''}. "
            f"Its columns: {', '.join(_shown_name(name) for name in header.names[:25]) or 'none'}")
    placements, closest = [], None
    for key, mapped in surveys.items():
        found = [(column, _column_index(header, column)) for column in mapped]
        missing = [column for column, index in found if index is None]
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
        columns = ", ".join(_shown_name(name) + (f" ({import_id})" if import_id and import_id != name else "")
                            for name, import_id in zip(header.names, header.import_ids) if name not in STANDARD_COLUMNS)
        hint = ""
        if closest:
            lacking = [f"{column.label} (it has {near!r}: invisible characters or spacing differ)"
                       if (near := _near_miss(column.column_name, header.names)) else column.label
                       for column in closest[1]]
            hint = f" The closest mapped survey, {closest[0]}, lacks {', '.join(lacking)}."
            if not header.has_import_id_row and any(not column.column_name for column in closest[1]):
                hint += (" The export has no ImportId row (the third header row Qualtrics writes), so columns "
                         "mapped by ImportId cannot be found: download it again with its three header rows.")
        raise LandingError(f"{file_name}: a Qualtrics export of a survey csops has no mapping for: {MAPPING_HELP}. "
                           f"Its questions and embedded data: {columns or 'none'}.{hint}")
    return placements[0]


def _visible(name: str) -> str:
    return "".join(c for c in name if unicodedata.category(c)[0] not in "CZ").casefold()


def _near_miss(wanted: str, names: tuple[str, ...]) -> str | None:
    """A column that is ``wanted`` but for invisible characters, spacing or case."""
    return next((name for name in names if wanted and name != wanted and _visible(name) == _visible(wanted)), None)


def _shown_name(name: str) -> str:
    return repr(name) if name != name.strip() or not name.isprintable() else name


def _column_index(header: ExportHeader, column: MappedColumn) -> int | None:
    for index, (name, import_id) in enumerate(zip(header.names, header.import_ids)):
        if (column.column_name and name == column.column_name) or (column.import_id and import_id == column.import_id):
            return index
    return None


def load_csv(con, table: RawTable, files: list[Path], prefix: str, source: str, run_id: str,
             started_at: datetime) -> None:
    """Load Qualtrics response exports into ``raw.<table>``: each data row loaded or rejected."""
    surveys, scales = mapped_surveys(), SurveyScales(_seed("survey_scales"), _seed("survey_response_statuses"))
    loaded, rejected = [], []
    for path in files:
        file_name = str(path).replace(prefix, "", 1)
        try:
            export = read_export(path, file_name)
            if export is None:  # an empty file: a day with no response
                continue
            header = export.header
            placement = place(header, surveys, file_name)
            timezone = header.timezone
            if timezone is not None:
                _check_timezone(timezone, file_name)
            elif not header.is_legacy and not header.has_import_id_row:
                timezone = _zone_of_survey(Path(prefix), source, placement.survey_key, surveys, file_name)
        except LandingError as error:
            raise LandingError(storable(str(error))) from error
        landing_date = day_of_name(file_name)
        for record_number, row in enumerate(export.rows, 1):
            reason = row_reason(header, placement, scales, row, started_at)
            if reason:
                rejected.append((run_id, source, table.table_name, file_name, landing_date, row.line, record_number,
                                 storable(row.text), storable(reason)))
            else:
                loaded.append((*response_values(header, placement, row.fields, timezone), file_name, row.line,
                               record_number, landing_date, run_id, started_at))
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


def _zone_of_survey(landing: Path, source: str, survey_key: str, surveys: dict[str, list[MappedColumn]],
                    file_name: str) -> str | None:
    """The dates' zone of an export with no ImportId row: the one the survey's other landed
    exports name (None, the account's, when they name none). Refused if they disagree."""
    zones: dict[str | None, str] = {}
    for other in source_files(landing, source)[0]:
        if other.name == file_name:
            continue
        try:
            export = read_export(other.path, other.name, header_only=True)
            if export and export.header.has_import_id_row and \
                    place(export.header, surveys, other.name).survey_key == survey_key:
                zones.setdefault(export.header.timezone, other.name)
        except LandingError:
            continue  # not an export of this survey, or listed when its own day loads
    if len(zones) > 1:
        named = ", ".join(f"{zone or 'the account zone'} ({name})" for zone, name in zones.items())
        raise LandingError(
            f"{file_name}: no ImportId row under its column names (the header row that says the dates' time zone), "
            f"and the other exports of survey {survey_key} give different zones: {named}. Download it again "
            f"with its three header rows")
    return next(iter(zones), None)


def count_records(path: Path) -> int:
    """Response rows in an export, counted from the file again, delimited as the load delimits
    them (every one is loaded or rejected): for the reconciliation check. A file the load
    refused has none."""
    try:
        export = read_export(path, str(path))
    except LandingError:
        return 0
    return len(export.rows) if export else 0
