"""Load landed files into the warehouse's ``raw`` schema: every record loaded, or rejected with its reason.

No Dagster here: the load assets call :func:`load_source`, and so can a test.

The loader is four modules: this one (days, batches, transactions, the audit tables),
csops/orchestration/landing.py (what landed and what changed), csops/orchestration/routing.py (files read
and records routed to their tables) and csops/orchestration/record_checks.py (records checked and inserted).

- Every file under ``landing/<source>/`` is read as delivered (csops/orchestration/deliveries.py:
  gzip or ZIP, lines, concatenated objects, pages and connector envelopes) and each record
  routed to its raw table; a file csops cannot use goes to ``audit.unread_files`` with why.
- A table's records are then checked set-based in DuckDB: the fields a record cannot do
  without, the declared types, timestamps that name their timezone, a channel spelling csops
  knows. Records that pass are loaded with the declared types; the others go to
  ``audit.rejected_rows`` with file, line, record number, raw text and a reason a person
  understands.
- CSV exports (Qualtrics) are read by csops/orchestration/qualtrics.py through the survey's mapping;
  each row is checked the same way.
- ``audit.load_log`` gets, per file and raw table: its landing day (the Dagster partition),
  checksum, size and modification time, records read (as the reader routed them, counted
  apart), loaded and rejected, start and end.
- The landing day is the unit: a day is reloaded in one transaction, so a reader sees a
  day as it was or as it is now, never half a load, and loading the same files twice, or
  days in another order, gives the same tables.
- Landing is not the system of record. When a day reloads, each of its files in landing/
  replaces the rows it gave before; a file loaded before and gone from landing/ since (deleted,
  moved, made unreadable) keeps its rows and its audit rows, until ``csops drop`` removes its
  day (csops/orchestration/drops.py). So a day with one file gone and another changed keeps the gone
  file's rows and reloads the changed one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb

# The audit trail and the inventories are the loader's too: callers read them from here.
from csops.orchestration.audit_trail import AUDIT_DDL, AUDIT_TABLES, PROVENANCE_COLUMNS, column_names, \
    ensure_audit_tables, expected_columns, layout as _layout, loaded_inventory, raw_ddl, read_ledger, \
    write_ledger  # noqa: F401
from csops.orchestration.files import unpacked_size
from csops.orchestration.landing import FileStamp, LandedFile, day_of_name, file_stamp, gone_files, landed_inventory, \
    source_files, stale_days, unplaced_files  # noqa: F401
from csops.orchestration.raw_tables import RAW_TABLES, RawTable, tables_of
from csops.orchestration.record_checks import load_json_records
from csops.orchestration.routing import read_deliveries

# Days are loaded in batches of whole days, one transaction each; a batch's files are held
# in memory a few times over (lines, parsed fields, checked rows), so a batch is bounded.
BATCH_BYTES = 64 * 1024 * 1024


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


def load_source(con: duckdb.DuckDBPyConnection, landing: Path, source: str, run_id: str) -> list[TableLoad]:
    """Bring the raw tables of ``source`` up to what has landed: reload the days with a file
    new or changed since it was loaded (see :func:`stale_days`)."""
    prefix = source + "/"
    landed = {name: stamp for name, stamp in landed_inventory(landing).items() if name.startswith(prefix)}
    loaded = {name: stamp for name, stamp in loaded_inventory(con).items() if name.startswith(prefix)}
    return load_days(con, landing, source, stale_days(landed, loaded), run_id)


def load_days(con: duckdb.DuckDBPyConnection, landing: Path, source: str, days: Iterable[date],
              run_id: str) -> list[TableLoad]:
    """Reload the given landing days of every raw table of ``source`` from what has landed for them.

    The landing day is the unit (the Dagster partition): each day is reloaded inside one
    transaction, so a reader or a killed load never sees half a day, and loading a day twice
    gives the same rows. Each file in landing/ replaces its own rows; a file gone from landing/
    keeps them (see the module's docstring). Days are loaded in batches of whole days up to
    ``BATCH_BYTES`` of files, one transaction each, so memory stays bounded however much
    history is (re)loaded.
    """
    days = sorted(set(days))
    started_at = datetime.now(timezone.utc).replace(tzinfo=None)
    con.execute("create schema if not exists raw")
    audit_recreated = ensure_audit_tables(con)
    tables = tables_of(source)
    # A table new to this warehouse, or left by an older csops with other columns, is made
    # anew (with the first batch, so a killed load leaves the old one); its other days then
    # look unloaded to stale_days and are loaded by the next run.
    reshape = {t.table_name for t in tables
               if audit_recreated or column_names(con, "raw", t.table_name) != expected_columns(t)}
    landed = source_files(landing, source)[0]
    present = {f.name for f in landed}
    kept = sorted(name for name in loaded_inventory(con) if name.startswith(source + "/") and name not in present)
    wanted = set(days)
    files = [f for f in landed if f.day in wanted]
    totals = {t.table_name: [0, 0, 0, 0] for t in tables}  # files, rows read, loaded, rejected
    prefix = str(landing) + "/"
    for batch in _batches(days, files):
        con.execute("begin transaction")
        try:
            for table in tables:
                if table.table_name in reshape:
                    _make_anew(con, table, present)
                con.execute(f"delete from raw.{table.table_name} where list_contains(?, _landing_date) "
                            f"and not list_contains(?, _source_file)", [batch, kept])
                for audit_table in ("rejected_rows", "load_log"):
                    con.execute(f"delete from audit.{audit_table} where raw_table = ? and list_contains(?, landing_date) "
                                f"and not list_contains(?, source_file)", [table.table_name, batch, kept])
            con.execute("delete from audit.unread_files where source = ? and list_contains(?, landing_date) "
                        "and not list_contains(?, source_file)", [source, batch, kept])
            # Stamped (and digested) before reading: a file that changes meanwhile looks changed to the next run.
            stamps, unreadable = _stamps([f for f in files if f.day in batch])
            delivery = read_deliveries([f for f in files if f.path in stamps], source)
            delivery.unread += unreadable
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
                counts = _log(con, table, table_stamps, delivery.read_counts(table.table_name), landing, source,
                              run_id, started_at)
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


def _make_anew(con, table: RawTable, present: set[str]) -> None:
    """The raw table made in this csops's shape. The rows of files gone from landing/ are carried
    over (the columns both shapes have): they cannot be read again. The others are reloaded."""
    name = table.table_name
    before = column_names(con, "raw", name)
    # Only a table csops made holds rows of landed files (an analyst's view or table of that name
    # has no _source_file): anything else is replaced, and the run stops if it cannot be.
    kept = [] if "_source_file" not in before else sorted(
        {file for file, in con.execute(f"select distinct _source_file from raw.{name}").fetchall()} - present)
    if kept:
        con.execute(f"alter table raw.{name} rename to {name}__before")
    con.execute(raw_ddl(table))
    if kept:
        kinds = dict((*table.columns, *PROVENANCE_COLUMNS))
        common = [column for column in expected_columns(table) if column in before]
        con.execute(f"insert into raw.{name} ({', '.join(f'{chr(34)}{c}{chr(34)}' for c in common)}) "
                    f"select {', '.join(f'try_cast({chr(34)}{c}{chr(34)} as {kinds[c]})' for c in common)} "
                    f"from raw.{name}__before where list_contains(?, _source_file)", [kept])
        con.execute(f"drop table raw.{name}__before")
    for audit_table in ("rejected_rows", "load_log"):
        con.execute(f"delete from audit.{audit_table} where raw_table = ? and not list_contains(?, source_file)",
                    [name, kept])


def _stamps(files: list[LandedFile]) -> tuple[dict[Path, FileStamp], list[tuple[LandedFile, int, str]]]:
    """Each file's stamp, and the files that could not be read since they were listed."""
    stamps, unreadable = {}, []
    for file in files:
        try:
            stamps[file.path] = file_stamp(file.path)
        except OSError as error:
            stamps[file.path] = FileStamp(0, 0, "")
            unreadable.append((file, 0, f"cannot be read ({error.strerror})"))
    return {path: stamp for path, stamp in stamps.items() if stamp.sha256}, unreadable


def _record_unread(con, unread: list[tuple[LandedFile, int, str]], stamps: dict[Path, FileStamp], source: str,
                   run_id: str) -> None:
    rows = [(run_id, source, file.name, file.day, *(stamp := stamps.get(file.path, FileStamp(0, 0, "")))[:2], records,
             reason, stamp.sha256 or None) for file, records, reason in unread]
    if rows:
        con.executemany("insert into audit.unread_files values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _batches(days: list[date], files: list[LandedFile]) -> list[list[date]]:
    """Consecutive days grouped up to BATCH_BYTES of unpacked files (a day is never split): a
    gzip object holds twenty times its size in records. There is always one batch, if empty,
    so that a table's shape is settled even with no day to load."""
    size_of_day: dict[date, int] = {}
    for file in files:
        try:
            size = unpacked_size(file.path)
        except OSError:
            size = 0  # gone since listed: the load says so
        size_of_day[file.day] = size_of_day.get(file.day, 0) + size
    batches: list[list[date]] = [[]]
    batch_bytes = 0
    for day in days:
        if batches[-1] and batch_bytes + size_of_day.get(day, 0) > BATCH_BYTES:
            batches.append([])
            batch_bytes = 0
        batches[-1].append(day)
        batch_bytes += size_of_day.get(day, 0)
    return batches


def _load_csv(con, table: RawTable, files: list[Path], prefix: str, source: str, run_id: str,
              started_at: datetime) -> None:
    # Qualtrics' exports are read by their own module, which builds on this one (hence imported here).
    from csops.orchestration import qualtrics

    qualtrics.load_csv(con, table, files, prefix, source, run_id, started_at)


def _log(con, table: RawTable, stamps: dict[Path, FileStamp], read: dict[str, int], landing: Path, source: str,
         run_id: str, started_at: datetime) -> tuple[int, int, int]:
    """One load_log row per file loaded into the table: records read (as routed by the reader, or
    counted in a CSV export), loaded and rejected; summed over the files."""
    names = {str(path.relative_to(landing)): path for path in stamps}
    loaded = dict(con.execute(f"select _source_file, count(*) from raw.{table.table_name} "
                              f"where list_contains(?, _source_file) group by all", [list(names)]).fetchall())
    rejected = dict(con.execute(
        "select source_file, count(*) from audit.rejected_rows where raw_table = ? and list_contains(?, source_file) "
        "group by all", [table.table_name, list(names)]).fetchall())
    ended_at = datetime.now(timezone.utc).replace(tzinfo=None)
    rows = [(run_id, source, table.table_name, name, day_of_name(name), stamps[path].sha256, *stamps[path][:2],
             read[name] if name in read else _count_csv_records(path, table), loaded.get(name, 0),
             rejected.get(name, 0), started_at, ended_at)
            for name, path in names.items()]
    if rows:
        con.executemany(f"insert into audit.load_log values ({', '.join('?' * 13)})", rows)
    return sum(r[8] for r in rows), sum(loaded.values()), sum(rejected.values())


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
    from csops.orchestration import qualtrics

    return qualtrics.count_records(path)
