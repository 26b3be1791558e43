"""The faults one row of a Qualtrics CSV export can get (csops/simulator/defects.py's table says where and why)."""

from __future__ import annotations

import csv
import io
import json
import random
import re
from dataclasses import dataclass
from datetime import datetime

from csops.simulator.defect_kinds import Fault
from csops.simulator.json_defects import LATIN1_ACCENTS

# The zero of scripts whose digits Python's int() reads as it reads 0-9: Arabic-Indic,
# Extended Arabic-Indic (Persian), Devanagari, Bengali, fullwidth.
UNICODE_ZEROS = (0x0660, 0x06F0, 0x0966, 0x09E6, 0xFF10)
QUALTRICS_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}:\d{2}:\d{2})")
# (month, day) no year has; 29 February is added in a year that has none.
IMPOSSIBLE_DAYS = ((2, 30), (2, 31), (4, 31), (6, 31), (9, 31), (11, 31))
# What a customer might have typed in a comment the exporter opened a quote on, when theirs was empty.
OPENED_COMMENTS = ("Thanks for the help", "Quick and friendly", "Still waiting on a refund")
# What a blank line between a CSV export's rows holds (before its CRLF), and the share of rows it precedes.
BLANK_LINES = ("", " ", "  ", "\t", " \t ")
BLANK_LINE_SHARE = 0.05


@dataclass(frozen=True)
class QualtricsCsvFile:
    """A Qualtrics CSV export, and the columns its faults touch."""

    header_rows: int
    required_fields: tuple[str, ...] = ()
    # column -> values off its scale
    score_columns: tuple[tuple[str, tuple[str, ...]], ...] = ()
    text_column: str | None = None  # where a stray comma lands
    can_be_empty: bool = False
    latin1_columns: tuple[str, ...] = ()  # text a Latin-1 export writes a byte of
    date_column: str | None = None  # the response's date, YYYY-MM-DD hh:mm:ss
    open_quote_column: str | None = None  # the free text a quote is opened in and never closed
    can_hold_blank_lines: bool = False


def fault_csv_record(rng: random.Random, file_format: QualtricsCsvFile, header: list[str],
                     lines: tuple[str, ...]) -> Fault:
    """A fault of a kind drawn among those that apply to the row ``lines``."""
    fields = csv_fields(lines)
    found: dict[str, list] = {"duplicate_record": [True], "malformed_csv_row": [True]}
    if len(fields) == len(header):
        column = {name: index for index, name in enumerate(header)}
        found["missing_required_field"] = [c for c in file_format.required_fields if c in column and fields[column[c]]]
        found["out_of_range_score"] = [(c, values) for c, values in file_format.score_columns if c in column]
        found["non_ascii_score"] = [c for c, _ in file_format.score_columns
                                    if c in column and fields[column[c]].isascii() and fields[column[c]].isdigit()]
        found["non_utf8_bytes"] = [(c, at) for c in file_format.latin1_columns if c in column
                                   for at, letter in enumerate(fields[column[c]]) if letter in LATIN1_ACCENTS]
        date = file_format.date_column
        found["impossible_date"] = [date] if date in column and QUALTRICS_DATE.fullmatch(fields[column[date]]) else []
        found["unterminated_quote"] = [file_format.open_quote_column] if _can_open_quote(
            file_format.open_quote_column, header, fields) else []
    kind = rng.choice([kind for kind, where in found.items() if where])
    where = rng.choice(found[kind])

    if kind == "duplicate_record":
        return Fault(kind, [*lines, *lines], "the record again, right after itself", len(lines), 1, 2)
    if kind == "malformed_csv_row":
        if len(fields) > 1 and rng.random() < 0.5:
            fields = fields[:-1]  # a row cut short
        else:
            # A comma in a text field, written without quotes: the field splits in two.
            at = header.index(file_format.text_column) if file_format.text_column in header else len(fields) - 1
            at = min(at, len(fields) - 1)
            text = fields[at]
            split = len(text) // 2
            fields = [*fields[:at], text[:split], text[split:], *fields[at + 1:]]
        return Fault(kind, csv_lines(fields), f"row has {len(fields)} fields, the header has {len(header)}")
    if kind == "unterminated_quote":
        at = header.index(where)
        # The comment on one line, holding no quote: only the one opened, so it is never closed.
        text = " ".join(fields[at].replace('"', "").split()) or rng.choice(OPENED_COMMENTS)
        before = csv_lines(fields[:at])[0] + "," if at else ""
        line = before + '"' + text + "".join("," + field for field in fields[at + 1:])
        return Fault(kind, [line], f'field "{where}" opens a quote it never closes: "{text} ... (the rows after it are whole)')
    if kind == "non_utf8_bytes":
        column, at = where
        index = header.index(column)
        old = fields[index]
        accented = LATIN1_ACCENTS[old[at]]
        fields[index] = old[:at] + chr(0xDC00 + ord(accented)) + old[at + 1:]  # its Latin-1 byte (exports.packed)
        detail = (f'field "{column}" = {json.dumps(old[:at] + accented + old[at + 1:])} written in Latin-1: '
                  f'"{accented}" as the byte 0x{ord(accented):02x} at character {at + 1} (was {json.dumps(old)})')
        return Fault(kind, csv_lines(fields), detail)
    if kind == "missing_required_field":
        index = header.index(where)
        old, fields[index] = fields[index], ""
        return Fault(kind, csv_lines(fields), f'field "{where}" blanked (was {json.dumps(old)})')
    column = where[0] if kind == "out_of_range_score" else where
    index = header.index(column)
    old = fields[index]
    if kind == "out_of_range_score":
        fields[index] = rng.choice(where[1])
    elif kind == "non_ascii_score":
        zero = rng.choice(UNICODE_ZEROS)
        fields[index] = "".join(chr(zero + int(digit)) for digit in old)
    else:
        fields[index] = _impossible_date(rng, old)
    return Fault(kind, csv_lines(fields), f'field "{column}" = {json.dumps(fields[index])} (was {json.dumps(old)})')


def _can_open_quote(column: str | None, header: list[str], fields: list[str]) -> bool:
    """Whether a quote opened in ``column`` leaves the row on one line, and no field after it
    would be quoted (a quote there would close the one opened)."""
    if column not in header:
        return False
    at = header.index(column)
    return (not any(character in field for field in fields[:at] for character in "\r\n")
            and not any(character in field for field in fields[at + 1:] for character in ',"\r\n'))


def _impossible_date(rng: random.Random, text: str) -> str:
    year, _, _, clock = QUALTRICS_DATE.fullmatch(text).groups()
    days = list(IMPOSSIBLE_DAYS)
    if not _is_leap(int(year)):
        days.append((2, 29))
    month, day = rng.choice(days)
    return f"{year}-{month:02d}-{day:02d} {clock}"


def _is_leap(year: int) -> bool:
    try:
        datetime(year, 2, 29)
    except ValueError:
        return False
    return True


def blank_line(rng: random.Random) -> str:
    return rng.choice(BLANK_LINES)


def csv_fields(lines: tuple[str, ...]) -> list[str]:
    return next(csv.reader(line + "\n" for line in lines), [])


def csv_lines(fields: list[str]) -> list[str]:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(fields)
    return out.getvalue()[:-1].split("\n")
