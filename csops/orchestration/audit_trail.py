"""The loader's tables' shapes and its audit trail: the raw tables' provenance columns, the
audit tables (``load_log``, ``rejected_rows``, ``unread_files``), what the warehouse has loaded,
and the ledger (a copy of that for the sensor, which must not open the warehouse while a run writes).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import duckdb

from csops.orchestration.landing import FileStamp
from csops.orchestration.raw_tables import RAW_TABLES, RawTable

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
    # rows_read: the records the reader routed to the table from the file, counted apart from
    # what was inserted and rejected, so that a record lost between them shows.
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
    # Columns added later come last and may be null (older rows): see ensure_audit_tables.
    """
    create table if not exists audit.unread_files (
        run_id varchar not null,
        source varchar not null,
        source_file varchar not null,
        landing_date date,
        file_size_bytes bigint not null,
        file_modified_ns bigint not null,
        records bigint not null,
        reason varchar not null,
        file_sha256 varchar
    )
    """,
)

AUDIT_TABLES = ("load_log", "rejected_rows", "unread_files")


def ensure_audit_tables(con: duckdb.DuckDBPyConnection) -> bool:
    """Create the audit tables; add the columns a newer csops appends. If one was left by an
    older csops with other columns, all are made anew (the log and the rejected rows must
    agree), and every raw table with them. Returns whether that happened."""
    con.execute("create schema if not exists audit")
    outdated, appended = False, []
    for name in AUDIT_TABLES:
        existing, expected = column_names(con, "audit", name), audit_columns(name)
        if existing and existing == expected[:len(existing)]:
            appended += [(name, column) for column in expected[len(existing):]]
        elif existing:
            outdated = True
    if outdated:
        for name in AUDIT_TABLES:
            con.execute(f"drop table if exists audit.{name}")
    else:
        for name, column in appended:
            kind = re.search(rf"^\s+{column} (\w+)", _ddl_of(name), flags=re.MULTILINE).group(1)
            con.execute(f"alter table audit.{name} add column {column} {kind}")
    for ddl in AUDIT_DDL:
        con.execute(ddl)
    return outdated


def _ddl_of(name: str) -> str:
    return next(ddl for ddl in AUDIT_DDL if f"audit.{name} " in ddl)


def audit_columns(name: str) -> list[str]:
    return re.findall(r"^\s+(\w+) (?:varchar|bigint|date|timestamp)", _ddl_of(name), flags=re.MULTILINE)


def raw_ddl(table: RawTable) -> str:
    columns = ",\n    ".join(f'"{name}" {kind}' for name, kind in (*table.columns, *PROVENANCE_COLUMNS))
    return f"create or replace table raw.{table.table_name} (\n    {columns}\n)"


def column_names(con, schema: str, table_name: str) -> list[str]:
    return [c for c, in con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position", [schema, table_name]).fetchall()]


def expected_columns(table: RawTable) -> list[str]:
    return [name for name, _ in (*table.columns, *PROVENANCE_COLUMNS)]


def loaded_inventory(con: duckdb.DuckDBPyConnection) -> dict[str, FileStamp]:
    """The files as they were when loaded (or read and found unusable), from ``audit.load_log``
    and ``audit.unread_files``, with their digests. Tables that this csops would make anew
    (missing, or of an older shape) count as holding nothing."""
    if any(column_names(con, "audit", name) != audit_columns(name) for name in AUDIT_TABLES):
        return {}
    current = [t.table_name for t in RAW_TABLES if column_names(con, "raw", t.table_name) == expected_columns(t)]
    return {name: FileStamp(size, modified, digest or "") for name, size, modified, digest in con.execute(
        "select source_file, file_size_bytes, file_modified_ns, file_sha256 from audit.load_log "
        "where list_contains(?, raw_table) "
        "union all select source_file, file_size_bytes, file_modified_ns, file_sha256 from audit.unread_files "
        "where landing_date is not null", [current]).fetchall()}


def write_ledger(con: duckdb.DuckDBPyConnection, ledger: Path) -> None:
    """A copy of what the warehouse has loaded, for readers that must not open it while a run
    writes (the sensor). Written after the load commits; if a crash loses it, the days look
    stale and are loaded again, which changes nothing."""
    ledger.parent.mkdir(parents=True, exist_ok=True)
    staging = ledger.with_suffix(".tmp")
    files = {name: list(stamp) for name, stamp in sorted(loaded_inventory(con).items())}
    staging.write_text(json.dumps({"layout": layout(), "files": files}))
    staging.replace(ledger)


def read_ledger(ledger: Path, warehouse: Path) -> dict[str, FileStamp]:
    """What :func:`write_ledger` recorded; nothing if the warehouse it describes is gone, or
    if it was written for raw tables of another shape (they will be made anew, every day loaded)."""
    if not ledger.exists() or not warehouse.exists():
        return {}
    recorded = json.loads(ledger.read_text())
    if not isinstance(recorded, dict) or recorded.get("layout") != layout():
        return {}
    return {name: FileStamp(*stamp) for name, stamp in recorded["files"].items()}


def layout() -> str:
    """A digest of the raw and audit tables' shapes (and of the ledger's: stamps with digests)."""
    shapes = ["ledger: size, mtime, sha256", *AUDIT_DDL, *(raw_ddl(t) for t in RAW_TABLES)]
    return hashlib.sha256("".join(shapes).encode()).hexdigest()[:16]
