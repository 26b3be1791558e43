"""The hand-over between the pipeline and the app.

DuckDB lets one process hold a file read-write and no other open it meanwhile, so the
app never opens the working warehouse. After a run passes its blocking checks, the
pipeline copies the marts into a new, self-contained DuckDB file under
``published/`` and then atomically replaces ``published/current.json`` to point at it.
Readers open the file named by the pointer read-only; a new publication is a new file,
so a reader is never blocked by, and never blocks, a run.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from csops.paths import CsopsHome

POINTER_NAME = "current.json"
# The audit tables published beside the marts.
AUDIT_TABLES = ("load_log", "rejected_rows", "quality_results")
# A rejected row's text is the customer's data as exported (names, e-mails, numbers): it stays
# in the warehouse for `csops audit`; the app gets its file, line and reason.
AUDIT_COLUMNS_KEPT_BACK = {"rejected_rows": ("raw_text",)}
# The latest run's outcome for the app: published, or blocked by a failed blocking check.
LAST_RUN_NAME = "last_run.json"
# How many blocking failures the app's notice lists (audit.quality_results has them all).
FAILURES_KEPT = 20
# Older publications are kept a while so that a reader that opened one before a
# newer run finished can finish its queries.
KEEP_PUBLICATIONS = 3


@dataclass(frozen=True)
class Publication:
    path: Path
    run_id: str
    published_at: str
    as_of: str | None
    tables: tuple[str, ...]
    # The audit trail as of the publication (load log, rejected rows, check results), for
    # the app's data-quality page.
    audit_tables: tuple[str, ...] = ()


@dataclass(frozen=True)
class LastRun:
    """What the latest run did: ``published``, or ``blocked`` with the blocking failures it met."""

    run_id: str
    outcome: str  # "published" or "blocked"
    at: str
    blocking_failures: tuple[str, ...] = ()
    blocking_failure_count: int = 0


def read_last_run(home: CsopsHome) -> LastRun | None:
    """The latest run's outcome; None before any run published or was blocked."""
    path = home.published / LAST_RUN_NAME
    if not path.exists():
        return None
    meta = json.loads(path.read_text())
    return LastRun(run_id=meta["run_id"], outcome=meta["outcome"], at=meta["at"],
                   blocking_failures=tuple(meta.get("blocking_failures", ())),
                   blocking_failure_count=meta.get("blocking_failure_count", 0))


def mark_blocked(home: CsopsHome, run_id: str, failures: list[str]) -> None:
    """Record that ``run_id`` met blocking failures: it will not publish, and the app says so.

    Failures of the same run accumulate (a run's checks report one after another)."""
    previous = read_last_run(home)
    kept: list[str] = []
    count = 0
    if previous is not None and previous.run_id == run_id and previous.outcome == "blocked":
        kept, count = list(previous.blocking_failures), previous.blocking_failure_count
    new = [failure for failure in dict.fromkeys(failures) if failure not in kept]
    _write_last_run(home, {"run_id": run_id, "outcome": "blocked",
                           "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                           "blocking_failures": (kept + new)[:FAILURES_KEPT], "blocking_failure_count": count + len(new)})


def _write_last_run(home: CsopsHome, meta: dict) -> None:
    home.published.mkdir(parents=True, exist_ok=True)
    tmp = home.published / (LAST_RUN_NAME + ".tmp")
    tmp.write_text(json.dumps(meta, indent=2))
    os.replace(tmp, home.published / LAST_RUN_NAME)


def read_current(home: CsopsHome) -> Publication | None:
    """The latest good publication, or None when no run has published yet."""
    pointer = home.published / POINTER_NAME
    if not pointer.exists():
        return None
    meta = json.loads(pointer.read_text())
    path = home.published / meta["file"]
    if not path.exists():
        return None
    return Publication(
        path=path,
        run_id=meta["run_id"],
        published_at=meta["published_at"],
        as_of=meta.get("as_of"),
        tables=tuple(meta.get("tables", ())),
        audit_tables=tuple(meta.get("audit_tables", ())),
    )


def publish(home: CsopsHome, warehouse: duckdb.DuckDBPyConnection, run_id: str, schema: str = "marts") -> Publication:
    """Copy every table of ``schema`` into a new file and point ``current.json`` at it.

    ``warehouse`` is the pipeline's open read-write connection to the working warehouse.
    """
    home.published.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc)
    file_name = f"marts-{stamp:%Y%m%dT%H%M%S%f}-{run_id[:8]}.duckdb"
    target = home.published / file_name
    tables = [
        row[0]
        for row in warehouse.execute(
            "select table_name from information_schema.tables where table_schema = ? and table_catalog = current_database() order by 1",
            [schema],
        ).fetchall()
    ]
    audit_tables = [
        row[0]
        for row in warehouse.execute(
            "select table_name from information_schema.tables where table_schema = 'audit' "
            "and table_catalog = current_database() and list_contains(?, table_name) order by 1",
            [list(AUDIT_TABLES)],
        ).fetchall()
    ]
    alias = "publication_target"
    quoted_target = str(target).replace("'", "''")  # CSOPS_HOME is the user's to name
    warehouse.execute(f"attach '{quoted_target}' as {alias}")
    try:
        for copied_schema, copied_tables in ((schema, tables), ("audit", audit_tables)):
            warehouse.execute(f"create schema {alias}.{copied_schema}")
            for table in copied_tables:
                columns = AUDIT_COLUMNS_KEPT_BACK.get(table)
                selected = f"* exclude ({', '.join(columns)})" if columns else "*"
                warehouse.execute(f'create table {alias}.{copied_schema}."{table}" as '
                                  f'select {selected} from {copied_schema}."{table}"')
    finally:
        warehouse.execute(f"detach {alias}")
    as_of = _as_of(target, schema, tables)
    meta = {
        "file": file_name,
        "run_id": run_id,
        "published_at": stamp.isoformat(timespec="seconds"),
        "as_of": as_of,
        "tables": tables,
        "audit_tables": audit_tables,
    }
    tmp = home.published / (POINTER_NAME + ".tmp")
    tmp.write_text(json.dumps(meta, indent=2))
    os.replace(tmp, home.published / POINTER_NAME)  # atomic: readers see the old or the new pointer
    _write_last_run(home, {"run_id": run_id, "outcome": "published", "at": meta["published_at"]})
    _prune(home, keep=file_name)
    return read_current(home)  # type: ignore[return-value]


def _as_of(path: Path, schema: str, tables: list[str]) -> str | None:
    """The build's as-of time, as the marts recorded it (``build_parameters.as_of_at``)."""
    if "build_parameters" not in tables:
        return None
    with duckdb.connect(str(path), read_only=True) as con:
        row = con.execute(f"select max(as_of_at) from {schema}.build_parameters").fetchone()
    return None if row is None or row[0] is None else row[0].isoformat()


def _prune(home: CsopsHome, keep: str) -> None:
    files = sorted(home.published.glob("marts-*.duckdb"), key=lambda p: p.name, reverse=True)
    for old in files[KEEP_PUBLICATIONS:]:
        if old.name != keep:
            old.unlink(missing_ok=True)
