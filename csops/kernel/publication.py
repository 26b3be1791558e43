"""The hand-over between the pipeline and the app.

DuckDB lets one process hold a file read-write and no other open it meanwhile, so the
app never opens the working warehouse. After a run passes its blocking checks, the
pipeline copies the marts into a new, self-contained DuckDB file under
``published/`` and then atomically replaces ``published/current.json`` to point at it.
Readers open the file named by the pointer read-only; a new publication is a new file,
so a reader is never blocked by, and never blocks, a run.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from csops.kernel.paths import CsopsHome

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
    """What the latest run did, however it ended.

    ``outcome``: ``running`` (from its start until its end is recorded: a run killed outright
    stays so, with a ``pid`` no longer alive), ``published``, ``blocked`` (a blocking check
    failed, with the failures) or ``failed`` (it stopped outside any check: a step that raised,
    a full disk, a landing folder it could not read; ``error`` says what). ``at``: when it
    reached that outcome."""

    run_id: str
    outcome: str  # "running", "published", "blocked" or "failed"
    at: str
    blocking_failures: tuple[str, ...] = ()
    blocking_failure_count: int = 0
    started_at: str | None = None
    error: str | None = None
    # The Dagster runs of a `csops run` (loads, then the build); its run_id is the last one's.
    dagster_runs: tuple[str, ...] = ()
    pid: int | None = None

    @property
    def is_failed(self) -> bool:
        """Ended without publishing: blocked, failed, or killed before it could say."""
        return self.outcome in ("blocked", "failed") or (self.outcome == "running" and not self.is_alive)

    @property
    def is_alive(self) -> bool:
        """A running run's process is still there (on this machine)."""
        if self.outcome != "running" or self.pid is None:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def status(self) -> str:
        """How the run ended, in a line, for the app and ``csops audit``."""
        if self.outcome == "published":
            return "published"
        if self.outcome == "blocked":
            count = self.blocking_failure_count or len(self.blocking_failures)
            return f"blocked ({count} blocking check(s) failed): not published"
        if self.outcome == "failed":
            return f"FAILED: {self.error or 'unknown error'}. Not published"
        if self.is_alive:
            return f"running since {self.started_at or self.at}"
        return ("stopped without recording its end (its process was killed, or the machine stopped): "
                "not published")


def read_last_run(home: CsopsHome) -> LastRun | None:
    """The latest run's outcome; None before any run."""
    meta = _read_last_run_meta(home)
    if meta is None:
        return None
    return LastRun(run_id=meta["run_id"], outcome=meta["outcome"], at=meta["at"],
                   blocking_failures=tuple(meta.get("blocking_failures", ())),
                   blocking_failure_count=meta.get("blocking_failure_count", 0),
                   started_at=meta.get("started_at"), error=meta.get("error"),
                   dagster_runs=tuple(meta.get("dagster_runs", ())), pid=meta.get("pid"))


def _read_last_run_meta(home: CsopsHome) -> dict | None:
    path = home.published / LAST_RUN_NAME
    try:
        meta = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except ValueError:  # cut short (written in place on a full disk, and interrupted): unknown
        return None
    return meta if isinstance(meta, dict) and {"run_id", "outcome", "at"} <= meta.keys() else None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def start_run(home: CsopsHome, run_id: str) -> str:
    """Record that a ``csops run`` started (``running``); returns its start time, which names it
    for :func:`end_run`. Also sets space aside, so that its end can be recorded on a full disk."""
    started_at = datetime.now(timezone.utc).isoformat(timespec="microseconds")
    _write_last_run(home, {"run_id": run_id, "outcome": "running", "at": started_at, "started_at": started_at,
                           "pid": os.getpid()})
    with contextlib.suppress(OSError):  # a disk full already: the run will say so
        with _reserve(home).open("wb") as handle:
            handle.write(b"\0" * RESERVED_BYTES)
    return started_at


def end_run(home: CsopsHome, started_at: str, run_id: str, outcome: str, error: str | None = None,
            dagster_runs: tuple[str, ...] = ()) -> None:
    """Record how the run that started at ``started_at`` ended: ``published``, ``blocked`` or
    ``failed`` (with ``error``). What its steps recorded meanwhile (a blocked check's failures)
    is kept. On a full disk, the space :func:`start_run` set aside is given back first."""
    previous = _read_last_run_meta(home) or {}
    meta = dict(previous) if previous.get("started_at") == started_at else {"started_at": started_at}
    if outcome != "blocked":
        meta.pop("blocking_failures", None)
        meta.pop("blocking_failure_count", None)
    meta.update({"run_id": run_id, "outcome": outcome, "at": _now(), "error": error, "dagster_runs": list(dagster_runs)})
    try:
        _write_last_run(home, meta)
    except OSError:
        _reserve(home).unlink(missing_ok=True)
        try:
            _write_last_run(home, meta)
        except OSError:
            _write_last_run_in_place(home, meta)  # the file's own blocks: no new space needed
    finally:
        _reserve(home).unlink(missing_ok=True)


# Set aside at a run's start, given back at its end: room for its end's record on a full disk.
RESERVED_BYTES = 1_000_000


def _reserve(home: CsopsHome) -> Path:
    return home.root / ".space-for-the-run-end"


def mark_blocked(home: CsopsHome, run_id: str, failures: list[str]) -> None:
    """Record that ``run_id`` met blocking failures: it will not publish, and the app says so.

    Failures of the same run accumulate (a run's checks report one after another); the record
    of the `csops run` it is part of (started, not ended) is kept."""
    previous = _read_last_run_meta(home) or {}
    meta: dict = {}
    kept: list[str] = []
    count = 0
    same_process = previous.get("pid") == os.getpid() and previous.get("started_at") is not None
    if previous.get("outcome") == "running":
        meta = dict(previous)
    elif previous.get("outcome") == "blocked" and (previous.get("run_id") == run_id or same_process):
        meta = dict(previous)
        kept, count = list(previous.get("blocking_failures", ())), previous.get("blocking_failure_count", 0)
    new = [failure for failure in dict.fromkeys(failures) if failure not in kept]
    meta.update({"run_id": run_id, "outcome": "blocked", "at": _now(),
                 "blocking_failures": (kept + new)[:FAILURES_KEPT], "blocking_failure_count": count + len(new)})
    _write_last_run(home, meta)


def _mark_published(home: CsopsHome, run_id: str, at: str) -> None:
    previous = _read_last_run_meta(home) or {}
    meta = dict(previous) if previous.get("outcome") == "running" else {}
    meta.update({"run_id": run_id, "outcome": "published", "at": at})
    _write_last_run(home, meta)


def _write_last_run(home: CsopsHome, meta: dict) -> None:
    home.published.mkdir(parents=True, exist_ok=True)
    tmp = home.published / (LAST_RUN_NAME + ".tmp")
    try:
        tmp.write_text(json.dumps(meta, indent=2))
        os.replace(tmp, home.published / LAST_RUN_NAME)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def _write_last_run_in_place(home: CsopsHome, meta: dict) -> None:
    """Over the record already there, in the blocks it has: the last resort on a full disk (not
    atomic: a reader at that moment may find it cut short, and reads it as no record)."""
    text = json.dumps({**meta, "error": (meta.get("error") or "")[:500] or None}).encode()
    with (home.published / LAST_RUN_NAME).open("r+b") as handle:
        handle.write(text)
        handle.truncate()


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
    _mark_published(home, run_id, meta["published_at"])
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
