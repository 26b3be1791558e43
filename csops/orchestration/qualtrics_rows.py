"""Each row of a Qualtrics response export checked, and a loaded row's values
(csops/orchestration/qualtrics_csv.py delimits the rows, csops/orchestration/qualtrics.py loads them).

The checks mirror what staging (stg_surveys__responses) reads: a score is accepted only if
staging will find it in seeds/survey_scales.csv (same trimming, spacing and case), a status only
if staging will match it, the response's time only if staging can read one; dates must exist
and be plausible. A row holding bytes that are not UTF-8 is rejected with the first of them.
Every value a reason quotes goes through csops.kernel.redaction.redact: a reason is kept and shown,
and a customer may type an email or a phone number anywhere (a value shaped as a date and time
is quoted as it is: it holds neither).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from csops.kernel.redaction import redact
from csops.orchestration.files import undecodable_reason
from csops.orchestration.qualtrics_csv import DATE_COLUMNS, CsvRow
from csops.orchestration.raw_tables import QUALTRICS_STANDARD_COLUMNS as STANDARD_COLUMNS

if TYPE_CHECKING:  # the header and placement are read by csops/orchestration/qualtrics.py
    from csops.orchestration.qualtrics import ExportHeader, Placement

QUALTRICS_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")
EARLIEST = datetime(2000, 1, 1)  # no contact center surveyed anyone by Qualtrics before
_STAGING_SPACE = re.compile(r"[\t\n\f\r ]+")  # what staging's regexp '\s+' matches


class SurveyScales:
    """The answers each scale accepts, as values or labels, and the response statuses that
    exist, from the seeds staging maps with (their rows given), matched as staging matches them."""

    def __init__(self, scale_rows: list[dict[str, str]], status_rows: list[dict[str, str]]) -> None:
        self.answers = {(row["scale"], staged_answer(row["answer"])): int(row["answer_value"]) for row in scale_rows}
        self.counted_statuses: dict[str, bool] = {}
        for row in status_rows:
            for spelling in (row["status_code"], row["status_label"]):
                self.counted_statuses[staged_status(spelling)] = row["is_counted"].strip().lower() == "true"

    def accepts(self, scale: str, answer: str) -> bool:
        return (scale, staged_answer(answer)) in self.answers


def shown(value: str) -> str:
    """A value as a reason quotes it: redacted, and in repr when it holds what cannot be seen."""
    value = redact(value) or ""
    return repr(value) if value != value.strip() or not value.isprintable() else value


def staged_answer(answer: str) -> str:
    """An answer as staging matches it against seeds/survey_scales.csv: trimmed of spaces,
    runs of ASCII whitespace as one space, lower case."""
    return _STAGING_SPACE.sub(" ", answer.strip(" ")).lower()


def staged_status(status: str) -> str:
    """A Status as staging matches it against seeds/survey_response_statuses.csv."""
    return status.strip(" ").lower()


def row_reason(header: ExportHeader, placement: Placement, scales: SurveyScales, row: CsvRow,
               loaded_at: datetime) -> str | None:
    """Why a data row cannot be loaded, or None."""
    if row.malformed:
        return row.malformed
    undecodable = undecodable_reason(row.text)
    if undecodable:
        return undecodable
    if len(row.fields) != len(header.names):
        return f"malformed CSV row: {len(row.fields)} fields, expected {len(header.names)}"
    values = dict(zip(header.names, (cell.strip() for cell in row.fields)))
    reasons = [] if values.get("ResponseId") else ['missing required field "ResponseId"']
    # Staging reads RecordedDate, or EndDate when the export has no RecordedDate column (legacy).
    time_column = "RecordedDate" if "RecordedDate" in header.names else "EndDate"
    if not values.get(time_column):
        reasons.append(f'missing required field "{time_column}"')
    reasons += [reason for name in DATE_COLUMNS if (reason := _date_reason(name, values.get(name), loaded_at))]
    status = values.get("Status", "")
    if status and staged_status(status) not in scales.counted_statuses:
        reasons.append(f'unknown response status "{shown(status)}": add it to seeds/survey_response_statuses.csv')
    contacts = []
    for column, index in placement.columns:
        answer = row.fields[index].strip()
        name = header.names[index]
        if column.measure == "contact_ref":
            contacts += [f'"{name}" = {shown(answer)}'] if answer else []
        elif answer and column.scale != "text" and not scales.accepts(column.scale, row.fields[index]):
            reasons.append(_score_reason(name, row.fields[index], column.measure, column.scale))
    # A preview, a test or spam is kept out of every KPI (staging): it need not name a contact.
    if scales.counted_statuses.get(staged_status(status), True):
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


def _date_reason(name: str, value: str | None, loaded_at: datetime) -> str | None:
    # A value shaped as a date holds no contact details: it is quoted as it is.
    if not value:
        return None
    if not QUALTRICS_DATE.fullmatch(value):
        return f'field "{name}" is not a date and time (YYYY-MM-DD hh:mm:ss): {shown(value)}'
    try:
        moment = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return f'impossible date: "{name}" = {value}'
    if moment < EARLIEST:
        return f'implausible timestamp: "{name}" = {value} (before 2000)'
    if moment > loaded_at + timedelta(days=1):
        return (f'implausible timestamp: "{name}" = {value} (more than a day after the load, '
                f"{loaded_at:%Y-%m-%d %H:%M} UTC)")
    return None


def _score_reason(name: str, answer: str, measure: str, scale: str) -> str:
    if any(character.isnumeric() and not "0" <= character <= "9" for character in answer):
        return (f'score not in ASCII digits: "{name}" = {shown(answer)} ({measure}, on the {scale} scale: scores '
                f"are written with the digits 0-9, or as a label of seeds/survey_scales.csv)")
    return (f'score out of range: "{name}" = {shown(answer)} ({measure}, on the {scale} scale: a value or a label '
            f"of seeds/survey_scales.csv)")


def response_values(header: ExportHeader, placement: Placement, row: tuple[str, ...], timezone: str | None) -> tuple:
    """The raw row, in the columns of raw.surveys_responses: the standard columns (null where
    the export has none), the survey, the dates' zone (null when the export does not say: staging
    takes the account's), and every other column as exported, by name and by ImportId."""
    standard = {name: value for name, value in zip(header.names, row) if name in STANDARD_COLUMNS}
    others = [(name, import_id, value) for name, import_id, value in zip(header.names, header.import_ids, row)
              if name not in STANDARD_COLUMNS]
    by_import_id = {import_id: value for _, import_id, value in others if import_id}
    return (*(standard.get(name) for name in STANDARD_COLUMNS), placement.survey_key, timezone,
            json.dumps({name: value for name, _, value in others}, ensure_ascii=False),
            json.dumps(by_import_id, ensure_ascii=False) if by_import_id else None)
