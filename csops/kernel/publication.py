"""The hand-over between the pipeline and the app.

DuckDB lets one process hold a file read-write and no other open it meanwhile, so the
app never opens the working warehouse. After a run passes its blocking checks, the
pipeline copies the marts into a new, self-contained DuckDB file under
``published/`` and then atomically replaces ``published/current.json`` to point at it.
Readers open the file named by the pointer read-only; a new publication is a new file,
so a reader is never blocked by, and never blocks, a run. Beside the pointer, what the app says
about the latest run is written by csops.kernel.last_run (``last_run.json``).
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from csops.kernel.last_run import mark_published
from csops.kernel.paths import CsopsHome

POINTER_NAME = "current.json"
# The audit tables published beside the marts.
AUDIT_TABLES = ("load_log", "rejected_rows", "quality_results")
# A rejected row's text is the customer's data as exported (names, e-mails, numbers): it stays
# in the warehouse for `csops audit`; the app gets its file, line and reason.
AUDIT_COLUMNS_KEPT_BACK = {"rejected_rows": ("raw_text",)}
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

    ``warehouse`` is the pipeline's open read-write connection to the working warehouse. The
    copy is made under a ``.partial`` name and takes its ``marts-*`` name once whole, so a
    publication killed or failed on the way leaves no ``marts-*`` file for a complete one; what
    it leaves is removed at the start of the next (and at once, when it failed rather than died).
    """
    home.published.mkdir(parents=True, exist_ok=True)
    remove_litter(home)
    stamp = datetime.now(timezone.utc)
    file_name = f"marts-{stamp:%Y%m%dT%H%M%S%f}-{run_id[:8]}.duckdb"
    target = home.published / file_name
    partial = target.with_name(file_name + PARTIAL_SUFFIX)
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
    try:
        _copy(warehouse, partial, schema, tables, audit_tables)
        as_of = _as_of(partial, schema, tables)
        os.replace(partial, target)
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
    except BaseException:
        # Not published: nothing of it stays (it would count as a publication, and hold the disk).
        for path in (partial, _wal(partial), target, _wal(target), home.published / (POINTER_NAME + ".tmp")):
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
        raise
    mark_published(home, run_id, meta["published_at"])
    _prune(home, keep=file_name)
    return read_current(home)  # type: ignore[return-value]


PARTIAL_SUFFIX = ".partial"


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _copy(warehouse: duckdb.DuckDBPyConnection, target: Path, schema: str, tables: list[str],
          audit_tables: list[str]) -> None:
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
        warehouse.execute(f"detach {alias}")  # checkpoints: the copy is whole in one file, no .wal


def complete_publications(home: CsopsHome) -> list[Path]:
    """The whole ``marts-*`` files, newest first: those the current pointer names or named before
    it. A file newer than the current one was never published (its run died between making it
    and naming it); one with a ``.wal`` beside it was cut short (made before ``.partial`` names)."""
    current = read_current(home)
    files = sorted(home.published.glob("marts-*.duckdb"), key=lambda path: path.name, reverse=True)
    return [path for path in files
            if not _wal(path).exists() and (current is None or path.name <= current.path.name)]


def remove_litter(home: CsopsHome) -> list[Path]:
    """Remove what publications that died on the way left in ``published/``: copies cut short
    (``.partial``, ``.wal``, a ``marts-*`` file never published) and half-written pointers. Only
    a publication writes there, one at a time (under the warehouse lock): call it from one."""
    complete = set(complete_publications(home))
    litter = [path for path in home.published.iterdir()
              if path.name.endswith((PARTIAL_SUFFIX, ".wal", ".tmp"))
              or (path.name.startswith("marts-") and path.name.endswith(".duckdb") and path not in complete)]
    for path in litter:
        path.unlink(missing_ok=True)
    return litter


def _as_of(path: Path, schema: str, tables: list[str]) -> str | None:
    """The build's as-of time, as the marts recorded it (``build_parameters.as_of_at``)."""
    if "build_parameters" not in tables:
        return None
    with duckdb.connect(str(path), read_only=True) as con:
        row = con.execute(f"select max(as_of_at) from {schema}.build_parameters").fetchone()
    return None if row is None or row[0] is None else row[0].isoformat()


def _prune(home: CsopsHome, keep: str) -> None:
    """Keep the current publication and the newest complete ones before it (KEEP_PUBLICATIONS in all)."""
    for old in complete_publications(home)[KEEP_PUBLICATIONS:]:
        if old.name != keep:
            old.unlink(missing_ok=True)
