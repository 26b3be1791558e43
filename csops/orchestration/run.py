"""``csops run``: the stale landing days loaded, then the build, in process through Dagster; a one-screen summary.

The same plan as the sensor's (csops/orchestration/automation.py), run now and in this process:
one load run per run of consecutive stale days, then one build-and-publish run. Each is a
Dagster run on the instance in DAGSTER_HOME, so ``csops dev`` shows them, per partition.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

import dagster as dg
import duckdb

from csops.audit import trail
from csops.kernel.last_run import end_run, start_run
from csops.kernel.paths import CsopsHome, free_megabytes, is_out_of_space
from csops.kernel.pseudonym_key import key_change
from csops.orchestration.audit_trail import read_ledger
from csops.orchestration.automation import BUILD_JOB_NAME, LOAD_JOB_NAME, partition_range_tags, plan_loads
from csops.orchestration.definitions import build_definitions
from csops.orchestration.landing import describe_gone, gone_files, unplaced_files
from csops.orchestration.load_assets import landing_days
from csops.orchestration.quality_record import failure_message
from csops.orchestration.run_summary import RunSummary, summarise


def run_pipeline(home: CsopsHome, full_refresh: bool = False) -> RunSummary:
    """Load what is stale, then build and publish, on the instance in DAGSTER_HOME.

    dbt's and Dagster's own logs go to a file under CSOPS_HOME/logs: the terminal gets the summary.
    However the run ends (a step that failed, an error outside any step, a full disk, Ctrl-C), it
    ends with its summary, and with its end recorded for ``csops audit`` and the app
    (``published/last_run.json``).
    """
    started = time.perf_counter()
    own_id = uuid.uuid4().hex  # the run's name until (unless) a Dagster run starts
    runs: list[tuple[dg.ExecuteInProcessResult, list]] = []
    ranges: list[tuple[str, str]] = []
    log_file = home.root / "logs" / f"run-{datetime.now():%Y%m%dT%H%M%S}.log"
    started_at = raised = None
    try:
        started_at = start_run(home, own_id)
        with _run_log(log_file) as log, contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
            defs = build_definitions(home)
            with dg.DagsterInstance.get() as instance:
                plan = plan_loads(home, instance.get_dynamic_partitions(landing_days.name))
                ranges = plan.ranges
                instance.add_dynamic_partitions(landing_days.name, plan.new_partitions)
                load_job = defs.resolve_job_def(LOAD_JOB_NAME)
                for start, end in plan.ranges:
                    result = load_job.execute_in_process(instance=instance, raise_on_error=False,
                                                         tags=partition_range_tags(start, end))
                    runs.append((result, instance.all_logs(result.run_id)))
                    if not result.success:
                        break  # a load that failed (or failed reconciliation) is not built upon
                else:
                    result = defs.resolve_job_def(BUILD_JOB_NAME).execute_in_process(
                        instance=instance, raise_on_error=False,
                        run_config={"ops": {"csops_dbt_models": {"config": {"full_refresh": full_refresh}}}})
                    runs.append((result, instance.all_logs(result.run_id)))
    except BaseException as error:  # noqa: BLE001 - recorded and told below; Ctrl-C raised again
        raised = error
    summary = _summary(home, runs, own_id, time.perf_counter() - started, raised)
    summary.days_loaded = ranges
    summary.log_file = log_file if log_file.exists() else None
    _end(home, summary, started_at, runs, raised)
    with contextlib.suppress(OSError), log_file.open("a") as log:
        log.write("\n" + summary.render() + "\n")  # the log keeps the summary too, where there is room
    if raised is not None and not isinstance(raised, Exception):
        raise raised
    return summary


@contextlib.contextmanager
def _run_log(path: Path) -> Iterator[TextIO]:
    """The run's log file; a full disk loses (the rest of) the log, never the run's end."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        log = path.open("w")
    except OSError:
        log = open(os.devnull, "w")  # noqa: SIM115 - closed below
    try:
        yield log
    finally:
        with contextlib.suppress(OSError):
            log.close()


def _summary(home: CsopsHome, runs: list, own_id: str, seconds: float, raised: BaseException | None) -> RunSummary:
    """The summary of what ran; a failed one says why, and says so plainly when the disk is full."""
    summary = RunSummary(run_id=own_id, success=False, seconds=seconds)
    if runs:
        try:
            summary = summarise(runs, home, seconds)
        except Exception as error:  # noqa: BLE001 - the summary is what must not be lost
            summary.step_errors.append(f"the run's summary is incomplete: {failure_message(error)}")
    if raised is not None:
        summary.success = False
        summary.error = failure_message(raised) if isinstance(raised, Exception) else "interrupted (Ctrl-C)"
    with contextlib.suppress(Exception):
        summary.files_not_loaded = files_not_loaded(home)
    with contextlib.suppress(Exception):
        summary.key_change = _key_change(home)
    with contextlib.suppress(Exception):
        summary.rejected_examples = _rejected_examples(home, [result.run_id for result, _ in runs])
    with contextlib.suppress(Exception):
        summary.kept_not_landed = describe_gone(gone_files(read_ledger(home.load_ledger, home.warehouse), home.landing))
    if not summary.success and _disk_full(home, summary, raised):
        summary.error = (f"the disk holding CSOPS_HOME is full: {free_megabytes(home.root)} MB free; "
                         "free space and run again; "
                         + ("nothing was published" if not summary.published_this_run else
                            "the run published before it filled the disk"))
    if not summary.success and summary.error is None and not summary.check_failures and not summary.step_errors:
        summary.error = "the run did not finish its steps (see its log)"
    return summary


# Below this much free space after a failed run, the disk is the likeliest cause: dbt and DuckDB
# do not always say so in the error they raise (a file they could not write, cut short).
NEARLY_FULL_MB = 16


def _disk_full(home: CsopsHome, summary: RunSummary, raised: BaseException | None) -> bool:
    if (raised is not None and is_out_of_space(raised)) or any(is_out_of_space(e) for e in summary.step_errors):
        return True
    with contextlib.suppress(OSError):
        if free_megabytes(home.root) < NEARLY_FULL_MB:
            return True
    return False


# Steps whose failure is a blocking check's verdict: the publication gate, dbt's tests.
_STEPS_THAT_STOP_ON_A_CHECK = ("published_marts:", "csops_dbt_models:", "dbt fail:", "dbt error: test.")


def _end(home: CsopsHome, summary: RunSummary, started_at: str | None, runs: list, raised: BaseException | None) -> None:
    """Record how the run ended, for `csops audit` and the app, whatever way it ended: blocked
    when what stopped it is a blocking check (the gate, a failed dbt test), with the failures as
    the checks recorded them (the gate's rule: csops.audit.trail.blocking_failures)."""
    published = summary.published_this_run
    failures = _recorded_blocking_failures(home, runs[-1][0].run_id) if runs and not published else []
    if published:
        outcome = "published"
    elif failures and summary.error is None and all(
            error.startswith(_STEPS_THAT_STOP_ON_A_CHECK) for error in summary.step_errors):
        outcome = "blocked"  # the checks stopped it: not a fault
    else:
        outcome = "failed"
    error = summary.error or (summary.step_errors[0] if summary.step_errors else None)
    if outcome == "failed" and error is None:
        error = f"{len(failures)} blocking check(s) failed" if failures else "unknown"
    try:
        end_run(home, started_at or datetime.now(timezone.utc).isoformat(), summary.run_id, outcome, error,
                tuple(result.run_id for result, _ in runs), tuple(failures))
    except OSError as error_recording:
        summary.step_errors.append(f"this run's end could not be recorded for `csops audit` and the app: "
                                   f"{error_recording}")


def _recorded_blocking_failures(home: CsopsHome, run_id: str) -> list[str]:
    """What keeps the run's last Dagster run from publishing, as its checks recorded it; none
    when the record cannot be read (the run then ends as failed, with its error)."""
    with contextlib.suppress(duckdb.Error), duckdb.connect(str(home.warehouse), read_only=True) as con:
        return trail.named_failures(trail.blocking_failures(trail.on_connection(con), run_id), with_observed=True)
    return []


def _rejected_examples(home: CsopsHome, run_ids: list[str]) -> list[str]:
    """One rejected row per table and kind of reason (as csops audit and the app group them),
    with its count: the summary names each defect's place, so a run that loaded around bad rows
    says which."""
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        reasons = trail.rejections_by_reason(trail.on_connection(con), run_ids)
    reasons = reasons.assign(example=reasons["examples"].str[0]).sort_values(["raw_table", "example"])
    return [f"{row.raw_table} ({row.rejected_row_count} like it): {row.example}" if row.rejected_row_count > 1
            else f"{row.raw_table}: {row.example}" for row in reasons.itertuples(index=False)]


def _key_change(home: CsopsHome) -> str | None:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return key_change(con)


def files_not_loaded(home: CsopsHome) -> list[tuple[str, str]]:
    """Every landed file csops does not load, with why: where no load looks (no landing day in
    its path, outside the source folders) and what the loads read and could not use."""
    found = unplaced_files(home.landing)
    if home.warehouse.exists():
        with contextlib.suppress(duckdb.Error), duckdb.connect(str(home.warehouse), read_only=True) as con:
            unread = trail.unread_files(trail.on_connection(con))
            found += list(zip(unread["source_file"], unread["reason"]))
    return sorted(found)
