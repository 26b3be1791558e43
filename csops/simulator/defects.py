"""Faults injected into one landing day of exports, and the manifest of what was injected.

``csops simulate --defects RATE`` passes each day's files through :func:`inject_defects`
before they are packed and written. A day's JSON files come as one record per unit (an API
page's records, a Firehose object's records), CSV files as lines; the injector parses a record
only when it has chosen to change it, so it never depends on how the simulator built the data.
Each fault becomes one :class:`Defect` row in the manifest, naming the file, the record (its
1-based place in the file, as csops's ``_source_record``) and the physical line where the fault
can be seen (in a Firehose object or an API page every record is on line 1), and how csops must
treat it.
``rejected:`` and ``handled:`` kinds are the loader's to catch, row by row (the kinds, and the
expected prefixes, are ``simulator.defect_kinds.EXPECTED``; a JSON record's rewrites are in
``csops/simulator/json_defects.py``, a CSV row's in ``csops/simulator/csv_defects.py``). The last three
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
| `fractional_id` | `tickets.jsonl`: `requester_id`, `assignee_id`, `group_id` (when set) | the id as a fraction (`900006.6`) or a hexadecimal string (`"0xdbba6"`) | rejected: not an integer |
| `duplicated_key` | every JSONL file, a top-level key with a value (not the record's first key, where a reader finds it starts) | the key written again after the record's last key, with another value (`"status":"open",...,"status":"solved"`): text only, a dict cannot hold it, and a parser keeps either | rejected: duplicated key |
| `nested_timestamp_without_zone` | `contact_records.jsonl`: `Agent.ConnectedToAgentTimestamp`, `Queue.EnqueueTimestamp` | the `Z` dropped | rejected: timestamp without a timezone |
| `negative_duration` | `contact_records.jsonl`: `Agent.AgentInteractionDuration`, `Queue.Duration` (when above 0) | the seconds negated | rejected: negative duration |
| `implausible_timestamp` | every JSONL file, a top-level `...Z` timestamp | the same time of day on 1970-01-01 (a clock reset), or on the same day of 2099 (a placeholder) | rejected: implausible timestamp |
| `empty_key` | `contact_records.jsonl`: `ContactId` (Connect's string key; Zendesk's are integers) | set to `""` | rejected: empty required field |
| `non_utf8_bytes` | Firehose objects (gzipped ones too), any string but a timestamp or a required field; `responses.csv`: `RecipientFirstName`, `RecipientLastName`, `Q5_TEXT` | one letter written as a Latin-1 system writes its accented form: one byte (`é` as 0xE9), never UTF-8 (an API page is one HTTP response, written whole in UTF-8) | rejected: not UTF-8 |
| `non_ascii_score` | `responses.csv`: `Q1`, `Q2`, `Q3` | the same number in another script's digits (`٥`, `५`, `５`), which Python's `int()` reads as 5 | rejected: score not in ASCII digits |
| `impossible_date` | `responses.csv`: `RecordedDate` | a day no calendar has, the year and time kept (`2026-02-30 09:03:00`, `2026-04-31 ...`) | rejected: impossible date |
| `unterminated_quote` | `responses.csv`: a row on one line whose fields after `Q5_TEXT` need no quotes | `Q5_TEXT` opened with `"` and never closed, its own quotes dropped: a CSV reader reads on into the rows after it, which stay whole, each on its own lines and places (a reader must find them again) | rejected: malformed CSV row |
| `late_file` | any file named above that has records; at most one a day | the file's last records held back (`withheld`); the caller writes them on the next day's run into a file of their own in the same day (`exports.late_name`: a new Firehose object in the same hour folder, a later API page, a second CSV export with its header rows) | handled: loaded into its day when it arrives |
| `empty_file` | a file that can be empty on a quiet day: tickets, audits, contact records, agent events, responses, distributions; at most one a day | the file written with no records, headers included: 0 bytes, an API page's envelope around an empty list, a gzip of nothing (line and record = None) | handled: loaded as zero rows |
| `blank_lines` | `responses.csv`; at most one a day | the whole file written with CRLF row ends (a line break inside a quoted comment stays LF, as Excel writes it), and a blank or whitespace-only line before some rows that have no fault (line = the blank line, record = the row after it: blank lines are no records); one manifest row per blank line | handled: blank lines are not responses |
| `conflicting_version` | `contact_records.jsonl`, a record with a `DisconnectTimestamp` | the record again, right after itself, with the same `ContactId` and `LastUpdateTimestamp` but its `DisconnectTimestamp` 1-30 minutes later (line = the copy) | blocked: two versions of one contact record disagree |
| `ended_before_start` | `contact_records.jsonl`, a record with both `InitiationTimestamp` and `DisconnectTimestamp` | `DisconnectTimestamp` set 1-60 minutes before `InitiationTimestamp` (still `...Z`) | blocked: a contact ends before it starts |
| `unknown_agent` | `contact_records.jsonl`, a record whose `Agent` has a `Username` | `Agent.Username` replaced by `agent.unknown.<n>`, a username no user in the day's users pages has (a username is the local part of a user's email; the simulator never makes one like it) | warned: an agent unknown to the CRM |

Rates: each record gets a fault with probability ``rate``, its kind drawn uniformly among
the kinds that apply to that record (a record without a timestamp cannot get a
timestamp fault); one file a day is late with probability ``min(1, 10 * rate)``, one
is emptied with probability ``min(1, 5 * rate)``, never the same one, and one CSV export
gets blank lines with probability ``min(1, 5 * rate)`` (never the emptied one). An emptied
file gets no record faults, and the records a late file holds back arrive as exported. CSV
header rows are never touched. Timestamp faults touch top-level fields, but
``nested_timestamp_without_zone``; of nested objects (a contact record's ``Queue``,
``Agent``) only ``unknown_agent``, ``negative_duration``, ``nested_timestamp_without_zone``
and ``non_utf8_bytes`` change one field. Qualtrics dates never carry a zone, so CSVs get no
timestamp-zone faults. Files not named in ``FILE_FORMATS`` pass through.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from csops.simulator import exports
from csops.simulator.csv_defects import QualtricsCsvFile
from csops.simulator.defect_files import (FILE_FORMATS, Unit, add_blank_lines, assembled, format_of, inject_records,
                                          one_per_line, units_of)
from csops.simulator.defect_kinds import EXPECTED, FILE_KINDS, KINDS, Defect
from csops.simulator.json_defects import UNKNOWN_CHANNELS, Usernames

__all__ = ["EXPECTED", "FILE_FORMATS", "FILE_KINDS", "KINDS", "UNKNOWN_CHANNELS", "Defect", "DefectResult",
           "inject_defects"]

# Share of a late file's records that arrive late.
LATE_SHARE = (0.2, 0.5)


@dataclass(frozen=True)
class DefectResult:
    files: dict[str, list[str]]  # the day's files after injection
    defects: list[Defect]
    # Records held back from this day's files, by the file they arrive in on the next day's
    # run (exports.late_name); their late_file defects already name that file and place.
    withheld: dict[str, list[str]]


def inject_defects(day: date, files: dict[str, list[str]], rate: float, seed: int) -> DefectResult:
    """Inject faults into one landing day's files (path -> lines without newlines).

    Pure and deterministic: the input is not changed, and the same arguments give the same
    result. Files whose names are not in ``FILE_FORMATS`` pass through untouched.
    """
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"a defect rate is a probability between 0 and 1, not {rate}")
    rng = random.Random(f"{seed}:{day.isoformat()}:defects")
    names = sorted(files)
    usernames = Usernames(files)
    units = {name: units_of(name, files[name]) for name in names if format_of(name) is not None}

    late_name = None
    late_candidates = [name for name in units if any(u.is_record for u in units[name])]
    if late_candidates and rng.random() < min(1.0, rate * 10):
        late_name = rng.choice(late_candidates)
    empty_name = None
    empty_candidates = [name for name in units if format_of(name).can_be_empty and files[name] and name != late_name]
    if empty_candidates and rng.random() < min(1.0, rate * 5):
        empty_name = rng.choice(empty_candidates)
    blank_name = None
    blank_candidates = [name for name in units if getattr(format_of(name), "can_hold_blank_lines", False)
                        and any(u.is_record for u in units[name]) and name != empty_name]
    if blank_candidates and rng.random() < min(1.0, rate * 5):
        blank_name = rng.choice(blank_candidates)

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
        pieces = inject_records(rng, name, kept, rate, usernames)
        if name == blank_name:
            add_blank_lines(rng, pieces)
        lines, found = assembled(name, pieces)
        result_files[name] = lines
        defects.extend(found)
        if late:
            arrives_in = exports.late_name(name)
            # A CSV export's header rows, whole: a quoted header cell may span lines.
            header = [line for unit in units[name][:format_of(name).header_rows] for line in unit.lines
                      ] if isinstance(format_of(name), QualtricsCsvFile) else []
            withheld[arrives_in] = header + [line for unit in late for line in unit.lines]
            next_line = len(header) + 1
            for position, unit in enumerate(late, start=1):
                defects.append(Defect("late_file", arrives_in, next_line if one_per_line(name) else 1, position,
                                      f"record {position} of {len(late)} held back from {day.isoformat()}'s run "
                                      f"(from {name}); delivered on the next day's run",
                                      EXPECTED["late_file"]))
                next_line += len(unit.lines)
    return DefectResult(files=result_files, defects=defects, withheld=withheld)


def _hold_back(rng: random.Random, units: list[Unit]) -> tuple[list[Unit], list[Unit]]:
    """Splits off the file's last records, the ones that arrive late (as exported: no record faults)."""
    positions = [i for i, unit in enumerate(units) if unit.is_record]
    count = max(1, int(len(positions) * rng.uniform(*LATE_SHARE)))
    held = set(positions[-count:])
    return ([u for i, u in enumerate(units) if i not in held], [u for i, u in enumerate(units) if i in held])
