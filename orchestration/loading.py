"""Load landed files into the warehouse's ``raw`` schema: every row loaded, or rejected with its reason.

No Dagster here: the load assets call :func:`load_source`, and so can a test.

- JSON lines are read by DuckDB as text, one numbered line per row, and checked set-based:
  valid JSON, the fields a row cannot do without, the declared types, timestamps that name
  their timezone, a channel spelling csops knows. Rows that pass are loaded with the
  declared types; the others go to ``audit.rejected_rows`` with file, line, raw text and a
  reason a person understands. Blank lines are not rows.
- CSV exports (Qualtrics) are read with Python's csv module, which numbers the lines of
  records whose quoted comments span lines; each row is checked the same way.
- ``audit.load_log`` gets, per file: its checksum, rows read, loaded and rejected.
- A source is replaced as a whole in one transaction: a reader sees the old raw tables or
  the new ones, never half a load, and loading the same files twice gives the same tables.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.raw_tables import RawTable, tables_of

REPO_ROOT = Path(__file__).resolve().parents[1]
HEADER_ROWS = {"jsonl": 0, "csv": 1, "qualtrics_csv": 3}

# Provenance columns added to every raw row: which file and line, which landing day, which run.
PROVENANCE_COLUMNS = (
    ("_source_file", "VARCHAR"),
    ("_source_line", "BIGINT"),
    ("_landing_date", "DATE"),
    ("_load_run_id", "VARCHAR"),
    ("_loaded_at", "TIMESTAMP"),
)

AUDIT_DDL = (
    """
    create table if not exists audit.load_log (
        run_id varchar not null,
        source varchar not null,
        raw_table varchar not null,
        source_file varchar not null,
        landing_date date not null,
        file_sha256 varchar not null,
        rows_read bigint not null,
        rows_loaded bigint not null,
        rows_rejected bigint not null,
        started_at timestamp not null,
        ended_at timestamp not null
    )
    """,
    """
    create table if not exists audit.rejected_rows (
        run_id varchar not null,
        source varchar not null,
        raw_table varchar not null,
        source_file varchar not null,
        landing_date date not null,
        line_number bigint not null,
        raw_text varchar,
        reason varchar not null
    )
    """,
)

# A moment with its zone: 2026-01-05T14:03:00Z, 2026-01-05T09:03:00-05:00 (or a space for the T).
ZONED_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$"
ZONELESS_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"
# The landing day of a file, from its folder: landing/<source>/<YYYY-MM-DD>/<file>.
LANDING_DATE_OF_FILE = r"cast(regexp_extract(source_file, '(\d{4}-\d{2}-\d{2})/[^/]+$', 1) as date)"
QUALTRICS_DATE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


@dataclass(frozen=True)
class TableLoad:
    """One raw table after a load: what this run read, loaded and rejected, and what it holds."""

    raw_table: str
    files: int  # files (re)loaded by this run
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    rows_in_table: int
    days_reloaded: tuple[date, ...]


class LandingError(ValueError):
    """A landed file csops cannot read at all; the message names the file and what is wrong."""


@lru_cache(maxsize=1)
def known_channel_spellings() -> dict[str, frozenset[str]]:
    """Channel spellings per source system, from seeds/channel_map.csv (what staging maps)."""
    spellings: dict[str, set[str]] = {}
    with (REPO_ROOT / "seeds" / "channel_map.csv").open() as handle:
        for row in csv.DictReader(handle):
            spellings.setdefault(row["source_system"], set()).add(row["source_channel"])
    return {system: frozenset(values) for system, values in spellings.items()}


def landed_files(landing: Path, table: RawTable) -> list[Path]:
    """This table's files in day order: ``<name>.<ext>`` in each landing day folder, or its
    parts ``<name>-part<k>.<ext>``, as large exports arrive."""
    folder = landing / table.source
    if not folder.exists():
        return []
    files = []
    for day_folder in sorted(p for p in folder.iterdir() if p.is_dir()):
        try:
            date.fromisoformat(day_folder.name)
        except ValueError as error:
            raise LandingError(f"{day_folder}: a landing folder must be named for its day, YYYY-MM-DD") from error
        stem, _, extension = table.file_name.partition(".")
        parts = sorted(day_folder.glob(f"{stem}-part*.{extension}"), key=lambda p: int(p.stem.rsplit("part", 1)[1]))
        files += [day_folder / table.file_name] if (day_folder / table.file_name).exists() else []
        files += parts
    return files


def _ensure_audit_tables(con: duckdb.DuckDBPyConnection) -> bool:
    """Create the audit tables. If one was left by an older csops with other columns, both
    are made anew (the log and the rejected rows must agree) and every source then loads in
    full. Returns whether that happened."""
    con.execute("create schema if not exists audit")
    outdated = False
    for ddl in AUDIT_DDL:
        name = re.search(r"audit\.(\w+)", ddl)[1]
        wanted = re.findall(r"^\s+(\w+) (?:varchar|bigint|date|timestamp)", ddl, flags=re.MULTILINE)
        existing = [c for c, in con.execute(
            "select column_name from information_schema.columns where table_schema = 'audit' and table_name = ? "
            "order by ordinal_position", [name]).fetchall()]
        outdated = outdated or (bool(existing) and existing != wanted)
    if outdated:
        con.execute("drop table if exists audit.load_log")
        con.execute("drop table if exists audit.rejected_rows")
    for ddl in AUDIT_DDL:
        con.execute(ddl)
    return outdated


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ddl(table: RawTable) -> str:
    columns = ",\n    ".join(f'"{name}" {kind}' for name, kind in (*table.columns, *PROVENANCE_COLUMNS))
    return f"create or replace table raw.{table.table_name} (\n    {columns}\n)"


def load_source(con: duckdb.DuckDBPyConnection, landing: Path, source: str, run_id: str) -> list[TableLoad]:
    """Bring the raw tables of ``source`` up to what has landed, in one transaction.

    The landing day is the unit: a day whose files are new, changed (by checksum) or gone
    is replaced whole; a day whose files are as they were loaded is left alone. So a late
    file for an earlier day reloads that day only, and loading the same files again
    changes nothing.
    """
    started_at = datetime.now(timezone.utc).replace(tzinfo=None)
    con.execute("create schema if not exists raw")
    audit_recreated = _ensure_audit_tables(con)
    plan = [_plan(con, landing, table, audit_recreated) for table in tables_of(source)]
    prefix = str(landing) + "/"
    results = []
    con.execute("begin transaction")
    try:
        for table, files, checksums, days in plan:
            if days is None:  # a new table, or one of another shape: load every day
                con.execute(_ddl(table))
                con.execute("delete from audit.rejected_rows where raw_table = ?", [table.table_name])
                con.execute("delete from audit.load_log where raw_table = ?", [table.table_name])
            else:
                day_list = sorted(days)
                con.execute(f"delete from raw.{table.table_name} where list_contains(?, _landing_date)", [day_list])
                for audit_table in ("rejected_rows", "load_log"):
                    con.execute(f"delete from audit.{audit_table} where raw_table = ? and list_contains(?, landing_date)",
                                [table.table_name, day_list])
            to_load = [f for f in files if days is None or _day_of(f) in days]
            if to_load and table.file_format == "jsonl":
                _load_json_lines(con, table, to_load, prefix, source, run_id, started_at)
            elif to_load:
                _load_csv(con, table, to_load, prefix, source, run_id, started_at)
            results.append(_log(con, table, to_load, checksums, landing, source, run_id, started_at,
                                days if days is not None else {_day_of(f) for f in files}))
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return results


def _day_of(path: Path) -> date:
    return date.fromisoformat(path.parent.name)


def _plan(con, landing: Path, table: RawTable, audit_recreated: bool):
    """This table's files, their checksums, and the landing days to (re)load (None: all)."""
    files = landed_files(landing, table)
    checksums = {str(f.relative_to(landing)): _sha256(f) for f in files}
    expected = [name for name, _ in (*table.columns, *PROVENANCE_COLUMNS)]
    existing = [c for c, in con.execute(
        "select column_name from information_schema.columns where table_schema = 'raw' and table_name = ? "
        "order by ordinal_position", [table.table_name]).fetchall()]
    if audit_recreated or existing != expected:
        return table, files, checksums, None
    loaded = dict(con.execute("select source_file, file_sha256 from audit.load_log where raw_table = ?",
                              [table.table_name]).fetchall())
    changed = {name for name, checksum in checksums.items() if loaded.get(name) != checksum}
    gone = set(loaded) - set(checksums)
    days = {date.fromisoformat(Path(name).parent.name) for name in changed | gone}
    return table, files, checksums, days


def _load_json_lines(con, table: RawTable, files: list[Path], prefix: str, source: str, run_id: str,
                     started_at: datetime) -> None:
    file_list = "[" + ", ".join(_quote(str(f)) for f in files) + "]"
    con.execute(f"""
        create or replace temp table landed_lines as
        with numbered as (
            select
                replace(filename, {_quote(prefix)}, '') as source_file,
                unnest(string_split(content, chr(10))) as raw_line,
                generate_subscripts(string_split(content, chr(10)), 1) as line_number
            from read_text({file_list})
        )
        select * from numbered where trim(raw_line) <> ''
    """)
    # Malformed lines first: nothing else may parse a line that is not a JSON object.
    is_object = "json_valid(raw_line) and json_type(case when json_valid(raw_line) then raw_line end) = 'OBJECT'"
    con.execute(f"""
        insert into audit.rejected_rows
        select ?, ?, ?, source_file, {LANDING_DATE_OF_FILE}, line_number, raw_line,
            'malformed JSON: the line is not a JSON object'
        from landed_lines where not ({is_object})
    """, [run_id, source, table.table_name])
    # Each line is parsed once, into text (or JSON) fields: checks and casts read the fields.
    structure = "{" + ", ".join(f'"{name}": "{"JSON" if kind == "JSON" or kind.endswith("[]") else "VARCHAR"}"'
                                for name, kind in table.columns) + "}"
    con.execute(f"""
        create or replace temp table parsed_lines as
        select source_file, line_number, raw_line,
            json_transform(case when {is_object} then raw_line end, {_quote(structure)}) as r
        from landed_lines where {is_object}
    """)
    con.execute("drop table landed_lines")  # each step keeps one copy of the lines, not four
    _refuse_foreign_files(con, table)
    con.execute(f"""
        create or replace temp table checked_lines as
        select *, nullif(concat_ws('; ', {', '.join(_json_checks(table))}), '') as reason
        from parsed_lines
    """)
    con.execute("drop table parsed_lines")
    con.execute(f"""
        insert into audit.rejected_rows
        select ?, ?, ?, source_file, {LANDING_DATE_OF_FILE}, line_number, raw_line, reason
        from checked_lines where reason is not null
    """, [run_id, source, table.table_name])
    values = ", ".join(_json_value(name, kind) for name, kind in table.columns)
    con.execute(f"""
        insert into raw.{table.table_name}
        select {values}, source_file, line_number, {LANDING_DATE_OF_FILE}, ?, ?
        from checked_lines where reason is null
    """, [run_id, started_at])
    con.execute("drop table checked_lines")


def _field(name: str) -> str:
    return f'r."{name}"'


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


def _refuse_foreign_files(con, table: RawTable) -> None:
    """A file none of whose rows has the table's key fields is not this export at all:
    one clear message, instead of every row rejected."""
    if not table.required:
        return
    present = " or ".join(f"{_field(name)} is not null" for name in table.required)
    foreign = con.execute(f"""
        select source_file from parsed_lines
        group by source_file
        having count(*) filter (where {present}) = 0
        order by source_file limit 1
    """).fetchone()
    if foreign:
        keys = con.execute(
            "select list_sort(list_distinct(flatten(list(json_keys(raw_line::json))))) from parsed_lines "
            "where source_file = ?", [foreign[0]]).fetchone()[0]
        raise LandingError(
            f"{foreign[0]}: not a {table.source} {table.entity} export: no row has "
            f"{', '.join(table.required)}; its fields are {', '.join(keys[:20])}")


def _load_csv(con, table: RawTable, files: list[Path], prefix: str, source: str, run_id: str,
              started_at: datetime) -> None:
    columns = [name for name, _ in table.columns]
    loaded, rejected = [], []
    for path in files:
        relative = str(path).replace(prefix, "", 1)
        landing_date = date.fromisoformat(path.parent.name)
        physical_lines = path.read_text(encoding="utf-8").split("\n")
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header_rows = HEADER_ROWS[table.file_format]
            end_of_previous = 0
            for row_index, row in enumerate(reader):
                start, end_of_previous = end_of_previous + 1, reader.line_num
                if row_index == 0 and row != columns:
                    raise LandingError(
                        f"{relative}: the columns are not those of a {table.source} {table.entity} export. "
                        f"Expected: {', '.join(columns)}. Found: {', '.join(row)}")
                if row_index < header_rows or not any(cell.strip() for cell in row):
                    continue
                reason = _csv_reason(table, columns, row)
                if reason:
                    raw_text = "\n".join(physical_lines[start - 1:end_of_previous])
                    rejected.append((run_id, source, table.table_name, relative, landing_date, start, raw_text, reason))
                else:
                    loaded.append((*row, relative, start, landing_date, run_id, started_at))
    if rejected:
        con.executemany("insert into audit.rejected_rows values (?, ?, ?, ?, ?, ?, ?, ?)", rejected)
    if loaded:
        frame = pd.DataFrame(loaded, columns=[*columns, *(name for name, _ in PROVENANCE_COLUMNS)])
        con.register("loaded_csv_rows", frame)
        try:
            con.execute(f"insert into raw.{table.table_name} select * from loaded_csv_rows")
        finally:
            con.unregister("loaded_csv_rows")


def _csv_reason(table: RawTable, columns: list[str], row: list[str]) -> str | None:
    if len(row) != len(columns):
        return f"malformed CSV row: {len(row)} fields, expected {len(columns)}"
    values = dict(zip(columns, row))
    reasons = [f'missing required field "{name}"' for name in table.required if not values[name].strip()]
    for name, lowest, highest, meaning in table.score_ranges:
        text = values[name].strip()
        if text and (not text.lstrip("-").isdigit() or not lowest <= int(text) <= highest):
            reasons.append(f"score out of range: {name} = {text!r} ({meaning}, {lowest}-{highest})")
    for name in ("RecordedDate", "SentDate"):
        text = values.get(name, "").strip()
        if text and not QUALTRICS_DATE.match(text):
            reasons.append(f'field "{name}" is not a date and time (YYYY-MM-DD hh:mm:ss): {text!r}')
    return "; ".join(reasons) or None


def _log(con, table: RawTable, files: list[Path], checksums: dict[str, str], landing: Path, source: str,
         run_id: str, started_at: datetime, days: set[date]) -> TableLoad:
    """One load_log row per file this run loaded; the table's totals."""
    names = [str(path.relative_to(landing)) for path in files]
    loaded = dict(con.execute(f"select _source_file, count(*) from raw.{table.table_name} "
                              f"where list_contains(?, _source_file) group by all", [names]).fetchall())
    rejected = dict(con.execute(
        "select source_file, count(*) from audit.rejected_rows where raw_table = ? and list_contains(?, source_file) "
        "group by all", [table.table_name, names]).fetchall())
    ended_at = datetime.now(timezone.utc).replace(tzinfo=None)
    rows = [(run_id, source, table.table_name, name, _day_of(path), checksums[name],
             loaded.get(name, 0) + rejected.get(name, 0), loaded.get(name, 0), rejected.get(name, 0), started_at, ended_at)
            for name, path in zip(names, files)]
    if rows:
        con.executemany("insert into audit.load_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    in_table = con.execute(f"select count(*) from raw.{table.table_name}").fetchone()[0]
    return TableLoad(table.table_name, len(files), sum(r[6] for r in rows), sum(loaded.values()),
                     sum(rejected.values()), in_table, tuple(sorted(days)))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def count_rows_in_file(path: Path, table: RawTable) -> int:
    """Rows in a landed file, counted without the loader: for the reconciliation check."""
    if table.file_format == "jsonl":
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())
    with path.open(newline="", encoding="utf-8") as handle:
        records = [row for row in csv.reader(handle)]
    return sum(1 for row in records[HEADER_ROWS[table.file_format]:] if any(cell.strip() for cell in row))
