"""The kinds of fault the defects injector plants, how csops must treat each, what one rewritten
record is, and the manifest's row for each fault (csops/simulator/defects.py's table is the
contract these names and prefixes keep)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

EXPECTED = {
    "duplicate_record": "handled: deduplicated in staging",
    "malformed_json": "rejected: malformed JSON",
    "malformed_csv_row": "rejected: malformed CSV row",
    "unknown_channel": "rejected: unknown channel",
    "missing_required_field": "rejected: missing required field",
    "out_of_range_score": "rejected: score out of range",
    "timestamp_with_offset": "handled: converted to UTC",
    "timestamp_without_zone": "rejected: timestamp without a timezone",
    "fractional_id": "rejected: not an integer",
    "duplicated_key": "rejected: duplicated key",
    "nested_timestamp_without_zone": "rejected: timestamp without a timezone",
    "negative_duration": "rejected: negative duration",
    "implausible_timestamp": "rejected: implausible timestamp",
    "empty_key": "rejected: empty required field",
    "non_utf8_bytes": "rejected: not UTF-8",
    "non_ascii_score": "rejected: score not in ASCII digits",
    "impossible_date": "rejected: impossible date",
    "unterminated_quote": "rejected: malformed CSV row",
    "late_file": "handled: loaded into its day when it arrives",
    "empty_file": "handled: loaded as zero rows",
    "blank_lines": "handled: blank lines are not responses",
    "conflicting_version": "blocked: two versions of one contact record disagree",
    "ended_before_start": "blocked: a contact ends before it starts",
    "unknown_agent": "warned: an agent unknown to the CRM",
}
KINDS = tuple(EXPECTED)
# Chosen for a whole file, a day at a time, rather than record by record.
FILE_KINDS = ("late_file", "empty_file", "blank_lines")


@dataclass(frozen=True)
class Fault:
    """One record rewritten: the physical lines that replace it, and which of them shows the fault."""

    kind: str
    lines: list[str]
    detail: str
    line_offset: int = 0  # the line of ``lines`` the manifest names
    record_offset: int = 0  # the record of those ``lines`` hold that the manifest names
    records: int = 1  # how many records ``lines`` hold (two for a copy)


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
