"""Faults injected into one landing day of exports, and the manifest of what was injected.

``csops simulate --defects RATE`` passes each day's files through :func:`inject_defects`
before they are packed and written. A day's JSON files come as one record per unit (an API
page's records, a Firehose object's records), CSV files as lines; the injector parses a record
only when it has chosen to change it, so it never depends on how the simulator built the data.
Each fault becomes one :class:`Defect` row in the manifest, naming the file, the record (its
1-based place in the file, as csops's ``_source_record``) and the physical line where the fault
can be seen (in a Firehose object or an API page every record is on line 1), and how csops must
treat it.
``rejected:`` and ``handled:`` kinds are the loader's to catch, row by row. The last three
kinds leave every row well-formed on its own, so the loader loads them, and only the
data-quality checks after the load can see them: a ``blocked:`` kind must stop publication,
and a ``warned:`` kind must be reported without blocking it. This table is the contract the
loader's and the checks' tests hold csops to:

| kind | where | what changes | expected |
|---|---|---|---|
| `duplicate_record` | every JSONL file, both CSVs | the record again, right after itself (line = the copy) | handled: deduplicated in staging |
| `malformed_json` | every Firehose object (an API page is one HTTP response: its records cannot break alone) | the record cut short mid-way, the next record following at once (never right after a `:`, `,` or `[`, nor after another cut record: there no reader can tell where the next one starts) | rejected: malformed JSON |
| `malformed_csv_row` | `responses.csv`, `distributions.csv` | one field too few (a truncated row) or too many (an unquoted comma in a text field) | rejected: malformed CSV row |
| `unknown_channel` | `tickets.jsonl` (`via.channel`), `contact_records.jsonl` (`Channel`) | a spelling not in `seeds/channel_map.csv`, even after trimming and case-folding | rejected: unknown channel |
| `missing_required_field` | tickets `id`/`created_at`; audits `ticket_id`; users, groups `id`; group memberships `user_id`/`group_id`; contact records `ContactId`/`InitiationTimestamp`; agent events `EventTimestamp`; responses `ResponseId` | the JSON key removed; the CSV field left blank | rejected: missing required field |
| `out_of_range_score` | `responses.csv`: `Q1` (1-5), `Q2` (0-10), `Q3` (1-7) | `Q1` = 0 or 7, `Q2` = 11, `Q3` = 0 or 9 | rejected: score out of range |
| `timestamp_with_offset` | every JSONL file, a top-level `...Z` timestamp | the same instant written with a non-zero offset (`2026-01-05T09:03:00-05:00`) | handled: converted to UTC |
| `timestamp_without_zone` | every JSONL file, a top-level `...Z` timestamp | the `Z` dropped (`2026-01-05T14:03:00`): the instant is ambiguous | rejected: timestamp without a timezone |
| `late_file` | any file named above that has records; at most one a day | the file's last records held back (`withheld`); the caller writes them on the next day's run into a file of their own in the same day (`exports.late_name`: a new Firehose object in the same hour folder, a later API page, a second CSV export with its header rows) | handled: loaded into its day when it arrives |
| `empty_file` | a file that can be empty on a quiet day: tickets, audits, contact records, agent events, responses, distributions; at most one a day | the file written with no records, headers included: 0 bytes, an API page's envelope around an empty list, a gzip of nothing (line and record = None) | handled: loaded as zero rows |
| `conflicting_version` | `contact_records.jsonl`, a record with a `DisconnectTimestamp` | the record again, right after itself, with the same `ContactId` and `LastUpdateTimestamp` but its `DisconnectTimestamp` 1-30 minutes later (line = the copy) | blocked: two versions of one contact record disagree |
| `ended_before_start` | `contact_records.jsonl`, a record with both `InitiationTimestamp` and `DisconnectTimestamp` | `DisconnectTimestamp` set 1-60 minutes before `InitiationTimestamp` (still `...Z`) | blocked: a contact ends before it starts |
| `unknown_agent` | `contact_records.jsonl`, a record whose `Agent` has a `Username` | `Agent.Username` replaced by `agent.unknown.<n>`, a username no user in the day's users pages has (a username is the local part of a user's email; the simulator never makes one like it) | warned: an agent unknown to the CRM |

Rates: each record gets a fault with probability ``rate``, its kind drawn uniformly among
the kinds that apply to that record (a record without a timestamp cannot get a
timestamp fault); one file a day is late with probability ``min(1, 10 * rate)`` and one
is emptied with probability ``min(1, 5 * rate)``, never the same one. An emptied file gets
no record faults, and the records a late file holds back arrive as exported. CSV header
rows are never touched. Timestamp faults touch top-level fields only: nested objects (a
contact record's ``Queue``, ``Agent``) stay as exported; only ``unknown_agent`` changes one
(``Agent.Username``). Qualtrics dates never carry a zone, so CSVs get no timestamp faults.
Files not named in ``FILE_FORMATS`` pass through.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import PurePosixPath

from simulator import exports

KINDS = (
    "duplicate_record",
    "malformed_json",
    "malformed_csv_row",
    "unknown_channel",
    "missing_required_field",
    "out_of_range_score",
    "timestamp_with_offset",
    "timestamp_without_zone",
    "late_file",
    "empty_file",
    "conflicting_version",
    "ended_before_start",
    "unknown_agent",
)
FILE_KINDS = ("late_file", "empty_file")

EXPECTED = {
    "duplicate_record": "handled: deduplicated in staging",
    "malformed_json": "rejected: malformed JSON",
    "malformed_csv_row": "rejected: malformed CSV row",
    "unknown_channel": "rejected: unknown channel",
    "missing_required_field": "rejected: missing required field",
    "out_of_range_score": "rejected: score out of range",
    "timestamp_with_offset": "handled: converted to UTC",
    "timestamp_without_zone": "rejected: timestamp without a timezone",
    "late_file": "handled: loaded into its day when it arrives",
    "empty_file": "handled: loaded as zero rows",
    "conflicting_version": "blocked: two versions of one contact record disagree",
    "ended_before_start": "blocked: a contact ends before it starts",
    "unknown_agent": "warned: an agent unknown to the CRM",
}

# Spellings a vendor might send that csops's channel map does not know, chosen so that no
# trimming or case-folding turns them into a known one.
UNKNOWN_CHANNELS = {
    "via.channel": ("e-mail", "txt-msg", "webform", "live-chat", "fb-messenger", "phone call"),
    "Channel": ("SMS", "VOICE_CALL", "PHONE", "WEBCHAT", "VIDEO"),
}
# Offsets a misconfigured exporter might write (minutes east of UTC), none of them zero.
OFFSET_MINUTES = (-300, -240, -360, -420, -480, -210, 60, 120, 330, 540)
UTC_TIMESTAMP = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?Z")
# Share of a late file's records that arrive late.
LATE_SHARE = (0.2, 0.5)
# Minutes a conflicting version moves a contact's end later, and an early end precedes its start.
CONFLICT_MINUTES = (1, 30)
EARLY_END_MINUTES = (1, 60)
# An agent username no simulated user has: agents and customers are `first.last.number`.
UNKNOWN_AGENT = "agent.unknown.{}"


@dataclass(frozen=True)
class JsonLinesFile:
    """A JSON export: records one per unit (see the module's docstring)."""

    required_fields: tuple[str, ...] = ()
    channel_field: str | None = None  # dotted path
    can_be_empty: bool = False
    # An Amazon Connect contact record: also gets the faults only the checks after the load see.
    contact_record: bool = False


@dataclass(frozen=True)
class QualtricsCsvFile:
    header_rows: int
    required_fields: tuple[str, ...] = ()
    # column -> values off its scale
    score_columns: tuple[tuple[str, tuple[str, ...]], ...] = ()
    text_column: str | None = None  # where a stray comma lands
    can_be_empty: bool = False


# Keyed by the export: a Zendesk endpoint, a Connect stream's folder, a CSV file's name.
FILE_FORMATS: dict[str, JsonLinesFile | QualtricsCsvFile] = {
    "tickets": JsonLinesFile(("id", "created_at"), channel_field="via.channel", can_be_empty=True),
    "ticket_audits": JsonLinesFile(("ticket_id",), can_be_empty=True),
    "users": JsonLinesFile(("id",)),
    "groups": JsonLinesFile(("id",)),
    "group_memberships": JsonLinesFile(("user_id", "group_id")),
    "contact_records": JsonLinesFile(("ContactId", "InitiationTimestamp"), channel_field="Channel",
                                     can_be_empty=True, contact_record=True),
    "agent_events": JsonLinesFile(("EventTimestamp",), can_be_empty=True),
    "responses.csv": QualtricsCsvFile(
        header_rows=3,
        required_fields=("ResponseId",),
        score_columns=(("Q1", ("0", "7")), ("Q2", ("11",)), ("Q3", ("0", "9"))),
        text_column="Q5_TEXT",
        can_be_empty=True,
    ),
    "distributions.csv": QualtricsCsvFile(header_rows=1, text_column="RecipientEmail", can_be_empty=True),
}


@dataclass(frozen=True)
class Defect:
    """One manifest row: a fault, where to see it, and how the loader must treat it."""

    kind: str
    file: str  # relative landing path, e.g. "crm/2026-01-05/tickets-0001.json"
    line: int | None  # 1-based physical line in the file as finally written; None for a whole file
    record: int | None  # 1-based place of the record in the file (csops's _source_record); None for a whole file
    detail: str
    expected: str  # "rejected: <reason>", "handled: <how>", "blocked: <check>" or "warned: <check>"

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class DefectResult:
    files: dict[str, list[str]]  # the day's files after injection
    defects: list[Defect]
    # Records held back from this day's files, by the file they arrive in on the next day's
    # run (exports.late_name); their late_file defects already name that file and place.
    withheld: dict[str, list[str]]


@dataclass(frozen=True)
class _Unit:
    """A stretch of physical lines: one record, or lines that are not records (headers, blanks)."""

    lines: tuple[str, ...]
    is_record: bool


def inject_defects(day: date, files: dict[str, list[str]], rate: float, seed: int) -> DefectResult:
    """Inject faults into one landing day's files (path -> lines without newlines).

    Pure and deterministic: the input is not changed, and the same arguments give the same
    result. Files whose names are not in ``FILE_FORMATS`` pass through untouched.
    """
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"a defect rate is a probability between 0 and 1, not {rate}")
    rng = random.Random(f"{seed}:{day.isoformat()}:defects")
    names = sorted(files)
    usernames = _Usernames(files)
    units = {name: _units(name, files[name]) for name in names if _format(name) is not None}

    late_name = None
    late_candidates = [name for name in units if any(u.is_record for u in units[name])]
    if late_candidates and rng.random() < min(1.0, rate * 10):
        late_name = rng.choice(late_candidates)
    empty_name = None
    empty_candidates = [name for name in units if _format(name).can_be_empty and files[name] and name != late_name]
    if empty_candidates and rng.random() < min(1.0, rate * 5):
        empty_name = rng.choice(empty_candidates)

    result_files: dict[str, list[str]] = {}
    defects: list[Defect] = []
    withheld: dict[str, list[str]] = {}
    for name in names:
        if name not in units:
            result_files[name] = list(files[name])
            continue
        if name == empty_name:
            result_files[name] = []
            records = sum(u.is_record for u in units[name])
            defects.append(Defect("empty_file", name, None, None,
                                  f"file written with no records (it held {records})",
                                  EXPECTED["empty_file"]))
            continue
        kept, late = units[name], []
        if name == late_name:
            kept, late = _hold_back(rng, kept)
        lines, found = _inject_records(rng, name, kept, rate, usernames)
        result_files[name] = lines
        defects.extend(found)
        if late:
            arrives_in = exports.late_name(name)
            # A CSV export's header rows, whole: a quoted header cell may span lines.
            header = [line for unit in units[name][:_format(name).header_rows] for line in unit.lines
                      ] if isinstance(_format(name), QualtricsCsvFile) else []
            withheld[arrives_in] = header + [line for unit in late for line in unit.lines]
            next_line = len(header) + 1
            for position, unit in enumerate(late, start=1):
                defects.append(Defect("late_file", arrives_in, next_line if _one_per_line(name) else 1, position,
                                      f"record {position} of {len(late)} held back from {day.isoformat()}'s run "
                                      f"(from {name}); delivered on the next day's run",
                                      EXPECTED["late_file"]))
                next_line += len(unit.lines)
    return DefectResult(files=result_files, defects=defects, withheld=withheld)


def _hold_back(rng: random.Random, units: list[_Unit]) -> tuple[list[_Unit], list[_Unit]]:
    """Splits off the file's last records, the ones that arrive late (as exported: no record faults)."""
    positions = [i for i, unit in enumerate(units) if unit.is_record]
    count = max(1, int(len(positions) * rng.uniform(*LATE_SHARE)))
    held = set(positions[-count:])
    return ([u for i, u in enumerate(units) if i not in held], [u for i, u in enumerate(units) if i in held])


def _format(name: str) -> JsonLinesFile | QualtricsCsvFile | None:
    return FILE_FORMATS.get(exports.export_of(name) or PurePosixPath(name).name)


def _one_per_line(name: str) -> bool:
    """Whether the file is written a record (or CSV line) per line; else all its records are on line 1."""
    return exports.export_of(name) is None or isinstance(_format(name), QualtricsCsvFile)


def _units(name: str, lines: list[str]) -> list[_Unit]:
    file_format = _format(name)
    if isinstance(file_format, JsonLinesFile):
        return [_Unit((line,), is_record=bool(line.strip())) for line in lines]
    # A quoted CSV field may hold a newline, so one record can span several physical lines.
    units = []
    reader = csv.reader(line + "\n" for line in lines)
    consumed = 0
    for index, _ in enumerate(reader):
        stretch = tuple(lines[consumed:reader.line_num])
        consumed = reader.line_num
        units.append(_Unit(stretch, is_record=index >= file_format.header_rows and any(s.strip() for s in stretch)))
    return units


class _Usernames:
    """The usernames of the day's users (their emails' local parts, as staging reads them),
    read from the day's users pages only when an ``unknown_agent`` fault needs them."""

    def __init__(self, files: dict[str, list[str]]):
        self._files = files
        self._known: set[str] | None = None

    def unknown(self, rng: random.Random) -> str:
        if self._known is None:
            self._known = set()
            for name, lines in self._files.items():
                if exports.export_of(name) != "users":
                    continue
                for line in lines:
                    try:
                        user = json.loads(line)
                    except ValueError:
                        continue
                    email = user.get("email") if isinstance(user, dict) else None
                    if isinstance(email, str):
                        self._known.add(email.split("@", 1)[0].strip().casefold())
        number = rng.randint(1, 999)
        while UNKNOWN_AGENT.format(number) in self._known:
            number += 1
        return UNKNOWN_AGENT.format(number)


def _inject_records(
    rng: random.Random, name: str, units: list[_Unit], rate: float, usernames: _Usernames
) -> tuple[list[str], list[Defect]]:
    file_format = _format(name)
    header: list[str] = []
    if isinstance(file_format, QualtricsCsvFile) and units:
        header = _csv_fields(units[0].lines)
    out: list[str] = []
    defects: list[Defect] = []
    records = 0
    broke_last = False  # whether the record just written was cut short
    for unit in units:
        if not unit.is_record or rng.random() >= rate:
            out.extend(unit.lines)
            records += unit.is_record
            broke_last = False
            continue
        if isinstance(file_format, JsonLinesFile):
            # Two records cut short in a row read as one broken stretch: the second never parses,
            # so no reader can tell where it starts. A broken record is followed by a whole one.
            kind, lines, detail, offset = _fault_json_line(rng, file_format, unit.lines[0], usernames,
                                                           can_break=exports.is_firehose_object(name) and not broke_last)
            broke_last = kind == "malformed_json"
            record = records + offset + 1
            records += len(lines)
        else:
            kind, lines, detail, offset = _fault_csv_record(rng, file_format, header, unit.lines)
            record = records + (2 if kind == "duplicate_record" else 1)
            records += 2 if kind == "duplicate_record" else 1
        line = len(out) + offset + 1 if _one_per_line(name) else 1
        out.extend(lines)
        defects.append(Defect(kind, name, line, record, detail, EXPECTED[kind]))
    return out, defects


def _fault_json_line(
    rng: random.Random, file_format: JsonLinesFile, line: str, usernames: _Usernames, can_break: bool
) -> tuple[str, list[str], str, int]:
    """Returns the kind, the lines that replace ``line``, the detail, and which of them shows the fault."""
    try:
        record = json.loads(line)
    except ValueError:
        record = None
    applicable = ["duplicate_record"]
    channel = None
    present: list[str] = []
    timestamps: list[str] = []
    if isinstance(record, dict):
        if can_break:
            applicable.append("malformed_json")
        if file_format.channel_field is not None:
            channel = _get(record, file_format.channel_field)
            if isinstance(channel, str):
                applicable.append("unknown_channel")
        present = [f for f in file_format.required_fields if f in record]
        if present:
            applicable.append("missing_required_field")
        timestamps = [k for k, v in record.items() if isinstance(v, str) and UTC_TIMESTAMP.fullmatch(v)]
        if timestamps:
            applicable += ["timestamp_with_offset", "timestamp_without_zone"]
        if file_format.contact_record:
            ends = "DisconnectTimestamp" in timestamps
            if ends and "ContactId" in record and "LastUpdateTimestamp" in record:
                applicable.append("conflicting_version")
            if ends and "InitiationTimestamp" in timestamps:
                applicable.append("ended_before_start")
            if isinstance(_get(record, "Agent.Username"), str):
                applicable.append("unknown_agent")
    kind = rng.choice(applicable)

    if kind == "duplicate_record":
        return kind, [line, line], "the record again, right after itself", 1
    if kind == "malformed_json":
        # A proper prefix of a JSON object never parses: its first brace is left open.
        length = len(line.rstrip())
        low, high = max(1, length // 4), max(1, 3 * length // 4)
        # Not right after a ':', ',' or '[': there the next record, following at once, reads as a
        # value of the cut one (``{"a":{"ContactId":...}``), and no reader can tell where it starts.
        cut = rng.choice([cut for cut in range(low, high + 1) if line[cut - 1] not in ":,["] or [low])
        return kind, [line[:cut]], f"line cut after {cut} of {length} characters", 0
    if kind == "unknown_channel":
        spelling = rng.choice(UNKNOWN_CHANNELS[file_format.channel_field])
        _set(record, file_format.channel_field, spelling)
        detail = f'field "{file_format.channel_field}" = {json.dumps(spelling)} (was {json.dumps(channel)})'
        return kind, [_dumps(record, line)], detail, 0
    if kind == "missing_required_field":
        field = rng.choice(present)
        old = record.pop(field)
        return kind, [_dumps(record, line)], f'field "{field}" removed (was {json.dumps(old)})', 0
    if kind == "conflicting_version":
        old = record["DisconnectTimestamp"]
        record["DisconnectTimestamp"] = _shifted(old, rng.randint(*CONFLICT_MINUTES))
        detail = (f'field "DisconnectTimestamp" = {json.dumps(record["DisconnectTimestamp"])} (was {json.dumps(old)}) '
                  f'in a second version of the record with the same ContactId {json.dumps(record["ContactId"])} '
                  f'and LastUpdateTimestamp {json.dumps(record["LastUpdateTimestamp"])}')
        return kind, [line, _dumps(record, line)], detail, 1
    if kind == "ended_before_start":
        old, start = record["DisconnectTimestamp"], record["InitiationTimestamp"]
        minutes = rng.randint(*EARLY_END_MINUTES)
        record["DisconnectTimestamp"] = _shifted(start, -minutes)
        detail = (f'field "DisconnectTimestamp" = {json.dumps(record["DisconnectTimestamp"])} (was {json.dumps(old)}), '
                  f'{minutes} minutes before InitiationTimestamp {json.dumps(start)}')
        return kind, [_dumps(record, line)], detail, 0
    if kind == "unknown_agent":
        old = record["Agent"]["Username"]
        record["Agent"]["Username"] = usernames.unknown(rng)
        detail = f'field "Agent.Username" = {json.dumps(record["Agent"]["Username"])} (was {json.dumps(old)})'
        return kind, [_dumps(record, line)], detail, 0
    field = rng.choice(timestamps)
    old = record[field]
    if kind == "timestamp_with_offset":
        record[field] = _with_offset(old, rng.choice(OFFSET_MINUTES))
    else:
        record[field] = old[:-1]
    return kind, [_dumps(record, line)], f'field "{field}" = {json.dumps(record[field])} (was {json.dumps(old)})', 0


def _fault_csv_record(
    rng: random.Random, file_format: QualtricsCsvFile, header: list[str], lines: tuple[str, ...]
) -> tuple[str, list[str], str, int]:
    fields = _csv_fields(lines)
    applicable = ["duplicate_record", "malformed_csv_row"]
    present: list[str] = []
    scores: list[tuple[str, tuple[str, ...]]] = []
    if len(fields) == len(header):
        present = [c for c in file_format.required_fields if c in header and fields[header.index(c)]]
        if present:
            applicable.append("missing_required_field")
        scores = [(c, values) for c, values in file_format.score_columns if c in header]
        if scores:
            applicable.append("out_of_range_score")
    kind = rng.choice(applicable)

    if kind == "duplicate_record":
        return kind, [*lines, *lines], "the record again, right after itself", len(lines)
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
        return kind, _csv_lines(fields), f"row has {len(fields)} fields, the header has {len(header)}", 0
    if kind == "missing_required_field":
        column = rng.choice(present)
        index = header.index(column)
        old, fields[index] = fields[index], ""
        return kind, _csv_lines(fields), f'field "{column}" blanked (was {json.dumps(old)})', 0
    column, values = rng.choice(scores)
    index = header.index(column)
    old, fields[index] = fields[index], rng.choice(values)
    return kind, _csv_lines(fields), f'field "{column}" = {json.dumps(fields[index])} (was {json.dumps(old)})', 0


def _get(record: dict, path: str):
    value = record
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _set(record: dict, path: str, value) -> None:
    *parents, last = path.split(".")
    for key in parents:
        record = record[key]
    record[last] = value


def _dumps(record: dict, original: str) -> str:
    # The simulator writes compact JSON with ASCII escapes; a real export holding raw UTF-8 keeps it.
    return json.dumps(record, separators=(",", ":"), ensure_ascii=original.isascii())


def _with_offset(utc_text: str, minutes: int) -> str:
    """The same instant as ``utc_text`` (``...Z``), written in a zone ``minutes`` east of UTC."""
    match = UTC_TIMESTAMP.fullmatch(utc_text)
    local = datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S") + timedelta(minutes=minutes)
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"{local.strftime('%Y-%m-%dT%H:%M:%S')}{match.group(2) or ''}{sign}{hours:02d}:{rest:02d}"


def _shifted(utc_text: str, minutes: int) -> str:
    """``utc_text`` (``...Z``) moved ``minutes`` later (earlier if negative), written the same way."""
    match = UTC_TIMESTAMP.fullmatch(utc_text)
    moved = datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S") + timedelta(minutes=minutes)
    return f"{moved.strftime('%Y-%m-%dT%H:%M:%S')}{match.group(2) or ''}Z"


def _csv_fields(lines: tuple[str, ...]) -> list[str]:
    return next(csv.reader(line + "\n" for line in lines), [])


def _csv_lines(fields: list[str]) -> list[str]:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(fields)
    return out.getvalue()[:-1].split("\n")
