"""The SQL that checks one raw table's JSON records, field by field: each check an expression that
is a reason or null, over a record's parsed fields ``r``, its text ``raw_line`` and, for the
fields declared inside its JSON objects, ``nested_<column>`` (see :func:`nested_structures`).
csops/orchestration/record_checks.py runs them and files what they find.

A value a reason quotes goes through ``csops_loader_redact`` (csops.kernel.redaction.redact, which
record_checks.py registers on the connection for the check): a customer's email typed into an
id field must not reach the audit trail.
"""

from __future__ import annotations

from csops.kernel.paths import PROJECT_ROOT

import csv
import json
from datetime import datetime, timedelta
from functools import lru_cache

from csops.orchestration.raw_tables import COLUMN_ALIASES, RawTable

REDACT_FUNCTION = "csops_loader_redact"

# A moment with its zone: 2026-01-05T14:03:00Z, 2026-01-05T09:03:00-05:00 (or a space for the T).
ZONED_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$"
ZONELESS_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"
# No contact center record predates 2000: an earlier moment is a clock reset or an epoch default
# (1970-01-01), and would publish a 56-year first response.
EARLIEST_PLAUSIBLE = "2000-01-01 00:00:00+00"
# A moment later than this after the load is a placeholder (2099) or a clock gone wrong; it
# would move the warehouse's as-of time. A day of slack for clocks and zones.
LATEST_AFTER_LOAD = timedelta(days=1)
# An integer as JSON writes it (an id may be negative: Zendesk's system author is -1), or a string
# of ASCII digits, as connectors that fear JavaScript's 53 bits write big ids. Not a fraction (not
# even 900006.0), nor hex, an exponent, whitespace or a boolean: those are another id, or none.
INTEGER_JSON = r'-?[0-9]+|"[0-9]+"'
NUMBER_JSON = r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?"
# A JSON column's value as DuckDB writes it back (minified) starts with what it is.
SHAPE_OPENINGS = {"object": "{", "list": "["}
# A longer value is cut in a reason (the record's text keeps it whole): a list where an object
# belongs may be a whole export.
QUOTED_JSON_LENGTH = 80


@lru_cache(maxsize=1)
def known_channel_spellings() -> dict[str, frozenset[str]]:
    """Channel spellings per source system, from seeds/channel_map.csv (what staging maps)."""
    spellings: dict[str, set[str]] = {}
    with (PROJECT_ROOT / "seeds" / "channel_map.csv").open() as handle:
        for row in csv.DictReader(handle):
            spellings.setdefault(row["source_system"], set()).add(row["source_channel"])
    return {system: frozenset(values) for system, values in spellings.items()}


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _quoted_value(value_sql: str) -> str:
    return f"{REDACT_FUNCTION}({value_sql})"


def _quoted_json(json_text: str) -> str:
    """A JSON value (an object or a list, perhaps) for a reason: redacted whole, then cut."""
    keep = QUOTED_JSON_LENGTH - 3
    return f"regexp_replace({_quoted_value(json_text)}, {quote(f'^(.{{{keep}}}).{{4,}}$')}, '\\1...')"


def field(name: str, as_json: bool = False) -> str:
    """A record's field, parsed once into ``r``; other spellings of it (COLUMN_ALIASES) are read
    from the record's text (a struct's names ignore case, so they cannot sit beside it in ``r``)."""
    extract = "json_extract" if as_json else "json_extract_string"
    others = [f"{extract}(raw_line, {quote('$.' + json.dumps(spelling))})"
              for spelling in COLUMN_ALIASES.get(name, ())]
    return f'coalesce(r."{name}", {", ".join(others)})' if others else f'r."{name}"'


def is_integer_kind(kind: str) -> bool:
    return kind in ("BIGINT", "INTEGER")


def parsed_kind(kind: str) -> str:
    """How a column is parsed out of the record's text: integers and booleans as JSON (a JSON
    integer and a string of digits must be told from 900006.6, "0x10" or true; true from "yes"
    or 1, which DuckDB's cast reads as true), nested values as JSON, the rest as text."""
    return "JSON" if kind in ("JSON", "BOOLEAN") or kind.endswith("[]") or is_integer_kind(kind) else "VARCHAR"


def json_value(name: str, kind: str) -> str:
    """The field as inserted, with its declared type (the record passed its checks)."""
    if kind in ("VARCHAR", "JSON"):
        return field(name)
    if is_integer_kind(kind):
        return f"try_cast(replace({field(name, as_json=True)}::varchar, '\"', '') as {kind})"
    if kind == "BOOLEAN":
        return f"try_cast({field(name, as_json=True)} as BOOLEAN)"
    return f"try_cast({field(name)} as {kind})"


def json_checks(table: RawTable, started_at: datetime) -> list[str]:
    """SQL expressions, each a reason or null, over a line's parsed fields ``r`` and ``nested_*``."""
    kinds = dict(table.columns)
    checks = [f"case when {field(name)} is null then 'missing required field \"{name}\"' "
              f"when regexp_full_match({field(name)}::varchar, {quote(_BLANK[parsed_kind(kinds.get(name, 'VARCHAR'))])}) "
              f"then 'empty required field \"{name}\"' end"
              for name in table.required]
    for name, kind in table.columns:
        if is_integer_kind(kind):
            checks.append(_integer_check(field(name, as_json=True) + "::varchar", quote(name), kind))
        elif kind == "BOOLEAN":
            checks.append(_boolean_check(field(name, as_json=True) + "::varchar", quote(name)))
        elif kind not in ("VARCHAR", "JSON"):
            checks.append(f"case when {field(name)} is not null and {json_value(name, kind)} is null "
                          f"then 'field \"{name}\" is not {kind.lower()}: ' || {_quoted_value(field(name))} end")
    checks.extend(_shape_check(field(name, as_json=True) + "::varchar", name, shape) for name, shape in table.json_shapes)
    latest = (started_at + LATEST_AFTER_LOAD).strftime("%Y-%m-%d %H:%M:%S") + "+00"
    for name in table.timestamps:
        checks.append(_timestamp_check(field(name), quote(name), latest))
    leaf_checks = (
        *((path, lambda value, path_sql: _timestamp_check(value, path_sql, latest)) for path in table.nested_timestamps),
        *((path, lambda value, path_sql: _integer_check(value, path_sql, "BIGINT")) for path in table.nested_integers),
        *((path, _duration_check) for path in table.durations),
        *((path, _boolean_check) for path in table.nested_booleans),
    )
    checks.extend(_nested_check(path, check) for path, check in leaf_checks)
    if table.channel_field:
        known = ", ".join(quote(s) for s in sorted(known_channel_spellings().get(table.source, ())))
        top, _, path = table.channel_field.partition(".")
        text = f"json_extract_string({field(top)}, {quote('$.' + path)})" if path else field(top)
        checks.append(f"case when {text} is not null and {text} not in ({known}) "
                      f"then 'unknown channel \"' || {_quoted_value(text)} || '\": add it to seeds/channel_map.csv' end")
    return checks


# A required field left blank: an empty or blank string (as text, or as JSON text).
_BLANK = {"VARCHAR": r"\s*", "JSON": r'"\s*"'}


def _integer_check(json_text: str, path_sql: str, kind: str) -> str:
    return (f"case when {json_text} is null then null "
            f"when not regexp_full_match({json_text}, {quote(INTEGER_JSON)}) "
            f"then 'not an integer: \"' || {path_sql} || '\" = ' || {_quoted_value(json_text)} "
            f"when try_cast(replace({json_text}, '\"', '') as {kind}) is null "
            f"then 'field \"' || {path_sql} || '\" is not {kind.lower()}: ' || {_quoted_value(json_text)} end")


def _boolean_check(json_text: str, path_sql: str) -> str:
    return (f"case when {json_text} is null then null when {json_text} not in ('true', 'false') "
            f"then 'not a boolean: \"' || {path_sql} || '\" = ' || {_quoted_json(json_text)} end")


def _shape_check(json_text: str, name: str, shape: str) -> str:
    """An object or a list, as declared (null passes: ``required`` refuses it where it must)."""
    article = "an" if shape[0] in "aeiou" else "a"
    reason = quote(f'not {article} {shape}: "{name}" = ')
    return (f"case when left({json_text}, 1) <> {quote(SHAPE_OPENINGS[shape])} "
            f"then {reason} || {_quoted_json(json_text)} end")


def _timestamp_check(text: str, path_sql: str, latest: str) -> str:
    # One cast per value: a moment is in range (null), out of it, or, cast to nothing, no moment.
    moment = f"try_cast({text} as timestamptz)"
    return (f"case when {text} is null then null "
            f"when regexp_matches({text}, {quote(ZONED_TIMESTAMP)}) then "
            f"case {moment} between timestamptz {quote(EARLIEST_PLAUSIBLE)} and timestamptz {quote(latest)} "
            f"when true then null "
            f"when false then 'implausible timestamp: \"' || {path_sql} || '\" = ' || {_quoted_value(text)} "
            f"|| ' (before 2000 or after the load)' "
            f"else 'field \"' || {path_sql} || '\" is not a timestamp: ' || {_quoted_value(text)} end "
            f"when regexp_matches({text}, {quote(ZONELESS_TIMESTAMP)}) "
            f"then 'timestamp without a timezone: \"' || {path_sql} || '\" = ' || {_quoted_value(text)} "
            f"else 'field \"' || {path_sql} || '\" is not a timestamp: ' || {_quoted_value(text)} end")


def _duration_check(json_text: str, path_sql: str) -> str:
    """Seconds (or a count) as a JSON number, never below zero: a negative one publishes an AHT off by it."""
    return (f"case when {json_text} is null then null "
            f"when not regexp_full_match({json_text}, {quote(NUMBER_JSON)}) "
            f"then 'field \"' || {path_sql} || '\" is not a number: ' || {_quoted_value(json_text)} "
            f"when try_cast({json_text} as double) < 0 "
            f"then 'negative duration: \"' || {path_sql} || '\" = ' || {_quoted_value(json_text)} end")


# How each kind of nested leaf is parsed: timestamps as text, numbers and booleans as JSON (a
# string "125" must not pass for a number, nor a fraction for an integer, nor "yes" for true).
_NESTED_KINDS = (("nested_timestamps", "VARCHAR"), ("nested_integers", "JSON"), ("durations", "JSON"),
                 ("nested_booleans", "JSON"))


def nested_structures(table: RawTable) -> dict[str, object]:
    """Per JSON column holding checked fields, the json_transform structure that parses only
    those (``Agent`` -> ``{"ConnectedToAgentTimestamp": "VARCHAR", "Duration": "JSON"}``; a
    ``[]`` segment is an array of objects): each column is parsed once more, not once per field."""
    structures: dict[str, object] = {}
    for attribute, kind in _NESTED_KINDS:
        for path in getattr(table, attribute):
            segments = path.split(".")
            root = segments[0].removesuffix("[]")
            structure = structures.setdefault(root, [{}] if segments[0].endswith("[]") else {})
            node = structure[0] if isinstance(structure, list) else structure
            for segment in segments[1:-1]:
                child = node.setdefault(segment.removesuffix("[]"), [{}] if segment.endswith("[]") else {})
                node = child[0] if isinstance(child, list) else child
            node[segments[-1]] = kind
    return structures


def _nested_check(path: str, leaf) -> str:
    """A reason or null for every value at ``path`` (``Agent.ConnectedToAgentTimestamp``, or
    ``CurrentAgentSnapshot.Contacts[].StateStartTimestamp``: each element, named by its index
    from 0 as in a JSON path) in ``nested_<column>``."""
    segments = path.split(".")
    root = segments[0].removesuffix("[]")
    if not any(segment.endswith("[]") for segment in segments):
        value = f'"nested_{root}"' + "".join(f'."{segment}"' for segment in segments[1:])
        return leaf(value + "::varchar", quote(path))
    reasons = _element_reasons(f'"nested_{root}"', segments, 0, quote(""), leaf)
    return f"nullif(array_to_string(list_filter({reasons}, lambda reason: reason is not null), '; '), '')"


def _element_reasons(value: str, segments: list[str], depth: int, path_sql: str, leaf) -> str:
    """A list of reasons (nulls where a value passes) for ``segments`` below ``value``."""
    segment, rest = segments[0], segments[1:]
    name = segment.removesuffix("[]")
    here = f"{path_sql} || {quote(('.' if depth else '') + name)}"
    if depth:
        value = f'{value}."{name}"'
    if not segment.endswith("[]"):
        if not rest:
            return f"[{leaf(value + '::varchar', here)}]"
        return _element_reasons(value, rest, depth + 1, here, leaf)
    element, index = f"element_{depth}", f"index_{depth}"
    element_path = f"{here} || '[' || ({index} - 1) || ']'"
    inner = (f"[{leaf(element + '::varchar', element_path)}]" if not rest
             else _element_reasons(element, rest, depth + 1, element_path, leaf))
    return f"coalesce(flatten(list_transform({value}, lambda {element}, {index}: {inner})), [])"
