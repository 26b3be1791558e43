"""A landing day's file as the defects injector sees it: its format (which faults its records
can take), its records as units of physical lines, each record faulted or not, and its lines put
back together with the manifest's rows (csops/simulator/defects.py's table says which and why)."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import PurePosixPath

from csops.simulator import exports
from csops.simulator.csv_defects import BLANK_LINE_SHARE, QualtricsCsvFile, blank_line, csv_fields, fault_csv_record
from csops.simulator.defect_kinds import EXPECTED, Defect, Fault
from csops.simulator.json_defects import JsonLinesFile, Usernames, fault_json_record

# Keyed by the export: a Zendesk endpoint, a Connect stream's folder, a CSV file's name.
FILE_FORMATS: dict[str, JsonLinesFile | QualtricsCsvFile] = {
    "tickets": JsonLinesFile(("id", "created_at"), channel_field="via.channel", can_be_empty=True,
                             integer_ids=("requester_id", "assignee_id", "group_id")),
    "ticket_audits": JsonLinesFile(("ticket_id",), can_be_empty=True),
    "users": JsonLinesFile(("id",)),
    "groups": JsonLinesFile(("id",)),
    "group_memberships": JsonLinesFile(("user_id", "group_id")),
    "contact_records": JsonLinesFile(
        ("ContactId", "InitiationTimestamp"), channel_field="Channel", can_be_empty=True, contact_record=True,
        nested_timestamps=("Agent.ConnectedToAgentTimestamp", "Queue.EnqueueTimestamp"),
        durations=("Agent.AgentInteractionDuration", "Queue.Duration"), string_key="ContactId"),
    "agent_events": JsonLinesFile(("EventTimestamp",), can_be_empty=True),
    "responses.csv": QualtricsCsvFile(
        header_rows=3,
        required_fields=("ResponseId",),
        score_columns=(("Q1", ("0", "7")), ("Q2", ("11",)), ("Q3", ("0", "9"))),
        text_column="Q5_TEXT",
        can_be_empty=True,
        latin1_columns=("RecipientFirstName", "RecipientLastName", "Q5_TEXT"),
        date_column="RecordedDate",
        open_quote_column="Q5_TEXT",
        can_hold_blank_lines=True,
    ),
    "distributions.csv": QualtricsCsvFile(header_rows=1, text_column="RecipientEmail", can_be_empty=True),
}


@dataclass(frozen=True)
class Unit:
    """A stretch of physical lines: one record, or lines that are not records (headers, blanks)."""

    lines: tuple[str, ...]
    is_record: bool


@dataclass
class Piece:
    """What a unit became: its lines, the rows they hold (``row_ends``: the indexes of the lines
    rows end on), and its fault, if it got one."""

    lines: list[str]
    records: int
    row_ends: list[int]
    fault: Fault | None = None
    blank_before: str | None = None  # a blank line written before it (blank_lines)


def format_of(name: str) -> JsonLinesFile | QualtricsCsvFile | None:
    return FILE_FORMATS.get(exports.export_of(name) or PurePosixPath(name).name)


def one_per_line(name: str) -> bool:
    """Whether the file is written a record (or CSV line) per line; else all its records are on line 1."""
    return exports.export_of(name) is None or isinstance(format_of(name), QualtricsCsvFile)


def units_of(name: str, lines: list[str]) -> list[Unit]:
    file_format = format_of(name)
    if isinstance(file_format, JsonLinesFile):
        return [Unit((line,), is_record=bool(line.strip())) for line in lines]
    # A quoted CSV field may hold a newline, so one record can span several physical lines.
    units = []
    reader = csv.reader(line + "\n" for line in lines)
    consumed = 0
    for index, _ in enumerate(reader):
        stretch = tuple(lines[consumed:reader.line_num])
        consumed = reader.line_num
        units.append(Unit(stretch, is_record=index >= file_format.header_rows and any(s.strip() for s in stretch)))
    return units


def inject_records(rng: random.Random, name: str, units: list[Unit], rate: float, usernames: Usernames
                    ) -> list[Piece]:
    file_format = format_of(name)
    header: list[str] = []
    if isinstance(file_format, QualtricsCsvFile) and units:
        header = csv_fields(units[0].lines)
    pieces: list[Piece] = []
    broke_last = False  # whether the record just written was cut short
    for unit in units:
        if not unit.is_record or rng.random() >= rate:
            pieces.append(Piece(list(unit.lines), int(unit.is_record), [len(unit.lines) - 1]))
            broke_last = False
            continue
        if isinstance(file_format, JsonLinesFile):
            # Two records cut short in a row read as one broken stretch: the second never parses,
            # so no reader can tell where it starts. A broken record is followed by a whole one.
            in_object = exports.is_firehose_object(name)
            fault = fault_json_record(rng, file_format, unit.lines[0], usernames, in_object,
                                      can_break=in_object and not broke_last)
            broke_last = fault.kind == "malformed_json"
        else:
            fault = fault_csv_record(rng, file_format, header, unit.lines)
        # A copy repeats the unit's rows; any other fault writes one row.
        row_ends = ([len(unit.lines) - 1, 2 * len(unit.lines) - 1] if fault.records == 2 and len(fault.lines) > 1
                    else [len(fault.lines) - 1])
        pieces.append(Piece(fault.lines, fault.records, row_ends, fault))
    return pieces


def add_blank_lines(rng: random.Random, pieces: list[Piece]) -> None:
    """A CSV export with CRLF row ends and blank lines between its rows: a blank line goes
    before some rows with no fault (not the first), so the row after it is the one to load."""
    clean = [piece for piece in pieces if piece.records and piece.fault is None]
    chosen = [piece for piece in clean[1:] if rng.random() < BLANK_LINE_SHARE]
    if not chosen and len(clean) > 1:
        chosen = [rng.choice(clean[1:])]
    if not chosen:
        return  # no row for a blank line to precede: the file is written as exported
    for piece in chosen:
        piece.blank_before = blank_line(rng)
    for piece in pieces:
        for index in piece.row_ends:
            piece.lines[index] += "\r"


def assembled(name: str, pieces: list[Piece]) -> tuple[list[str], list[Defect]]:
    """The file's lines, and the manifest's rows with the lines and records they end up on."""
    out: list[str] = []
    defects: list[Defect] = []
    records = 0
    crlf = "\r" if any(piece.blank_before is not None for piece in pieces) else ""
    for piece in pieces:
        if piece.blank_before is not None:
            out.append(piece.blank_before + crlf)
            defects.append(Defect("blank_lines", name, len(out), records + 1,
                                  f"a blank line ({piece.blank_before!r}) before record {records + 1}, "
                                  "in a file whose rows end in CRLF", EXPECTED["blank_lines"]))
        if piece.fault is not None:
            fault = piece.fault
            line = len(out) + fault.line_offset + 1 if one_per_line(name) else 1
            defects.append(Defect(fault.kind, name, line, records + fault.record_offset + 1, fault.detail,
                                  EXPECTED[fault.kind]))
        out.extend(piece.lines)
        records += piece.records
    return out, defects
