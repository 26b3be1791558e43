"""``csops audit``: what a run received, loaded, rejected and checked, in plain text.

For the latest run (or ``--run``): per source, the files, rows read, loaded and rejected,
the rejections grouped by reason with examples (file and line); every check of the run
(reconciliation, Great Expectations, dbt tests), the failing ones with their observed
values; the steps that failed, if the run stopped; and whether the run reached the app. The
exit code is 1 when the run stopped (a step failed or raised, the load included),
reconciliation failed or a blocking check failed, so a scheduler or an auditor's script can
act on it. Every question is asked of the audit trail through csops/audit/trail.py, as the
app's data-quality page asks it.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pandas as pd

from csops.audit import trail
from csops.audit.step_failures import read_step_failures
from csops.audit.warehouse import open_audit_trail
from csops.kernel.last_run import LastRun, read_last_run
from csops.kernel.paths import CsopsHome
from csops.kernel.publication import read_current

HISTORY_RUNS = 10


@dataclass
class AuditReport:
    lines: list[str] = field(default_factory=list)
    has_failures: bool = False
    # Every rejected row (file, line, reason): the text quotes a few per reason, the HTML file
    # an auditor keeps lists them all.
    rejected_rows: list[tuple[str, str, str]] = field(default_factory=list)  # file, place (line #record), reason

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    def html(self) -> str:
        rows = "\n".join(f"<tr><td>{html.escape(source_file)}:{line}</td><td>{html.escape(reason)}</td></tr>"
                         for source_file, line, reason in self.rejected_rows)
        appendix = ("<h2>Every rejected row</h2><table><thead><tr><th>file:line</th><th>reason</th></tr></thead>"
                    f"<tbody>{rows}</tbody></table>") if self.rejected_rows else ""
        return ("<!doctype html><html><head><meta charset='utf-8'><title>csops audit</title>"
                "<style>body{font-family:system-ui,sans-serif;margin:2rem}td,th{border:1px solid #d0d7de;"
                "padding:.2rem .5rem;text-align:left}table{border-collapse:collapse}</style></head>"
                "<body><pre>" + html.escape(self.text()) + "</pre>" + appendix + "</body></html>\n")


class AuditError(RuntimeError):
    """A report cannot be made (no warehouse, a run is writing it, no such run)."""


def audit_report(home: CsopsHome, run: str | None = None,
                 unplaced: Sequence[tuple[str, str]] = ()) -> AuditReport:
    """The report of the latest `csops run` (or of the run whose id starts with ``run``);
    ``unplaced``: the files under landing/ no load reads, with why (csops.cli finds them)."""
    failures_on_file = read_step_failures(home)
    # How the latest `csops run` ended, recorded whatever way it ended (csops.kernel.last_run).
    latest = read_last_run(home) if run is None else None
    if not home.warehouse.exists() and not failures_on_file and latest is None:
        raise AuditError(f"No warehouse in {home.root}: nothing has been loaded yet (`csops run`).")
    try:
        with open_audit_trail(home, failures_on_file) as con:
            return _report(home, trail.on_connection(con), run, latest, unplaced)
    except duckdb.IOException as error:
        raise AuditError("A run is writing the warehouse: try again when it has finished.") from error


def _report(home: CsopsHome, query: trail.Query, run: str | None, latest: LastRun | None,
            unplaced: Sequence[tuple[str, str]]) -> AuditReport:
    history = trail.run_history(query)
    if latest is not None and _is_superseded(history, latest):
        latest = None
    runs = _latest_runs(history, latest) if latest is not None else _runs(history, run)
    report = AuditReport()
    report.lines += [f"csops audit: {home.root}", f"runs: {', '.join(runs)}", ""]
    _ending(latest, report)
    _stopped(query, runs, report)
    _loads(query, runs, report)
    _files_not_loaded(query, runs, unplaced, report)
    _checks(query, runs, report)
    _publication(home, runs, report)
    _history(history, report)
    return report


def _oldest_first(history: pd.DataFrame) -> pd.DataFrame:
    return history.sort_values(["first_recorded_at", "run_id"], ignore_index=True)


def _is_superseded(history: pd.DataFrame, latest: LastRun) -> bool:
    """Runs not its own recorded in the warehouse since the recorded `csops run` ended (runs
    `csops dev` launched): the report is theirs. A run recorded as running and gone was killed:
    it is the latest."""
    if latest.outcome == "running":
        return False
    # After it ended: a run that started while it ran is its own (one run writes at a time), even
    # when a full disk kept the run from recording its Dagster runs' ids.
    # The end is recorded to the second: a run in that second is not later.
    ended = datetime.fromisoformat(latest.at).astimezone(timezone.utc).replace(tzinfo=None) + timedelta(seconds=1)
    later = history.loc[history["first_recorded_at"] >= ended, "run_id"]
    return any(run_id not in latest.dagster_runs for run_id in later)


def _latest_runs(history: pd.DataFrame, latest: LastRun) -> list[str]:
    """The Dagster runs of the latest `csops run`: as it recorded them at its end; the run's own
    id when it ended before any started; those recorded since the build before, when killed."""
    if latest.dagster_runs:
        return list(latest.dagster_runs)
    if latest.outcome == "running":
        with contextlib.suppress(AuditError):
            return _runs(history, None)
    return [latest.run_id]


def _runs(history: pd.DataFrame, run: str | None) -> list[str]:
    """The runs of one `csops run`: the latest (or the named) run, and the load runs that came
    with it (the loads recorded since the build before it)."""
    recorded = _oldest_first(history)
    if recorded.empty:
        raise AuditError("No run has recorded its checks yet: run `csops run` first.")
    if run is not None:
        chosen = recorded.loc[recorded["run_id"].str.startswith(run), "run_id"]
        if chosen.empty:
            known = ", ".join(run_id[:8] for run_id in recorded["run_id"].tail(10))
            raise AuditError(f"No run starts with {run!r}. Recorded: {known}")
        return [chosen.iloc[0]]
    # A `csops run` is its loads then a build, and ends early when a run stops (no build
    # follows a load that failed): the latest is the runs since the end of the one before.
    ends = recorded.index[(recorded["is_build"] | recorded["is_stopped"]) & (recorded.index < len(recorded) - 1)]
    previous = ends.max() if len(ends) else -1
    return list(recorded["run_id"].iloc[previous + 1:])


def _ending(latest: LastRun | None, report: AuditReport) -> None:
    """How the latest `csops run` ended: its id, when, how, the error."""
    if latest is None:
        return
    started = f"started {latest.started_at[:19].replace('T', ' ')} UTC, " if latest.started_at else ""
    ended = "" if latest.outcome == "running" else f"ended {latest.at[:19].replace('T', ' ')} UTC: "
    report.lines.append(f"Latest csops run {latest.run_id[:8]}: {started}{ended}{latest.status()}")
    report.lines.append("")
    report.has_failures = report.has_failures or latest.is_failed


def _stopped(query: trail.Query, runs: list[str], report: AuditReport) -> None:
    """The steps that failed: the run stopped there, whatever its checks say."""
    failures = trail.step_failures(query, runs)
    if failures.empty:
        return
    report.has_failures = True
    report.lines.append("STOPPED: a step failed, so the run did not finish")
    report.lines += [f"  FAILED  {run_id[:8]} {step_key}: {message}"
                     for run_id, step_key, message in failures.itertuples(index=False)]
    report.lines.append("")


def _loads(query: trail.Query, runs: list[str], report: AuditReport) -> None:
    report.lines.append("Loads (landing files into raw)")
    logged = trail.loads(query, ["source"], runs)
    if logged.empty:
        report.lines += ["  nothing loaded by these runs (no landing day new, changed or gone)", ""]
        return
    for row in logged.itertuples(index=False):
        report.lines.append(
            f"  {row.source:<10} {row.file_count:>5} files ({row.first_landing_date:%Y-%m-%d} to "
            f"{row.last_landing_date:%Y-%m-%d}): {row.rows_read:>10,} rows read = {row.rows_loaded:>10,} loaded + "
            f"{row.rows_rejected:>7,} rejected")
    rows = trail.rejected_rows(query, runs)
    report.rejected_rows = list(zip(rows["source_file"], rows["place"], rows["reason"]))
    reasons = trail.rejections_by_reason(query, runs).sort_values(["source", "raw_table", "reason_kind"])
    if not reasons.empty:
        report.lines.append("  Rejected rows by reason (every row, with its text: audit.rejected_rows)")
    for row in reasons.itertuples(index=False):
        report.lines.append(f"    {row.raw_table}: {row.rejected_row_count:,} x {row.reason_kind}")
        report.lines += [f"      {example}" for example in row.examples]
    report.lines.append("")


def _files_not_loaded(query: trail.Query, runs: list[str], unplaced: Sequence[tuple[str, str]],
                      report: AuditReport) -> None:
    """Files under landing/ csops does not load, with why: those these runs read and could not use,
    and those no load reads (no landing day in their path, outside the source folders)."""
    unread = trail.unread_files(query, runs)
    if unread.empty and not unplaced:
        return
    report.lines.append(f"Files not loaded ({len(unread) + len(unplaced)}): read and not used, or never read, and why")
    report.lines += [f"  {name}: {reason}" + (f" ({records:,} records)" if records else "")
                     for name, records, reason in unread.itertuples(index=False)]
    report.lines += [f"  {name}: {reason}" for name, reason in unplaced]
    report.lines.append("")


def _checks(query: trail.Query, runs: list[str], report: AuditReport) -> None:
    report.lines.append("Checks")
    for source, passed, failed, warned in trail.check_counts(query, runs).itertuples(index=False):
        report.lines.append(f"  {source:<20} {passed:>5} passed, {failed:>3} failed, {warned:>3} warnings")
    failing = trail.check_results(query, runs, failing_only=True)
    for row in failing.itertuples(index=False):
        label = "FAILED " if row.severity == "error" else "warning"
        report.lines.append(f"  {label} {row.check_source}: {row.asset}: {row.check_name}")
        report.lines.append(f"          observed: {row.observed}")
        if row.report_path:
            report.lines.append(f"          report: {row.report_path}")
        report.has_failures = report.has_failures or row.severity == "error"
    report.lines.append("")


def _publication(home: CsopsHome, runs: list[str], report: AuditReport) -> None:
    publication = read_current(home)
    if publication is not None and publication.run_id in runs:
        report.lines.append(f"Published for the app: {publication.path}")
    elif publication is not None:
        report.lines.append(f"Not published by these runs: the app shows the run {publication.run_id[:8]} "
                            f"({publication.published_at}).")
    else:
        report.lines.append("Not published: the app has nothing to show yet.")


def _history(history: pd.DataFrame, report: AuditReport) -> None:
    """The latest runs' checks at a glance, from the history kept in audit.quality_results and
    audit.step_failures."""
    report.lines += ["", "Recent runs (newest first; `csops audit --run ID` for one)"]
    for row in history.head(HISTORY_RUNS).itertuples(index=False):
        outcome = ("published" if row.is_published else "NOT published") if row.is_build else "load"
        outcome = f"{outcome}, STOPPED" if row.is_stopped else outcome
        report.lines.append(f"  {row.run_id[:8]}  {row.first_recorded_at:%Y-%m-%d %H:%M} UTC  {outcome:<24} "
                            f"{row.passed_count:>5} passed, {row.blocking_failure_count:>3} failed, "
                            f"{row.warning_count:>3} warnings")


def write_html(report: AuditReport, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report.html(), encoding="utf-8")
