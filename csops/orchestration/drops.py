"""``csops drop``: landing days removed from the warehouse on purpose, and written down.

Landing is not the system of record: a day's rows stay when its files leave landing/ (see
csops/orchestration/loading.py). Removing them is a decision, taken by a person, for a source and a
range of days: their raw rows, rejected rows, load-log and unread-file rows go, and
``audit.dropped_days`` keeps who dropped what, when, and how many rows. Files of those days still
in landing/ are loaded again by the next run (they are new to the warehouse): the result says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb

from csops.orchestration.audit_trail import column_names, ensure_audit_tables
from csops.orchestration.landing import source_files
from csops.orchestration.raw_tables import tables_of

DROPPED_DAYS_DDL = """
    create table if not exists audit.dropped_days (
        dropped_at timestamp not null,
        dropped_by varchar not null,
        source varchar not null,
        landing_date date not null,
        raw_table varchar not null,
        files bigint not null,
        rows_dropped bigint not null,
        rows_rejected_dropped bigint not null,
        files_still_landed bigint not null
    )
"""


@dataclass(frozen=True)
class DroppedDay:
    landing_date: date
    raw_table: str  # or "unread files"
    files: int
    rows: int
    rejected: int
    files_still_landed: int  # loaded again by the next run


def drop_days(con: duckdb.DuckDBPyConnection, landing: Path, source: str, first: date, last: date,
              dropped_by: str, dry_run: bool = False) -> list[DroppedDay]:
    """Remove ``source``'s landing days ``first``..``last`` from the warehouse, in one transaction,
    and record it in ``audit.dropped_days`` (one row per day and raw table that held anything)."""
    ensure_audit_tables(con)
    con.execute(DROPPED_DAYS_DDL)
    still = {}
    for file in source_files(landing, source)[0]:
        if first <= file.day <= last:
            still[file.day] = still.get(file.day, 0) + 1
    span = "landing_date between ? and ?"
    dropped: list[DroppedDay] = []
    con.execute("begin transaction")
    try:
        for table in tables_of(source):
            name = table.table_name
            rows = dict(con.execute(f"select _landing_date, count(*) from raw.{name} where _landing_date between ? "
                                    f"and ? group by all", [first, last]).fetchall()) if column_names(con, "raw", name) else {}
            rejected = dict(con.execute(f"select landing_date, count(*) from audit.rejected_rows where raw_table = ? "
                                        f"and {span} group by all", [name, first, last]).fetchall())
            files = dict(con.execute(f"select landing_date, count(distinct source_file) from audit.load_log "
                                     f"where raw_table = ? and {span} group by all", [name, first, last]).fetchall())
            dropped += [DroppedDay(day, name, files.get(day, 0), rows.get(day, 0), rejected.get(day, 0), still.get(day, 0))
                        for day in sorted({*rows, *rejected, *files})]
            if rows:
                con.execute(f"delete from raw.{name} where _landing_date between ? and ?", [first, last])
            for audit_table in ("rejected_rows", "load_log"):
                con.execute(f"delete from audit.{audit_table} where raw_table = ? and {span}", [name, first, last])
        unread = con.execute(f"select landing_date, count(*) from audit.unread_files where source = ? and {span} "
                             f"group by all order by 1", [source, first, last]).fetchall()
        dropped += [DroppedDay(day, "unread files", count, 0, 0, still.get(day, 0)) for day, count in unread]
        con.execute(f"delete from audit.unread_files where source = ? and {span}", [source, first, last])
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        con.executemany("insert into audit.dropped_days values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [(now, dropped_by, source, d.landing_date, d.raw_table, d.files, d.rows, d.rejected,
                          d.files_still_landed) for d in dropped])
        con.execute("rollback" if dry_run else "commit")
    except BaseException:
        con.execute("rollback")
        raise
    return dropped
