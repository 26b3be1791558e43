"""The steps of a run that failed or raised, kept beside the warehouse when it could not be opened.

A run can stop before any check speaks for it: a broken model, a lost lock, the warehouse
held by another process. Each failed step is recorded by a hook on every job
(csops/orchestration/quality_record.py) in ``audit.step_failures``, or, when the failure is
that the warehouse cannot be opened, in the file here (one JSON object a line), which
``csops audit`` reads with the table. The record and its file are defined once, here.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from csops.kernel.paths import CsopsHome


@dataclass(frozen=True)
class StepFailure:
    """A step of a run that failed or raised: the run stopped there."""

    run_id: str
    job_name: str
    step_key: str
    failed_at: datetime  # UTC
    message: str


def step_failures_file(home: CsopsHome) -> Path:
    """Where a failure is kept when the warehouse itself could not be opened to record it."""
    return home.load_ledger.parent / "step_failures.jsonl"


def append_step_failure(home: CsopsHome, failure: StepFailure) -> None:
    path = step_failures_file(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({**asdict(failure), "failed_at": failure.failed_at.isoformat()}) + "\n")


def read_step_failures(home: CsopsHome) -> list[StepFailure]:
    path = step_failures_file(home)
    if not path.exists():
        return []
    failures = []
    for line in path.read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(ValueError, TypeError, KeyError):  # a line cut short by a crash is skipped
            record = json.loads(line)
            failures.append(StepFailure(**{**record, "failed_at": datetime.fromisoformat(record["failed_at"])}))
    return failures
