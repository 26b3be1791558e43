"""The history of every check, kept in the warehouse: ``audit.quality_results``.

One row per check outcome per Dagster run: the load's reconciliation, each Great
Expectations expectation, each dbt test and unit test. ``csops audit`` reads it, with
``audit.load_log``, ``audit.rejected_rows`` and ``audit.step_failures`` (the steps of a run
that stopped, below), to report on any run. Writing a run's results for a check source
again replaces them, so a retried step never doubles them. Recording a result writes nothing
for the app: the publication gate and the end of `csops run` decide, from these records, what
the app says about the run (csops.kernel.last_run).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import dagster as dg
import duckdb

from csops.audit.step_failures import StepFailure, append_step_failure
from csops.kernel.paths import CsopsHome

DDL = """
    create table if not exists audit.quality_results (
        run_id varchar not null,
        checked_at timestamp not null,
        check_source varchar not null,
        asset varchar not null,
        check_name varchar not null,
        severity varchar not null,
        is_passed boolean not null,
        observed varchar,
        report_path varchar
    )
"""


@dataclass(frozen=True)
class CheckOutcome:
    asset: str
    check_name: str
    severity: str  # error: blocks publication; warn: reported only
    is_passed: bool
    observed: str = ""
    report_path: str | None = None


def record(con: duckdb.DuckDBPyConnection, run_id: str, check_source: str, outcomes: list[CheckOutcome],
           home: CsopsHome | None = None) -> None:
    """Replace this run's outcomes of one source of checks on the assets they name.

    ``home`` is not used (a result is the warehouse's only): csops/orchestration/load_assets.py
    still passes it, until it stops."""
    con.execute("create schema if not exists audit")
    con.execute(DDL)
    checked_at = datetime.now(timezone.utc).replace(tzinfo=None)
    con.execute("delete from audit.quality_results where run_id = ? and check_source = ? and list_contains(?, asset)",
                [run_id, check_source, sorted({o.asset for o in outcomes})])
    if outcomes:
        con.executemany(
            "insert into audit.quality_results values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(run_id, checked_at, check_source, o.asset, o.check_name, o.severity, o.is_passed, o.observed,
              o.report_path) for o in outcomes])


# --- runs that stopped ---------------------------------------------------------------------------
#
# A run can stop before any check speaks for it: a broken model, a lost lock, the warehouse
# held by another process. Each failed step is recorded, by a hook on every job (so runs that
# `csops dev` launches are recorded too, not only `csops run`'s), and `csops audit` reports
# the run as failed with the message. In the warehouse (``audit.step_failures``), or, when the
# failure is that the warehouse cannot be opened, beside it (csops/audit/step_failures.py).

STEP_FAILURES_DDL = """
    create table if not exists audit.step_failures (
        run_id varchar not null,
        job_name varchar not null,
        step_key varchar not null,
        failed_at timestamp not null,
        message varchar not null
    )
"""


def failure_message(error: BaseException) -> str:
    """The innermost error's first line, with its kind: what a user can act on, without the
    layers Dagster and dbt wrap around it."""
    while error.__cause__ is not None:
        error = error.__cause__
    description = getattr(error, "description", None)  # dg.Failure says what failed in its description
    text = description if isinstance(description, str) and description.strip() else str(error)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    first = lines[0] if lines else ""
    return f"{type(error).__name__}: {first}" if first else type(error).__name__


def record_step_failure(con: duckdb.DuckDBPyConnection, failure: StepFailure) -> None:
    """Record that a step of a run failed (replacing an earlier record of the same step)."""
    con.execute("create schema if not exists audit")
    con.execute(STEP_FAILURES_DDL)
    con.execute("delete from audit.step_failures where run_id = ? and step_key = ?", [failure.run_id, failure.step_key])
    con.execute("insert into audit.step_failures values (?, ?, ?, ?, ?)",
                [failure.run_id, failure.job_name, failure.step_key, failure.failed_at, failure.message])


@dg.failure_hook(required_resource_keys={"warehouse", "csops_home"})
def record_stopped_step(context: dg.HookContext) -> None:
    """A failed step's record. Never raises: a run that failed must not fail again in its hook."""
    error = context.op_exception
    failure = StepFailure(context.run_id, context.job_name, context.step_key,
                          datetime.now(timezone.utc).replace(tzinfo=None),
                          failure_message(error) if error is not None else "failed")
    try:
        # Straight to the file, without the resource's retries: when another process holds the
        # warehouse, the step has already waited for it, and the failure goes beside it at once.
        with duckdb.connect(context.resources.warehouse.database) as con:
            record_step_failure(con, failure)
    except Exception as warehouse_error:  # noqa: BLE001 - the warehouse may be what failed
        try:
            append_step_failure(context.resources.csops_home.home, failure)
        except OSError as file_error:
            context.log.warning(f"Could not record the failure of {context.step_key} ({failure.message}): "
                                f"{warehouse_error}; {file_error}")
