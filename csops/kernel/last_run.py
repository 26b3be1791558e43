"""What the app says about the latest run: ``published/last_run.json``.

Written at three moments only, each by the part of csops that decides it: a ``csops run``
starting (:func:`start_run`) and ending (:func:`end_run`, csops/orchestration/run.py), and the
publication gate (csops/orchestration/publish.py), which publishes (:func:`mark_published`,
through csops.kernel.publication) or refuses to (:func:`mark_blocked`). Recording a check's
result never writes it: the gate and the run's end decide the outcome from the recorded
results.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from csops.kernel.paths import CsopsHome

LAST_RUN_NAME = "last_run.json"
# How many blocking failures the app's notice lists (audit.quality_results has them all).
FAILURES_KEPT = 20
# Set aside at a run's start, given back at its end: room for its end's record on a full disk.
RESERVED_BYTES = 1_000_000


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
    meta = _read_meta(home)
    if meta is None:
        return None
    return LastRun(run_id=meta["run_id"], outcome=meta["outcome"], at=meta["at"],
                   blocking_failures=tuple(meta.get("blocking_failures", ())),
                   blocking_failure_count=meta.get("blocking_failure_count", 0),
                   started_at=meta.get("started_at"), error=meta.get("error"),
                   dagster_runs=tuple(meta.get("dagster_runs", ())), pid=meta.get("pid"))


def _read_meta(home: CsopsHome) -> dict | None:
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
    _write(home, {"run_id": run_id, "outcome": "running", "at": started_at, "started_at": started_at,
                  "pid": os.getpid()})
    with contextlib.suppress(OSError):  # a disk full already: the run will say so
        with _reserve(home).open("wb") as handle:
            handle.write(b"\0" * RESERVED_BYTES)
    return started_at


def end_run(home: CsopsHome, started_at: str, run_id: str, outcome: str, error: str | None = None,
            dagster_runs: tuple[str, ...] = (), blocking_failures: tuple[str, ...] = ()) -> None:
    """Record how the run that started at ``started_at`` ended: ``published``, ``blocked`` (with
    the ``blocking_failures`` that stopped it, as the recorded check results name them) or
    ``failed`` (with ``error``). On a full disk, the space :func:`start_run` set aside is given
    back first."""
    previous = _read_meta(home) or {}
    meta = dict(previous) if previous.get("started_at") == started_at else {"started_at": started_at}
    meta.pop("blocking_failures", None)
    meta.pop("blocking_failure_count", None)
    if outcome == "blocked":
        meta.update(_failures(blocking_failures))
    meta.update({"run_id": run_id, "outcome": outcome, "at": _now(), "error": error, "dagster_runs": list(dagster_runs)})
    try:
        _write(home, meta)
    except OSError:
        _reserve(home).unlink(missing_ok=True)
        try:
            _write(home, meta)
        except OSError:
            _write_in_place(home, meta)  # the file's own blocks: no new space needed
    finally:
        _reserve(home).unlink(missing_ok=True)


def _reserve(home: CsopsHome) -> Path:
    return home.root / ".space-for-the-run-end"


def _failures(failures: tuple[str, ...] | list[str]) -> dict:
    unique = list(dict.fromkeys(failures))
    return {"blocking_failures": unique[:FAILURES_KEPT], "blocking_failure_count": len(unique)}


def mark_blocked(home: CsopsHome, run_id: str, failures: list[str]) -> None:
    """The publication gate's verdict: ``run_id`` will not publish, for ``failures``; the app says
    so at once, while a ``csops run`` goes on (whose record, started and not ended, is kept: its
    end replaces this with its own outcome)."""
    previous = _read_meta(home) or {}
    meta = dict(previous) if previous.get("outcome") == "running" else {}
    meta.update({"run_id": run_id, "outcome": "blocked", "at": _now(), **_failures(failures)})
    _write(home, meta)


def mark_published(home: CsopsHome, run_id: str, at: str) -> None:
    """The publication gate's other verdict: ``run_id`` published at ``at``."""
    previous = _read_meta(home) or {}
    meta = dict(previous) if previous.get("outcome") == "running" else {}
    meta.update({"run_id": run_id, "outcome": "published", "at": at})
    _write(home, meta)


def _write(home: CsopsHome, meta: dict) -> None:
    home.published.mkdir(parents=True, exist_ok=True)
    tmp = home.published / (LAST_RUN_NAME + ".tmp")
    try:
        tmp.write_text(json.dumps(meta, indent=2))
        os.replace(tmp, home.published / LAST_RUN_NAME)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def _write_in_place(home: CsopsHome, meta: dict) -> None:
    """Over the record already there, in the blocks it has: the last resort on a full disk (not
    atomic: a reader at that moment may find it cut short, and reads it as no record)."""
    text = json.dumps({**meta, "error": (meta.get("error") or "")[:500] or None}).encode()
    with (home.published / LAST_RUN_NAME).open("r+b") as handle:
        handle.write(text)
        handle.truncate()
