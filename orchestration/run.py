"""``csops run``: the stale landing days loaded, then the build, in process through Dagster; a one-screen summary.

The same plan as the sensor's (orchestration/automation.py), run now and in this process:
one load run per run of consecutive stale days, then one build-and-publish run. Each is a
Dagster run on the instance in DAGSTER_HOME, so ``csops dev`` shows them, per partition.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb

from csops.paths import CsopsHome
from csops.publication import read_current
from orchestration.automation import BUILD_JOB_NAME, LOAD_JOB_NAME, partition_range_tags, plan_loads
from orchestration.load_assets import landing_days
from orchestration.loading import unplaced_files
from orchestration.definitions import build_definitions


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

    def render(self) -> str:
        lines = [f"csops run {self.run_id[:8]}: {'SUCCESS' if self.success else 'FAILED'} in {self.seconds:.1f} s", ""]
        lines.append("Steps")
        steps = _with_suites_folded(self.steps)
        width = max((len(name) for name, _, _ in steps), default=0)
        lines += [f"  {name:<{width}}  {outcome:<8} {seconds:6.1f} s" for name, outcome, seconds in steps]
        lines += [f"  error: {error}" for error in self.step_errors]
        spans = [start if start == end else f"{start} to {end}" for start, end in self.days_loaded]
        lines.append(f"Landing days loaded: {', '.join(spans)}" if spans else
                     "Landing days loaded: none (no file new, changed or gone since the last load)")
        if self.rows_loaded:
            lines.append(f"  {'Rows this run (new or changed days)':<32} {'loaded':>10} {'rejected':>10}")
            lines += [f"  {table:<32} {rows:>10,} {self.rows_rejected.get(table, 0):>10,}"
                      for table, rows in sorted(self.rows_loaded.items())]
            if any(self.rows_rejected.values()):
                lines.append("  (each rejected row, with its file, line and reason: audit.rejected_rows)")
        if self.files_not_loaded:
            lines.append(f"Files not loaded ({len(self.files_not_loaded)}): csops does not read them, and why "
                         "(also in csops audit)")
            lines += [f"  {name}: {reason}" for name, reason in self.files_not_loaded[:FILES_LISTED]]
            if len(self.files_not_loaded) > FILES_LISTED:
                lines.append(f"  ... and {len(self.files_not_loaded) - FILES_LISTED} more (audit.unread_files)")
        lines.append(f"Checks: {self.checks_passed} passed, {len(self.check_failures)} failed, "
                     f"{len(self.check_warnings)} warnings")
        lines += [f"  FAILED  {name}" for name in self.check_failures]
        lines += [f"  warning {name}" for name in self.check_warnings]
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
    """
    started = time.perf_counter()
    log_file = home.root / "logs" / f"run-{datetime.now():%Y%m%dT%H%M%S}.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    runs = []
    with log_file.open("w") as log, contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        defs = build_definitions(home)
        with dg.DagsterInstance.get() as instance:
            plan = plan_loads(home, instance.get_dynamic_partitions(landing_days.name))
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
    summary = summarise(runs, home, time.perf_counter() - started)
    summary.days_loaded = plan.ranges
    summary.log_file = log_file
    summary.files_not_loaded = files_not_loaded(home)
    return summary


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
