"""What a ``csops run`` did, in one screen: its steps, the days and rows it loaded, what it
rejected, its checks' verdicts, and whether it published (csops/orchestration/run.py prints it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from csops.kernel.paths import CsopsHome
from csops.kernel.publication import read_current
from csops.orchestration.dbt_results import read_node_results, run_results_files


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


def _root_cause(error) -> str:
    """The innermost error's message: Dagster wraps the one a user can act on."""
    if error is None:
        return "unknown error"
    while error.cause is not None:
        error = error.cause
    lines = [line for line in error.message.strip().splitlines() if line.strip()]
    return lines[0] if lines else error.cls_name or "unknown error"


def dbt_failures(home: CsopsHome, run_id: str) -> list[str]:
    """The dbt nodes that errored or failed in this Dagster run."""
    return [f"dbt {node.status}: {node.unique_id}: {node.message}"
            for results in run_results_files(home, run_id) for node in read_node_results(results) if node.is_failed]


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
