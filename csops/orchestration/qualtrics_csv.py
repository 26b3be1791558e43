"""A Qualtrics response export's file read: its header rows, and its rows delimited as its CSV is
written (csops/orchestration/qualtrics.py places and loads the export, csops/orchestration/qualtrics_rows.py
checks each row).

The rows under the names are header rows only when they are: the question texts (no response id,
no date where the dates are, and text there: Qualtrics writes "Response ID", "Recorded Date")
and the ImportId JSON objects, in that order, each optional. A row that is neither is a response:
an export cut down to its names row loses no response.

Reading never fails a file over one row, and the recount (``qualtrics.count_records``, which
the reconciliation holds against loaded + rejected) reads with the same code:

- The text comes unpacked and decoded by csops/orchestration/deliveries.py (bytes that are not UTF-8
  kept as lone surrogates). A UTF-16 file (byte-order mark FF FE or FE FF: Excel's "Unicode
  text", a TSV download) is decoded as UTF-16; byte-order marks before the names are dropped.
  Tab-separated names mean a tab-separated file.
- A line ends at LF or CRLF (at CR in a file that has no LF). Blank and whitespace-only lines,
  and rows whose every field is empty, are no responses: skipped by reading and recounting alike.
- A quoted field may hold line breaks (a multi-line comment). A quote left open would swallow
  the rows after it: a line inside such a field that starts as a response does (its first field
  shaped as the export's first column: a date, a response id, then the delimiter) ends the broken
  row there, which is rejected alone, and reading resumes at that line. (A comment line that
  starts as a response row would be taken for one: its row is then rejected, never lost.)
- No field size limit: a long comment is a comment (the csv module's 128 KiB limit is not used).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from csops.orchestration.files import UnreadableFile, undecodable_reason, unpacked_text
from csops.orchestration.loading import LandingError

# The legacy layout's standard columns. V2 (ResponseSet) and V3 (Name) have no current
# equivalent: they are kept among the answers under those names. It has no RecordedDate:
# staging takes EndDate, when the response was submitted.
LEGACY_COLUMNS = {"V1": "ResponseId", "V2": "ResponseSet", "V3": "Name", "V4": "ExternalReference",
                  "V5": "RecipientEmail", "V6": "IPAddress", "V7": "Status", "V8": "StartDate", "V9": "EndDate",
                  "V10": "Finished"}
DATE_COLUMNS = ("RecordedDate", "EndDate", "StartDate")  # the first is the response's time
RESPONSE_ID = re.compile(r"R_[A-Za-z0-9]+")
# What starts a response row, by the export's first column: Qualtrics' dates (or as a
# spreadsheet re-saved them), or a response id (the legacy layout's V1).
_DATE_START = (r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}"
               r"|[0-9]{1,2}/[0-9]{1,2}/[0-9]{2,4} [0-9]{1,2}:[0-9]{2})")
_SURROGATES = re.compile("[\ud800-\udfff]")
_UTF16_BOMS = ("\udcff\udcfe", "\udcfe\udcff")  # FF FE, FE FF as surrogateescape decodes them


@dataclass(frozen=True)
class ExportHeader:
    """A response export's header rows, read: the columns under the names csops keys them by."""

    names: tuple[str, ...]  # the current layout's standard names for the legacy V-columns
    import_ids: tuple[str | None, ...]  # per column; all None in the legacy layout or with no ImportId row
    header_rows: int  # rows the header takes: the names, and the question texts and ImportIds present
    timezone: str | None  # from the ImportId row's "timeZone", when the export names one
    is_legacy: bool = False
    has_import_id_row: bool = False


@dataclass(frozen=True)
class Export:
    header: ExportHeader
    rows: list[CsvRow]  # the responses, as the file delimits them


@dataclass(frozen=True)
class CsvRow:
    """One row as the file delimits it, with the lines it spans (1-based) and its text as written."""

    line: int
    last_line: int
    text: str
    fields: tuple[str, ...]
    malformed: str | None = None  # why the reader could not delimit it (then fields is empty)


def export_text(path: Path) -> str:
    """The export's text (UnreadableFile if it cannot be unpacked): see the module's docstring."""
    text = unpacked_text(path)
    if text.startswith(_UTF16_BOMS):
        try:
            text = text.encode("utf-8", "surrogateescape").decode("utf-16")
        except UnicodeError:
            pass  # not UTF-16 after all: its rows are rejected as not UTF-8
    return text.lstrip("\ufeff")


def read_export(path: Path, file_name: str, header_only: bool = False) -> Export | None:
    """The export's header and its response rows (None for a file with no line); LandingError
    for a file that cannot be read at all."""
    try:
        text = export_text(path)
    except UnreadableFile as error:
        raise LandingError(f"{file_name}: {error}") from error
    except OSError as error:  # gone or unreadable since it was listed
        raise LandingError(f"{file_name}: cannot be read ({error.strerror})") from error
    lines = physical_lines(text)
    first = next((index for index, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return None
    delimiter = delimiter_of(lines[first])
    resume, names_row = next(read_rows(lines, delimiter, first), (len(lines), CsvRow(first + 1, first + 1, "", ())))
    if reason := undecodable_reason(names_row.text):
        raise LandingError(f"{file_name}: its row of column names (line {names_row.line}) is {reason}")
    names = [cell.strip().strip("\ufeff").strip() for cell in names_row.fields]
    is_legacy = names[:2] == ["V1", "V2"]
    names = [LEGACY_COLUMNS.get(name, name) for name in names] if is_legacy else names
    rows = read_rows(lines, delimiter, resume, response_start(names[0] if names else "", delimiter))
    following = [row for _, row in islice(rows, 2)]
    header = read_header(names, following, is_legacy)
    if header.has_import_id_row and (reason := undecodable_reason(following[header.header_rows - 2].text)):
        raise LandingError(f"{file_name}: its ImportId row (line {following[header.header_rows - 2].line}) is {reason}")
    responses = following[header.header_rows - 1:]
    return Export(header, responses if header_only else responses + [row for _, row in rows])


def read_header(names: list[str], following: list[CsvRow], is_legacy: bool = False) -> ExportHeader:
    """The layout from the names and the rows after them: the question texts and the ImportIds,
    each when the row is one (see the module's docstring)."""
    metadata = 1 if following and _is_texts_row(names, following[0]) else 0
    import_ids = _import_id_cells(following[metadata]) if not is_legacy and len(following) > metadata else None
    if import_ids is None:
        return ExportHeader(tuple(names), (None,) * len(names), 1 + metadata, None, is_legacy)
    zones = {}
    for cell in following[metadata].fields:
        value = json.loads(cell) if cell.strip() else {}
        zones[value.get("ImportId")] = value.get("timeZone")
    timezone = next((zones[key] for key in ("recordedDate", "endDate", "startDate") if zones.get(key)), None)
    padded = (tuple(import_ids) + (None,) * len(names))[:len(names)]
    return ExportHeader(tuple(names), padded, 2 + metadata, timezone if timezone is None else str(timezone),
                        is_legacy, True)


def _is_texts_row(names: list[str], row: CsvRow) -> bool:
    """Whether a row is the question texts: no response id where it is, nothing digit-led where
    the dates are, and yet some text there (Qualtrics writes "Response ID", "Recorded Date")."""
    if row.malformed or _import_id_cells(row) is not None:
        return False
    values = dict(zip(names, (cell.strip() for cell in row.fields)))
    response_id = values.get("ResponseId", "")
    if RESPONSE_ID.fullmatch(response_id) or any(values.get(name, "")[:1].isdigit() for name in DATE_COLUMNS):
        return False
    return bool(response_id) or any(values.get(name) for name in DATE_COLUMNS)


def _import_id_cells(row: CsvRow) -> list[str | None] | None:
    """The ImportId of each cell if the row is the ImportId row (every non-empty cell an object with one)."""
    if row.malformed or not any(cell.strip() for cell in row.fields):
        return None
    import_ids = [_import_id(cell) if cell.strip() else None for cell in row.fields]
    return import_ids if all(i for i, cell in zip(import_ids, row.fields) if cell.strip()) else None


def _import_id(cell: str) -> str | None:
    try:
        value = json.loads(cell)
    except ValueError:
        return None
    found = value.get("ImportId") if isinstance(value, dict) else None
    return found if isinstance(found, str) and found else None


def physical_lines(text: str) -> list[str]:
    if "\n" in text:
        return [line.removesuffix("\r") for line in text.split("\n")]
    return text.split("\r")


def delimiter_of(names_line: str) -> str:
    return "\t" if names_line.count("\t") > names_line.count(",") else ","


def response_start(first_column: str, delimiter: str) -> re.Pattern | None:
    """A line that starts as a response row does, by the export's first column (None: unknown)."""
    shape = _DATE_START if first_column in DATE_COLUMNS else "R_[A-Za-z0-9]+" if first_column == "ResponseId" else None
    return re.compile(f'"?{shape}[^"{re.escape(delimiter)}]*"?{re.escape(delimiter)}') if shape else None


def read_rows(lines: list[str], delimiter: str, start: int = 0, starts_response: re.Pattern | None = None,
              ) -> Iterator[tuple[int, CsvRow]]:
    """(index of the line after it, row) for each row from ``lines[start]`` on (see the module's docstring)."""
    index, count = start, len(lines)
    while index < count:
        line = lines[index]
        if '"' not in line or not _ends_quoted(line, delimiter, quoted=False):
            index += 1
            if line.strip() and _has_value(fields := fields_of(line, delimiter)):
                yield index, CsvRow(index, index, line, tuple(fields))
            continue
        end = index + 1  # the row runs on while its quoted field does
        while end < count and _ends_quoted(lines[end], delimiter, quoted=True):
            end += 1
        closed = end < count
        last = end if closed else count - 1
        resync = next((k for k in range(index + 1, last + 1) if starts_response.match(lines[k])),
                      None) if starts_response else None
        if resync is not None:
            yield resync, CsvRow(index + 1, resync, "\n".join(lines[index:resync]), (), (
                f"malformed CSV row: a quoted field opened on line {index + 1} is not closed before line "
                f"{resync + 1}, where the next response starts (an unterminated quote)"))
            index = resync
            continue
        text = "\n".join(lines[index:last + 1])
        if closed:
            if _has_value(fields := fields_of(text, delimiter)):
                yield last + 1, CsvRow(index + 1, last + 1, text, tuple(fields))
        else:
            yield last + 1, CsvRow(index + 1, last + 1, text, (), (
                f"malformed CSV row: a quoted field opened on line {index + 1} is not closed before the end of "
                f"the file (an unterminated quote)"))
        index = last + 1


def _has_value(fields: list[str]) -> bool:
    return any(field.strip() for field in fields)


def _ends_quoted(line: str, delimiter: str, quoted: bool) -> bool:
    """Whether a line, entered inside a quoted field or not, ends inside one. The csv module's
    rules: a quote opens a field only at its start; "" inside it is a quote; after the closing
    quote the field runs on to the delimiter."""
    position = 0
    while True:
        if quoted:
            quote = line.find('"', position)
            if quote < 0:
                return True
            if line.startswith('"', quote + 1):
                position = quote + 2
                continue
            quoted, next_delimiter = False, line.find(delimiter, quote + 1)
        elif line.startswith('"', position):
            quoted, position = True, position + 1
            continue
        else:
            next_delimiter = line.find(delimiter, position)
        if next_delimiter < 0:
            return False
        position = next_delimiter + 1


def fields_of(text: str, delimiter: str) -> list[str]:
    """The fields of one row's text (its quoted fields closed): by the csv module where it can
    (it is fast), else by split_fields (a field past its size limit, a lone CR outside quotes)."""
    if '"' not in text:
        return text.split(delimiter)
    if len(text) < csv.field_size_limit():
        try:
            return next(csv.reader([text], delimiter=delimiter), [""])
        except csv.Error:
            pass
    return split_fields(text, delimiter)


def split_fields(text: str, delimiter: str) -> list[str]:
    """The fields of one row's text, by the csv module's rules (see _ends_quoted), with no size limit."""
    fields, position, end = [], 0, len(text)
    while True:
        if text.startswith('"', position):
            parts, position = [], position + 1
            while True:
                quote = text.find('"', position)
                if quote < 0:
                    parts.append(text[position:])
                    position = end
                    break
                parts.append(text[position:quote])
                if text.startswith('"', quote + 1):
                    parts.append('"')
                    position = quote + 2
                else:
                    position = quote + 1
                    break
            next_delimiter = text.find(delimiter, position)
            parts.append(text[position:next_delimiter if next_delimiter >= 0 else end])
            fields.append("".join(parts))
        else:
            next_delimiter = text.find(delimiter, position)
            fields.append(text[position:next_delimiter if next_delimiter >= 0 else end])
        if next_delimiter < 0:
            return fields
        position = next_delimiter + 1


def storable(text: str) -> str:
    """Text DuckDB can store: bytes that were not UTF-8 (lone surrogates) as U+FFFD."""
    return _SURROGATES.sub("\ufffd", text)
