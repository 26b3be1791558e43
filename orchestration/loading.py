"""Load landed files into the warehouse's ``raw`` schema: every row loaded, or rejected with its reason.

No Dagster here: the load assets call :func:`load_source`, and so can a test.

- JSON lines are read by DuckDB as text, one numbered line per row, and checked set-based:
  valid JSON, the fields a row cannot do without, the declared types, timestamps that name
  their timezone, a channel spelling csops knows. Rows that pass are loaded with the
  declared types; the others go to ``audit.rejected_rows`` with file, line, raw text and a
  reason a person understands. Blank lines are not rows.
- CSV exports (Qualtrics) are read with Python's csv module, which numbers the lines of
  records whose quoted comments span lines; each row is checked the same way.
- ``audit.load_log`` gets, per file: its landing day (the Dagster partition), checksum,
  size and modification time, rows read, loaded and rejected, start and end.
- The landing day is the unit: a day is replaced whole in one transaction, so a reader
  sees a day as it was or as it is now, never half a load, and loading the same files
  twice, or days in another order, gives the same tables.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import duckdb
import pandas as pd

from orchestration.raw_tables import RAW_TABLES, RawTable, tables_of

REPO_ROOT = Path(__file__).resolve().parents[1]
HEADER_ROWS = {"jsonl": 0, "csv": 1, "qualtrics_csv": 3}
# Days are loaded in batches of whole days, one transaction each; a batch's files are held
# in memory a few times over (lines, parsed fields, checked rows), so a batch is bounded.
BATCH_BYTES = 64 * 1024 * 1024

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
        file_size_bytes bigint not null,
        file_modified_ns bigint not null,
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
    days_loaded: tuple[date, ...]


class FileStamp(NamedTuple):
    """What tells a landed file changed, without reading it."""

    size_bytes: int
    modified_ns: int


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
    are made anew (the log and the rejected rows must agree), and every raw table with them,
    so every day then counts as unloaded. Returns whether that happened."""
    con.execute("create schema if not exists audit")
    outdated = False
    for name in ("load_log", "rejected_rows"):
        existing = _column_names(con, "audit", name)
        outdated = outdated or (bool(existing) and existing != _audit_columns(name))
    if outdated:
        con.execute("drop table if exists audit.load_log")
        con.execute("drop table if exists audit.rejected_rows")
    for ddl in AUDIT_DDL:
        con.execute(ddl)
    return outdated


def _audit_columns(name: str) -> list[str]:
    ddl = next(ddl for ddl in AUDIT_DDL if f"audit.{name} " in ddl)
    return re.findall(r"^\s+(\w+) (?:varchar|bigint|date|timestamp)", ddl, flags=re.MULTILINE)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ddl(table: RawTable) -> str:
    columns = ",\n    ".join(f'"{name}" {kind}' for name, kind in (*table.columns, *PROVENANCE_COLUMNS))
    return f"create or replace table raw.{table.table_name} (\n    {columns}\n)"


def load_source(con: duckdb.DuckDBPyConnection, landing: Path, source: str, run_id: str) -> list[TableLoad]:
    """Bring the raw tables of ``source`` up to what has landed: reload the days whose files
    are new, changed or gone since they were loaded (see :func:`stale_days`)."""
    prefix = source + "/"
    landed = {name: stamp for name, stamp in landed_inventory(landing).items() if name.startswith(prefix)}
    loaded = {name: stamp for name, stamp in loaded_inventory(con).items() if name.startswith(prefix)}
    return load_days(con, landing, source, stale_days(landed, loaded), run_id)


def load_days(con: duckdb.DuckDBPyConnection, landing: Path, source: str, days: Iterable[date],
              run_id: str) -> list[TableLoad]:
    """Replace the given landing days of every raw table of ``source`` by what has landed for them.

    The landing day is the unit (the Dagster partition): each day is replaced whole, inside
    one transaction, so a reader or a killed load never sees half a day, and loading a day
    twice gives the same rows. Days are loaded in batches of whole days up to
    ``BATCH_BYTES`` of files, one transaction each, so memory stays bounded however much
    history is (re)loaded.
    """
    days = sorted(set(days))
    started_at = datetime.now(timezone.utc).replace(tzinfo=None)
    con.execute("create schema if not exists raw")
    audit_recreated = _ensure_audit_tables(con)
    tables = tables_of(source)
    # A table new to this warehouse, or left by an older csops with other columns, is made
    # anew (with the first batch, so a killed load leaves the old one); its other days then
    # look unloaded to stale_days and are loaded by the next run.
    reshape = {t.table_name for t in tables
               if audit_recreated or _column_names(con, "raw", t.table_name) != _expected_columns(t)}
    wanted = set(days)
    files = {t.table_name: [f for f in landed_files(landing, t) if _day_of(f) in wanted] for t in tables}
    totals = {t.table_name: [0, 0, 0, 0] for t in tables}  # files, rows read, loaded, rejected
    prefix = str(landing) + "/"
    for batch in _batches(days, [f for table_files in files.values() for f in table_files]):
        con.execute("begin transaction")
        try:
            for table in tables:
                if table.table_name in reshape:
                    con.execute(_ddl(table))
                    for audit_table in ("rejected_rows", "load_log"):
                        con.execute(f"delete from audit.{audit_table} where raw_table = ?", [table.table_name])
                con.execute(f"delete from raw.{table.table_name} where list_contains(?, _landing_date)", [batch])
                for audit_table in ("rejected_rows", "load_log"):
                    con.execute(f"delete from audit.{audit_table} where raw_table = ? and list_contains(?, landing_date)",
                                [table.table_name, batch])
                to_load = [f for f in files[table.table_name] if _day_of(f) in batch]
                # Stamped before reading: a file that changes meanwhile looks changed to the next run.
                stamps = {f: _stamp(f) for f in to_load}
                if to_load and table.file_format == "jsonl":
                    _load_json_lines(con, table, to_load, prefix, source, run_id, started_at)
                elif to_load:
                    _load_csv(con, table, to_load, prefix, source, run_id, started_at)
                counts = _log(con, table, stamps, landing, source, run_id, started_at)
                totals[table.table_name] = [a + b for a, b in zip(totals[table.table_name], (len(to_load), *counts))]
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        reshape.clear()
    return [TableLoad(t.table_name, *totals[t.table_name],
                      con.execute(f"select count(*) from raw.{t.table_name}").fetchone()[0], tuple(days))
            for t in tables]


def _batches(days: list[date], files: list[Path]) -> list[list[date]]:
    """Consecutive days grouped up to BATCH_BYTES of files (a day is never split). There is
    always one batch, if empty, so that a table's shape is settled even with no day to load."""
    size_of_day: dict[date, int] = {}
    for path in files:
        size_of_day[_day_of(path)] = size_of_day.get(_day_of(path), 0) + path.stat().st_size
    batches: list[list[date]] = [[]]
    batch_bytes = 0
    for day in days:
        if batches[-1] and batch_bytes + size_of_day.get(day, 0) > BATCH_BYTES:
            batches.append([])
            batch_bytes = 0
        batches[-1].append(day)
        batch_bytes += size_of_day.get(day, 0)
    return batches


def _day_of(path: Path) -> date:
    return date.fromisoformat(path.parent.name)


def _stamp(path: Path) -> FileStamp:
    stat = path.stat()
    return FileStamp(stat.st_size, stat.st_mtime_ns)


def _column_names(con, schema: str, table_name: str) -> list[str]:
    return [c for c, in con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position", [schema, table_name]).fetchall()]


def _expected_columns(table: RawTable) -> list[str]:
    return [name for name, _ in (*table.columns, *PROVENANCE_COLUMNS)]


def landed_inventory(landing: Path) -> dict[str, FileStamp]:
    """Every landed file csops reads (``source/day/file``), with its size and modification time."""
    return {str(path.relative_to(landing)): _stamp(path)
            for table in RAW_TABLES for path in landed_files(landing, table)}


def loaded_inventory(con: duckdb.DuckDBPyConnection) -> dict[str, FileStamp]:
    """The files as they were when loaded, from ``audit.load_log``. Tables that this csops
    would make anew (missing, or of an older shape) count as holding nothing."""
    if _column_names(con, "audit", "load_log") != _audit_columns("load_log"):
        return {}
    current = [t.table_name for t in RAW_TABLES if _column_names(con, "raw", t.table_name) == _expected_columns(t)]
    return {name: FileStamp(size, modified) for name, size, modified in con.execute(
        "select source_file, file_size_bytes, file_modified_ns from audit.load_log where list_contains(?, raw_table)",
        [current]).fetchall()}


def stale_days(landed: dict[str, FileStamp], loaded: dict[str, FileStamp]) -> list[date]:
    """Landing days to (re)load: those with a file new, changed (size or modification time)
    or gone since it was loaded. A day whose files are as they were loaded is left alone, so
    a late file reloads its own day only and loading again changes nothing. Size and time,
    not content: a file rewritten unchanged reloads its day, which changes nothing."""
    changed = {name for name, stamp in landed.items() if loaded.get(name) != stamp} | (loaded.keys() - landed.keys())
    return sorted({date.fromisoformat(Path(name).parent.name) for name in changed})


def write_ledger(con: duckdb.DuckDBPyConnection, ledger: Path) -> None:
    """A copy of what the warehouse has loaded, for readers that must not open it while a run
    writes (the sensor). Written after the load commits; if a crash loses it, the days look
    stale and are loaded again, which changes nothing."""
    ledger.parent.mkdir(parents=True, exist_ok=True)
    staging = ledger.with_suffix(".tmp")
    files = {name: list(stamp) for name, stamp in sorted(loaded_inventory(con).items())}
    staging.write_text(json.dumps({"layout": _layout(), "files": files}))
    staging.replace(ledger)


def read_ledger(ledger: Path, warehouse: Path) -> dict[str, FileStamp]:
    """What :func:`write_ledger` recorded; nothing if the warehouse it describes is gone, or
    if it was written for raw tables of another shape (they will be made anew, every day loaded)."""
    if not ledger.exists() or not warehouse.exists():
        return {}
    recorded = json.loads(ledger.read_text())
    if not isinstance(recorded, dict) or recorded.get("layout") != _layout():
        return {}
    return {name: FileStamp(*stamp) for name, stamp in recorded["files"].items()}


def _layout() -> str:
    """A digest of the raw and audit tables' shapes."""
    return hashlib.sha256("".join([*AUDIT_DDL, *(_ddl(t) for t in RAW_TABLES)]).encode()).hexdigest()[:16]


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


def _log(con, table: RawTable, stamps: dict[Path, FileStamp], landing: Path, source: str, run_id: str,
         started_at: datetime) -> tuple[int, int, int]:
    """One load_log row per file loaded; rows read, loaded and rejected, summed over them."""
    names = {str(path.relative_to(landing)): path for path in stamps}
    loaded = dict(con.execute(f"select _source_file, count(*) from raw.{table.table_name} "
                              f"where list_contains(?, _source_file) group by all", [list(names)]).fetchall())
    rejected = dict(con.execute(
        "select source_file, count(*) from audit.rejected_rows where raw_table = ? and list_contains(?, source_file) "
        "group by all", [table.table_name, list(names)]).fetchall())
    ended_at = datetime.now(timezone.utc).replace(tzinfo=None)
    rows = [(run_id, source, table.table_name, name, _day_of(path), _sha256(path), *stamps[path],
             loaded.get(name, 0) + rejected.get(name, 0), loaded.get(name, 0), rejected.get(name, 0), started_at, ended_at)
            for name, path in names.items()]
    if rows:
        con.executemany(f"insert into audit.load_log values ({', '.join('?' * 13)})", rows)
    return sum(r[8] for r in rows), sum(loaded.values()), sum(rejected.values())


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
