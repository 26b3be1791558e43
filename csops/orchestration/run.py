"""``csops run``: the stale landing days loaded, then the build, in process through Dagster; a one-screen summary.

The same plan as the sensor's (csops/orchestration/automation.py), run now and in this process:
one load run per run of consecutive stale days, then one build-and-publish run. Each is a
Dagster run on the instance in DAGSTER_HOME, so ``csops dev`` shows them, per partition.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

import dagster as dg
import duckdb

from csops.kernel.paths import CsopsHome, free_megabytes, is_out_of_space
from csops.kernel.pseudonym_key import key_change
from csops.kernel.publication import end_run, read_current, start_run
from csops.orchestration.automation import BUILD_JOB_NAME, LOAD_JOB_NAME, partition_range_tags, plan_loads
from csops.orchestration.load_assets import landing_days
from csops.orchestration.audit_trail import read_ledger
from csops.orchestration.landing import describe_gone, gone_files, unplaced_files
from csops.orchestration.definitions import build_definitions
from csops.orchestration.quality_record import failure_message


@dataclass
class RunSummary:
    run_id: str
    success: bool
    seconds: float
    steps: list[tuple[str, str, float]] = field(default_factory=list)  # name, outcome, seconds
    rows_loaded: dict[str, int] = field(default_factory=dict)
    rows_rejected: dict[str, int] = field(default_factory=dict)
    checks_passed: int = 0
    check_failures: list[str] = field(default_factory=list)
    check_warnings: list[str] = field(default_factory=list)
    check_verdicts: dict[str, str] = field(default_factory=dict)  # check -> its latest verdict this run
    step_errors: list[str] = field(default_factory=list)
    days_loaded: list[tuple[str, str]] = field(default_factory=list)  # ranges of landing days
    publication: str | None = None
    published_this_run: bool = False
    log_file: Path | None = None
    # Files under landing/ that csops did not load, with why: none is ignored silently.
    files_not_loaded: list[tuple[str, str]] = field(default_factory=list)
    # Days loaded earlier whose files are gone from landing/: kept until `csops drop`, and said.
    kept_not_landed: list[str] = field(default_factory=list)
    # The pseudonymisation key differs from the previous build's: every customer_key changed.
    key_change: str | None = None
    # What this run's loads rejected, one example (file:line: reason) per table and kind of reason.
    rejected_examples: list[str] = field(default_factory=list)
    # Why the run stopped, when not (only) a step or a check: an error outside any step, a full disk.
    error: str | None = None

    def render(self) -> str:
        lines = [f"csops run {self.run_id[:8]}: {'SUCCESS' if self.success else 'FAILED'} in {self.seconds:.1f} s"]
        if self.error:
            lines.append(f"FAILED: {self.error}")
        lines.append("")
        lines.append("Steps")
        steps = _with_suites_folded(self.steps)
        width = max((len(name) for name, _, _ in steps), default=0)
        lines += [f"  {name:<{width}}  {outcome:<8} {seconds:6.1f} s" for name, outcome, seconds in steps]
        lines += [f"  error: {error}" for error in self.step_errors]
        spans = [start if start == end else f"{start} to {end}" for start, end in self.days_loaded]
        lines.append(f"Landing days loaded: {', '.join(spans)}" if spans else
                     "Landing days loaded: none (no file new or changed since the last load)")
        if self.rows_loaded:
            lines.append(f"  {'Rows this run (new or changed days)':<32} {'loaded':>10} {'rejected':>10}")
            lines += [f"  {table:<32} {rows:>10,} {self.rows_rejected.get(table, 0):>10,}"
                      for table, rows in sorted(self.rows_loaded.items())]
            if any(self.rows_rejected.values()):
                lines.append("  Rejected, not loaded (one example per kind; every row, with its file, line and "
                             "reason: csops audit, audit.rejected_rows):")
                lines += [f"    {example}" for example in self.rejected_examples[:FILES_LISTED * 2]]
                if len(self.rejected_examples) > FILES_LISTED * 2:
                    lines.append(f"    ... and {len(self.rejected_examples) - FILES_LISTED * 2} more kinds")
        if self.files_not_loaded:
            lines.append(f"Files not loaded ({len(self.files_not_loaded)}): csops does not read them, and why "
                         "(also in csops audit)")
            lines += [f"  {name}: {reason}" for name, reason in self.files_not_loaded[:FILES_LISTED]]
            if len(self.files_not_loaded) > FILES_LISTED:
                lines.append(f"  ... and {len(self.files_not_loaded) - FILES_LISTED} more (audit.unread_files)")
        if self.kept_not_landed:
            lines.append(f"Kept, though gone from landing/ ({len(self.kept_not_landed)} source days):")
            lines += [f"  {line}" for line in self.kept_not_landed[:FILES_LISTED]]
            if len(self.kept_not_landed) > FILES_LISTED:
                lines.append(f"  ... and {len(self.kept_not_landed) - FILES_LISTED} more")
        lines.append(f"Checks: {self.checks_passed} passed, {len(self.check_failures)} failed, "
                     f"{len(self.check_warnings)} warnings")
        lines += [f"  FAILED  {name}" for name in self.check_failures]
        lines += [f"  warning {name}" for name in self.check_warnings]
        if self.key_change:
            lines.append(f"NOTE: {self.key_change}")
        if self.published_this_run:
            lines.append(f"Published for the app: {self.publication}")
        else:
            lines.append("Not published: the app keeps showing the last good run"
                         + (f" ({self.publication})." if self.publication else " (none yet)."))
        if self.log_file:
            lines.append(f"Full log: {self.log_file}")
        return "\n".join(lines)


FILES_LISTED = 10
SUITE_STEP = "_great_expectations_suite"


def _with_suites_folded(steps: list[tuple[str, str, float]]) -> list[tuple[str, str, float]]:
    """The Great Expectations suites that passed as one line (there is one step per model checked);
    a suite that did not pass keeps its own line."""
    suites = [step for step in steps if step[0].endswith(SUITE_STEP) and step[1] == "ok"]
    if len(suites) < 2:
        return steps
    folded = (f"great_expectations suites ({len(suites)})", "ok", sum(seconds for _, _, seconds in suites))
    position = steps.index(suites[0])
    rest = [step for step in steps if step not in suites]
    return [*rest[:position], folded, *rest[position:]]

STEP_OUTCOMES = {
    dg.DagsterEventType.STEP_SUCCESS: "ok",
    dg.DagsterEventType.STEP_FAILURE: "FAILED",
    dg.DagsterEventType.STEP_SKIPPED: "skipped",
}


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
    """Record how the run ended, for `csops audit` and the app, whatever way it ended."""
    if summary.published_this_run:
        outcome = "published"
    elif summary.check_failures and summary.error is None and all(
            error.startswith(_STEPS_THAT_STOP_ON_A_CHECK) for error in summary.step_errors):
        outcome = "blocked"  # the checks stopped it (the gate, a failed dbt test): not a fault
    else:
        outcome = "failed"
    error = summary.error or (summary.step_errors[0] if summary.step_errors else None)
    if outcome == "failed" and error is None:
        error = f"{len(summary.check_failures)} blocking check(s) failed" if summary.check_failures else "unknown"
    try:
        end_run(home, started_at or datetime.now(timezone.utc).isoformat(), summary.run_id, outcome, error,
                tuple(result.run_id for result, _ in runs))
    except OSError as error_recording:
        summary.step_errors.append(f"this run's end could not be recorded for `csops audit` and the app: "
                                   f"{error_recording}")


def _rejected_examples(home: CsopsHome, run_ids: list[str]) -> list[str]:
    """One rejected row per table and kind of reason (the reason up to its first colon), with its
    count: the summary names each defect's place, so a run that loaded around bad rows says which."""
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        rows = con.execute("""
            select raw_table, count(*), arg_min(source_file || ':' || line_number || ': ' || reason,
                                                source_file || lpad(line_number::varchar, 12, '0'))
            from audit.rejected_rows where list_contains(?, run_id)
            group by raw_table, split_part(reason, ':', 1) order by raw_table, 3
        """, [run_ids]).fetchall()
    return [f"{table} ({count} like it): {example}" if count > 1 else f"{table}: {example}"
            for table, count, example in rows]


def _key_change(home: CsopsHome) -> str | None:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return key_change(con)


def files_not_loaded(home: CsopsHome) -> list[tuple[str, str]]:
    """Every landed file csops does not load, with why: where no load looks (no landing day in
    its path, outside the source folders) and what the loads read and could not use."""
    found = unplaced_files(home.landing)
    if home.warehouse.exists():
        with contextlib.suppress(duckdb.Error), duckdb.connect(str(home.warehouse), read_only=True) as con:
            found += con.execute("select source_file, reason from audit.unread_files order by source_file").fetchall()
    return sorted(found)


def _root_cause(error) -> str:
    """The innermost error's message: Dagster wraps the one a user can act on."""
    if error is None:
        return "unknown error"
    while error.cause is not None:
        error = error.cause
    lines = [line for line in error.message.strip().splitlines() if line.strip()]
    return lines[0] if lines else error.cls_name or "unknown error"


def dbt_failures(home: CsopsHome, run_id: str) -> list[str]:
    """The dbt nodes that errored or failed in this run, from its run_results.json."""
    failures = []
    for results_file in home.dbt_target.glob(f"*-{run_id[:7]}-*/run_results.json"):
        for node in json.loads(results_file.read_text())["results"]:
            if node["status"] in ("error", "fail", "runtime error"):
                message = (node.get("message") or "").strip().splitlines()
                failures.append(f"dbt {node['status']}: {node['unique_id']}: {message[0] if message else ''}")
    return failures


def summarise(runs: list[tuple[dg.ExecuteInProcessResult, list]], home: CsopsHome, seconds: float) -> RunSummary:
    """One summary of a ``csops run``'s Dagster runs (loads, then the build)."""
    last = runs[-1][0]
    summary = RunSummary(run_id=last.run_id, success=all(result.success for result, _ in runs), seconds=seconds)
    for result, records in runs:
        _summarise_run(summary, result, records, home)
    summary.checks_passed = sum(verdict == "passed" for verdict in summary.check_verdicts.values())
    summary.check_warnings = [name for name, verdict in summary.check_verdicts.items() if verdict == "warning"]
    summary.check_failures = [name for name, verdict in summary.check_verdicts.items() if verdict == "failed"]
    publication = read_current(home)
    summary.publication = str(publication.path) if publication else None
    summary.success = summary.success and not summary.check_failures and summary.published_this_run
    return summary


def _summarise_run(summary: RunSummary, result: dg.ExecuteInProcessResult, records: list, home: CsopsHome) -> None:
    step_started: dict[str, float] = {}
    counted: set[str] = set()
    tags = result.dagster_run.tags
    start, end = tags.get("dagster/asset_partition_range_start"), tags.get("dagster/asset_partition_range_end")
    days = "" if start is None else start if start == end else f"{start}..{end}"
    for record in records:
        event = record.dagster_event
        if event is None:
            continue
        step = event.step_key or ""
        if event.event_type == dg.DagsterEventType.STEP_START:
            step_started[step] = record.timestamp
        elif event.event_type in STEP_OUTCOMES:
            seconds_taken = record.timestamp - step_started.get(step, record.timestamp)
            summary.steps.append((f"{step} {days}" if days else step, STEP_OUTCOMES[event.event_type], seconds_taken))
            if event.event_type == dg.DagsterEventType.STEP_FAILURE:
                summary.step_errors.append(f"{step}: {_root_cause(event.step_failure_data.error)}")
                summary.step_errors.extend(dbt_failures(home, result.run_id))
        elif event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.step_materialization_data.materialization
            if materialization.asset_key.path[-1] == "published_marts":
                summary.published_this_run = True
            table = materialization.metadata.get("table")
            if table is not None and step.startswith("load_") and table.value not in counted:
                # A range run records one materialisation per day, each with the run's totals: count one.
                counted.add(table.value)
                for totals, name in ((summary.rows_loaded, "rows_loaded"), (summary.rows_rejected, "rows_rejected")):
                    totals[table.value] = totals.get(table.value, 0) + materialization.metadata[name].value
    for evaluation in result.get_asset_check_evaluations():
        name = f"{evaluation.asset_key.to_user_string()}: {evaluation.check_name}"
        # A later run's verdict on the same check replaces an earlier one: a load of the next
        # stretch of days can find fixed what the one before still saw (as the publication gate does).
        summary.check_verdicts.pop(name, None)
        summary.check_verdicts[name] = ("passed" if evaluation.passed
                                        else "warning" if evaluation.severity == dg.AssetCheckSeverity.WARN
                                        else "failed")
