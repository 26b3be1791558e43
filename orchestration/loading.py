"""Load landed files into the warehouse's ``raw`` schema: every record loaded, or rejected with its reason.

No Dagster here: the load assets call :func:`load_source`, and so can a test.

The loader is four modules: this one (days, batches, transactions, the audit tables),
orchestration/landing.py (what landed and what changed), orchestration/routing.py (files read
and records routed to their tables) and orchestration/record_checks.py (records checked and inserted).

- Every file under ``landing/<source>/`` is read as delivered (orchestration/deliveries.py:
  gzip or ZIP, lines, concatenated objects, pages and connector envelopes) and each record
  routed to its raw table; a file csops cannot use goes to ``audit.unread_files`` with why.
- A table's records are then checked set-based in DuckDB: the fields a record cannot do
  without, the declared types, timestamps that name their timezone, a channel spelling csops
  knows. Records that pass are loaded with the declared types; the others go to
  ``audit.rejected_rows`` with file, line, record number, raw text and a reason a person
  understands.
- CSV exports (Qualtrics) are read by orchestration/qualtrics.py through the survey's mapping;
  each row is checked the same way.
- ``audit.load_log`` gets, per file and raw table: its landing day (the Dagster partition),
  checksum, size and modification time, records read, loaded and rejected, start and end.
- The landing day is the unit: a day is replaced whole in one transaction, so a reader
  sees a day as it was or as it is now, never half a load, and loading the same files
  twice, or days in another order, gives the same tables.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb

from orchestration.deliveries import unpacked_size
# The inventory of what landed is the loader's too: callers read it from here.
from orchestration.landing import FileStamp, LandedFile, day_of_name, file_stamp, landed_inventory, source_files, \
    stale_days, unplaced_files  # noqa: F401
from orchestration.raw_tables import RAW_TABLES, RawTable, tables_of
from orchestration.record_checks import load_json_records
from orchestration.routing import read_deliveries

# Days are loaded in batches of whole days, one transaction each; a batch's files are held
# in memory a few times over (lines, parsed fields, checked rows), so a batch is bounded.
BATCH_BYTES = 64 * 1024 * 1024

# Provenance columns added to every raw row: which file and line, which landing day, which run.
PROVENANCE_COLUMNS = (
    ("_source_file", "VARCHAR"),
    ("_source_line", "BIGINT"),  # the line the record starts on
    ("_source_record", "BIGINT"),  # its place in the file: in a Firehose object every record is on line 1
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
        record_number bigint not null,
        raw_text varchar,
        reason varchar not null
    )
    """,
    # Files under landing/ that csops did not load, and why: nothing is ignored silently.
    """
    create table if not exists audit.unread_files (
        run_id varchar not null,
        source varchar not null,
        source_file varchar not null,
        landing_date date,
        file_size_bytes bigint not null,
        file_modified_ns bigint not null,
        records bigint not null,
        reason varchar not null
    )
    """,
)

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


class LandingError(ValueError):
    """A landed file csops cannot read at all; the message names the file and what is wrong."""


def _ensure_audit_tables(con: duckdb.DuckDBPyConnection) -> bool:
    """Create the audit tables. If one was left by an older csops with other columns, both
    are made anew (the log and the rejected rows must agree), and every raw table with them,
    so every day then counts as unloaded. Returns whether that happened."""
    con.execute("create schema if not exists audit")
    outdated = False
    for name in AUDIT_TABLES:
        existing = _column_names(con, "audit", name)
        outdated = outdated or (bool(existing) and existing != _audit_columns(name))
    if outdated:
        for name in AUDIT_TABLES:
            con.execute(f"drop table if exists audit.{name}")
    for ddl in AUDIT_DDL:
        con.execute(ddl)
    return outdated


AUDIT_TABLES = ("load_log", "rejected_rows", "unread_files")


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
    files = [f for f in source_files(landing, source)[0] if f.day in wanted]
    totals = {t.table_name: [0, 0, 0, 0] for t in tables}  # files, rows read, loaded, rejected
    prefix = str(landing) + "/"
    for batch in _batches(days, files):
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
            con.execute("delete from audit.unread_files where source = ? and list_contains(?, landing_date)",
                        [source, batch])
            batch_files = [f for f in files if f.day in batch]
            # Stamped before reading: a file that changes meanwhile looks changed to the next run.
            stamps = {f.path: file_stamp(f.path) for f in batch_files}
            delivery = read_deliveries(batch_files, source)
            for table in tables:
                records = delivery.records.get(table.table_name, [])
                if records:
                    delivery.unread += [(delivery.by_name[file.name], count, reason) for file, count, reason
                                        in load_json_records(con, table, records, source, run_id, started_at)]
                for csv_file in delivery.csv_files.get(table.table_name, []):
                    try:  # one export at a time: a survey with no mapping is listed, the others load
                        _load_csv(con, table, [csv_file.path], prefix, source, run_id, started_at)
                    except LandingError as error:
                        delivery.unread.append((csv_file, 0, str(error).removeprefix(f"{csv_file.name}: ")))
                table_stamps = {f.path: stamps[f.path] for f in delivery.files_of(table.table_name)}
                counts = _log(con, table, table_stamps, landing, source, run_id, started_at)
                totals[table.table_name] = [a + b for a, b in zip(totals[table.table_name],
                                                                  (len(table_stamps), *counts))]
            _record_unread(con, delivery.unread, stamps, source, run_id)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        reshape.clear()
    return [TableLoad(t.table_name, *totals[t.table_name],
                      con.execute(f"select count(*) from raw.{t.table_name}").fetchone()[0], tuple(days))
            for t in tables]


def _record_unread(con, unread: list[tuple[LandedFile, int, str]], stamps: dict[Path, FileStamp], source: str,
                   run_id: str) -> None:
    rows = [(run_id, source, file.name, file.day, *stamps[file.path], records, reason) for file, records, reason in unread]
    if rows:
        con.executemany("insert into audit.unread_files values (?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _batches(days: list[date], files: list[LandedFile]) -> list[list[date]]:
    """Consecutive days grouped up to BATCH_BYTES of unpacked files (a day is never split): a
    gzip object holds twenty times its size in records. There is always one batch, if empty,
    so that a table's shape is settled even with no day to load."""
    size_of_day: dict[date, int] = {}
    for file in files:
        size_of_day[file.day] = size_of_day.get(file.day, 0) + unpacked_size(file.path)
    batches: list[list[date]] = [[]]
    batch_bytes = 0
    for day in days:
        if batches[-1] and batch_bytes + size_of_day.get(day, 0) > BATCH_BYTES:
            batches.append([])
            batch_bytes = 0
        batches[-1].append(day)
        batch_bytes += size_of_day.get(day, 0)
    return batches


def _column_names(con, schema: str, table_name: str) -> list[str]:
    return [c for c, in con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position", [schema, table_name]).fetchall()]


def _expected_columns(table: RawTable) -> list[str]:
    return [name for name, _ in (*table.columns, *PROVENANCE_COLUMNS)]


def loaded_inventory(con: duckdb.DuckDBPyConnection) -> dict[str, FileStamp]:
    """The files as they were when loaded (or read and found unusable), from ``audit.load_log``
    and ``audit.unread_files``. Tables that this csops would make anew (missing, or of an older
    shape) count as holding nothing."""
    if any(_column_names(con, "audit", name) != _audit_columns(name) for name in AUDIT_TABLES):
        return {}
    current = [t.table_name for t in RAW_TABLES if _column_names(con, "raw", t.table_name) == _expected_columns(t)]
    return {name: FileStamp(size, modified) for name, size, modified in con.execute(
        "select source_file, file_size_bytes, file_modified_ns from audit.load_log where list_contains(?, raw_table) "
        "union all select source_file, file_size_bytes, file_modified_ns from audit.unread_files "
        "where landing_date is not null", [current]).fetchall()}


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


def _load_csv(con, table: RawTable, files: list[Path], prefix: str, source: str, run_id: str,
              started_at: datetime) -> None:
    # Qualtrics' exports are read by their own module, which builds on this one (hence imported here).
    from orchestration import qualtrics

    qualtrics.load_csv(con, table, files, prefix, source, run_id, started_at)


def _log(con, table: RawTable, stamps: dict[Path, FileStamp], landing: Path, source: str, run_id: str,
         started_at: datetime) -> tuple[int, int, int]:
    """One load_log row per file loaded into the table; rows read, loaded and rejected, summed over them."""
    names = {str(path.relative_to(landing)): path for path in stamps}
    loaded = dict(con.execute(f"select _source_file, count(*) from raw.{table.table_name} "
                              f"where list_contains(?, _source_file) group by all", [list(names)]).fetchall())
    rejected = dict(con.execute(
        "select source_file, count(*) from audit.rejected_rows where raw_table = ? and list_contains(?, source_file) "
        "group by all", [table.table_name, list(names)]).fetchall())
    ended_at = datetime.now(timezone.utc).replace(tzinfo=None)
    rows = [(run_id, source, table.table_name, name, day_of_name(name), _sha256(path), *stamps[path],
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


def count_records(landing: Path, name: str, source: str) -> dict[str, int]:
    """Records per raw table in one landed file, read again from the file: for the reconciliation
    check, which holds them against what the load inserted and rejected."""
    file = LandedFile(landing / name, name, day_of_name(name))
    delivery = read_deliveries([file], source)
    counts = {table: len(rows) for table, rows in delivery.records.items()}
    for table, files in delivery.csv_files.items():
        counts[table] = _count_csv_records(file.path, next(t for t in RAW_TABLES if t.table_name == table))
    return counts


def _count_csv_records(path: Path, table: RawTable) -> int:
    from orchestration import qualtrics

    return qualtrics.count_records(path)
