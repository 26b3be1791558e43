"""One raw table's JSON records checked and loaded, set-based in DuckDB: the fields a record
cannot do without, the declared types, timestamps that name their zone, a channel spelling
csops knows. Records that pass are inserted with the declared types; the others go to
``audit.rejected_rows`` with file, line, record number, raw text and a reason a person understands.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import pyarrow as pa

from orchestration.landing import LandedFile
from orchestration.raw_tables import COLUMN_ALIASES, RawTable

REPO_ROOT = Path(__file__).resolve().parents[1]

# A moment with its zone: 2026-01-05T14:03:00Z, 2026-01-05T09:03:00-05:00 (or a space for the T).
ZONED_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$"
ZONELESS_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"


@lru_cache(maxsize=1)
def known_channel_spellings() -> dict[str, frozenset[str]]:
    """Channel spellings per source system, from seeds/channel_map.csv (what staging maps)."""
    spellings: dict[str, set[str]] = {}
    with (REPO_ROOT / "seeds" / "channel_map.csv").open() as handle:
        for row in csv.DictReader(handle):
            spellings.setdefault(row["source_system"], set()).add(row["source_channel"])
    return {system: frozenset(values) for system, values in spellings.items()}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def load_json_records(con, table: RawTable, records: list[tuple], source: str, run_id: str,
                       started_at: datetime) -> list[tuple[LandedFile, int, str]]:
    """Check and load one table's records (file, day, line, ordinal, text, reason as read).
    Returns the files that turned out not to be this table's export at all."""
    columns = list(zip(*records))
    con.register("read_records", pa.table({
        "source_file": pa.array(columns[0], pa.string()), "landing_date": pa.array(columns[1], pa.date32()),
        "line_number": pa.array(columns[2], pa.int64()), "record_number": pa.array(columns[3], pa.int64()),
        "raw_line": pa.array(columns[4], pa.string()), "read_reason": pa.array(columns[5], pa.string())}))
    try:
        con.execute("create or replace temp table landed_lines as select * from read_records")
    finally:
        con.unregister("read_records")
    # What the reader could not parse first: nothing else may parse it. (The reader parsed every
    # other record into a JSON object, so DuckDB need not check that again: it parses each once.)
    con.execute("""
        insert into audit.rejected_rows
        select ?, ?, ?, source_file, landing_date, line_number, record_number, raw_line, read_reason
        from landed_lines where read_reason is not null
    """, [run_id, source, table.table_name])
    # Each record is parsed once, into text (or JSON) fields: checks and casts read the fields.
    structure = "{" + ", ".join(f'"{name}": "{"JSON" if kind == "JSON" or kind.endswith("[]") else "VARCHAR"}"'
                                for name, kind in table.columns) + "}"
    con.execute(f"""
        create or replace temp table parsed_lines as
        select source_file, landing_date, line_number, record_number, raw_line,
            json_transform(raw_line, {_quote(structure)}) as r
        from landed_lines where read_reason is null
    """)
    con.execute("drop table landed_lines")  # each step keeps one copy of the records, not four
    foreign = _foreign_files(con, table)
    con.execute(f"""
        create or replace temp table checked_lines as
        select *, nullif(concat_ws('; ', {', '.join(_json_checks(table))}), '') as reason
        from parsed_lines
    """)
    con.execute("drop table parsed_lines")
    con.execute("""
        insert into audit.rejected_rows
        select ?, ?, ?, source_file, landing_date, line_number, record_number, raw_line, reason
        from checked_lines where reason is not null
    """, [run_id, source, table.table_name])
    values = ", ".join(_json_value(name, kind) for name, kind in table.columns)
    con.execute(f"""
        insert into raw.{table.table_name}
        select {values}, source_file, line_number, record_number, landing_date, ?, ?
        from checked_lines where reason is null
    """, [run_id, started_at])
    con.execute("drop table checked_lines")
    return foreign


def _field(name: str) -> str:
    """A record's field, parsed once into ``r``; other spellings of it (COLUMN_ALIASES) are read
    from the record's text (a struct's names ignore case, so they cannot sit beside it in ``r``)."""
    others = [f"json_extract_string(raw_line, {_quote('$.' + json.dumps(spelling))})"
              for spelling in COLUMN_ALIASES.get(name, ())]
    return f'coalesce(r."{name}", {", ".join(others)})' if others else f'r."{name}"'


def _json_value(name: str, kind: str) -> str:
    if kind in ("VARCHAR", "JSON"):
        return _field(name)
    return f"try_cast({_field(name)} as {kind})"


def _json_checks(table: RawTable) -> list[str]:
    """SQL expressions, each a reason or null, over a line's parsed fields ``r``."""
    checks = [f"case when {_field(name)} is null then 'missing required field \"{name}\"' end"
              for name in table.required]
    for name, kind in table.columns:
        if kind not in ("VARCHAR", "JSON"):
            checks.append(f"case when {_field(name)} is not null and {_json_value(name, kind)} is null "
                          f"then 'field \"{name}\" is not {kind.lower()}: ' || {_field(name)} end")
    for name in table.timestamps:
        text = _field(name)
        checks.append(
            f"case when {text} is null then null "
            f"when regexp_matches({text}, {_quote(ZONED_TIMESTAMP)}) and try_cast({text} as timestamptz) is not null "
            f"then null "
            f"when regexp_matches({text}, {_quote(ZONELESS_TIMESTAMP)}) "
            f"then 'timestamp without a timezone: \"{name}\" = ' || {text} "
            f"else 'field \"{name}\" is not a timestamp: ' || {text} end")
    if table.channel_field:
        known = ", ".join(_quote(s) for s in sorted(known_channel_spellings().get(table.source, ())))
        top, _, path = table.channel_field.partition(".")
        text = f"json_extract_string({_field(top)}, {_quote('$.' + path)})" if path else _field(top)
        checks.append(f"case when {text} is not null and {text} not in ({known}) "
                      f"then 'unknown channel \"' || {text} || '\": add it to seeds/channel_map.csv' end")
    return checks


def _foreign_files(con, table: RawTable) -> list[tuple[LandedFile, int, str]]:
    """A file none of whose records has the table's key fields is not this export at all (a
    file named ``tickets.jsonl`` holding orders): it is listed as unread with what it holds,
    instead of every record rejected, and its records are set aside."""
    if not table.required:
        return []
    present = " or ".join(f"{_field(name)} is not null" for name in table.required)
    found = con.execute(f"""
        select source_file, any_value(landing_date), count(*),
            list_sort(list_distinct(flatten(list(json_keys(raw_line::json)))))
        from parsed_lines
        group by source_file
        having count(*) filter (where {present}) = 0
        order by source_file
    """).fetchall()
    if found:
        con.execute("delete from parsed_lines where list_contains(?, source_file)", [[name for name, *_ in found]])
    return [(LandedFile(Path(name), name, day), records,
             f"not a {table.source} {table.entity} export: no record has {', '.join(table.required)}; "
             f"its fields are {', '.join(keys[:20])}") for name, day, records, keys in found]
