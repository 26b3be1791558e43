"""The warehouse's audit trail opened for reading, as ``audit.*`` whatever a run has made yet.

A first run can stop before loading anything or running any check, and a run that could not
open the warehouse kept its failure beside it (csops/audit/step_failures.py): the reader still
asks its questions of every audit table. So the warehouse is attached read-only to an
in-memory database whose ``audit`` schema has a view of each audit table there, an empty table
for each not there yet, and ``audit.step_failures`` with the failures kept beside it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import duckdb

from csops.audit.step_failures import StepFailure
from csops.kernel.paths import CsopsHome

# The columns the reader reads, per audit table.
AUDIT_COLUMNS = {
    "quality_results": "run_id varchar, checked_at timestamp, check_source varchar, asset varchar, check_name varchar, "
                       "severity varchar, is_passed boolean, observed varchar, report_path varchar",
    "load_log": "run_id varchar, source varchar, raw_table varchar, source_file varchar, landing_date date, "
                "rows_read bigint, rows_loaded bigint, rows_rejected bigint",
    "rejected_rows": "run_id varchar, source varchar, raw_table varchar, source_file varchar, landing_date date, "
                     "line_number bigint, record_number bigint, reason varchar",
    "unread_files": "run_id varchar, source varchar, source_file varchar, records bigint, reason varchar",
    "step_failures": "run_id varchar, job_name varchar, step_key varchar, failed_at timestamp, message varchar",
}


def _names(columns: str) -> str:
    return ", ".join(column.split()[0] for column in columns.split(", "))


@contextlib.contextmanager
def open_audit_trail(home: CsopsHome, failures_on_file: list[StepFailure]) -> Iterator[duckdb.DuckDBPyConnection]:
    """The audit trail, read-only. Raises ``duckdb.IOException`` while a run writes the warehouse."""
    with duckdb.connect() as con:
        present: set[str] = set()
        if home.warehouse.exists():
            quoted = str(home.warehouse).replace("'", "''")  # CSOPS_HOME is the user's to name
            con.execute(f"attach '{quoted}' as warehouse (read_only)")
            present = {name for name, in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = 'warehouse' and table_schema = 'audit'").fetchall()}
        con.execute("create schema audit")
        for table, columns in AUDIT_COLUMNS.items():
            if table in present and table != "step_failures":
                con.execute(f"create view audit.{table} as select {_names(columns)} from warehouse.audit.{table}")
            else:
                con.execute(f"create table audit.{table} ({columns})")
        if "step_failures" in present:
            con.execute(f"insert into audit.step_failures select {_names(AUDIT_COLUMNS['step_failures'])} "
                        "from warehouse.audit.step_failures")
        if failures_on_file:
            con.executemany("insert into audit.step_failures values (?, ?, ?, ?, ?)",
                            [(f.run_id, f.job_name, f.step_key, f.failed_at, f.message) for f in failures_on_file])
        yield con
