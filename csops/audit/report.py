"""``csops audit``: what a run received, loaded, rejected and checked, in plain text.

For the latest run (or ``--run``): per source, the files, rows read, loaded and rejected,
the rejections grouped by reason with examples (file and line); every check of the run
(reconciliation, Great Expectations, dbt tests), the failing ones with their observed
values; the steps that failed, if the run stopped; and whether the run reached the app. The
exit code is 1 when the run stopped (a step failed or raised, the load included),
reconciliation failed or a blocking check failed, so a scheduler or an auditor's script can
act on it.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb

from csops.kernel.redaction import redact
from csops.kernel.paths import SOURCES, CsopsHome
from csops.kernel.publication import LastRun, read_current, read_last_run
from csops.orchestration.loading import unplaced_files

EXAMPLES_PER_REASON = 3


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


def _reason_kind(reason: str) -> str:
    """A rejection reason without the value it quotes: the rows' common cause."""
    return "; ".join(re.split(r":\s", part, maxsplit=1)[0] for part in reason.split("; "))


def audit_report(home: CsopsHome, run: str | None = None) -> AuditReport:
    failures_on_file = read_step_failures(home)
    # How the latest `csops run` ended, recorded whatever way it ended (csops.kernel.publication).
    latest = read_last_run(home) if run is None else None
    if not home.warehouse.exists() and not failures_on_file and latest is None:
        raise AuditError(f"No warehouse in {home.root}: nothing has been loaded yet (`csops run`).")
    try:
        # A run that stopped before making the warehouse left its failures on file only.
        con = duckdb.connect(str(home.warehouse), read_only=True) if home.warehouse.exists() else duckdb.connect()
    except duckdb.IOException as error:
        raise AuditError("A run is writing the warehouse: try again when it has finished.") from error
    with con:
        tables = {t for t, in con.execute("select table_name from information_schema.tables "
                                          "where table_schema = 'audit'").fetchall()}
        if not tables & {"quality_results", "step_failures"} and not failures_on_file and latest is None:
            raise AuditError("No run has recorded its checks yet: run `csops run` first.")
        _prepare(con, tables, failures_on_file)
        if latest is not None and _is_superseded(con, latest):
            latest = None
        runs = _latest_runs(con, latest) if latest is not None else _runs(con, run)
        report = AuditReport()
        report.lines += [f"csops audit: {home.root}", f"runs: {', '.join(runs)}", ""]
        _ending(latest, report)
        _stopped(con, runs, report)
        _loads(con, runs, report)
        _files_not_loaded(con, home, runs, report)
        _checks(con, runs, report)
        _publication(home, runs, report)
        _history(con, report)
    return report


# The audit tables a report reads, as temporary views: empty where a table is not there yet
# (a first run can stop before loading anything or running any check).
_AUDIT_COLUMNS = {
    "quality_results": "run_id varchar, checked_at timestamp, check_source varchar, asset varchar, check_name varchar, "
                       "severity varchar, is_passed boolean, observed varchar, report_path varchar",
    "load_log": "run_id varchar, source varchar, rows_read bigint, rows_loaded bigint, rows_rejected bigint, "
                "landing_date date",
    "rejected_rows": "run_id varchar, source varchar, raw_table varchar, reason varchar, source_file varchar, "
                     "line_number bigint, record_number bigint",
    "unread_files": "run_id varchar, source varchar, source_file varchar, records bigint, reason varchar",
}


def _prepare(con: duckdb.DuckDBPyConnection, tables: set[str], failures_on_file: list[StepFailure]) -> None:
    for table, columns in _AUDIT_COLUMNS.items():
        if table in tables:
            names = ", ".join(column.split()[0] for column in columns.split(", "))
            con.execute(f"create temp view run_{table} as select {names} from audit.{table}")
        else:
            con.execute(f"create temp table run_{table} ({columns})")
    con.execute("create temp table run_failures (run_id varchar, job_name varchar, step_key varchar, "
                "failed_at timestamp, message varchar)")
    if "step_failures" in tables:
        con.execute("insert into run_failures select run_id, job_name, step_key, failed_at, message "
                    "from audit.step_failures")
    if failures_on_file:
        con.executemany("insert into run_failures values (?, ?, ?, ?, ?)",
                        [(f.run_id, f.job_name, f.step_key, f.failed_at, f.message) for f in failures_on_file])


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


BUILD_JOB_NAME = "build_and_publish"  # csops/orchestration/automation.py's (csops does not import Dagster for a report)

# One row per run: when it first recorded anything, whether it was a build, whether it stopped.
_RUNS_SQL = f"""
    select run_id, min(recorded_at) as first_at, bool_or(is_build) as is_build, bool_or(is_stopped) as is_stopped
    from (
        select run_id, checked_at as recorded_at, check_source in ('dbt', 'publication_gate') as is_build,
            false as is_stopped
        from run_quality_results
        union all
        select run_id, failed_at, job_name = '{BUILD_JOB_NAME}', true from run_failures
    )
    group by run_id
"""


def _is_superseded(con, latest: LastRun) -> bool:
    """Runs not its own recorded in the warehouse since the recorded `csops run` ended (runs
    `csops dev` launched): the report is theirs. A run recorded as running and gone was killed:
    it is the latest."""
    if latest.outcome == "running":
        return False
    # After it ended: a run that started while it ran is its own (one run writes at a time), even
    # when a full disk kept the run from recording its Dagster runs' ids.
    # The end is recorded to the second: a run in that second is not later.
    ended = datetime.fromisoformat(latest.at).astimezone(timezone.utc).replace(tzinfo=None) + timedelta(seconds=1)
    later = con.execute(f"select run_id from ({_RUNS_SQL}) where first_at >= ?", [ended]).fetchall()
    return any(run_id not in latest.dagster_runs for run_id, in later)


def _latest_runs(con, latest: LastRun) -> list[str]:
    """The Dagster runs of the latest `csops run`: as it recorded them at its end; the run's own
    id when it ended before any started; those recorded since the build before, when killed."""
    if latest.dagster_runs:
        return list(latest.dagster_runs)
    if latest.outcome == "running":
        with contextlib.suppress(AuditError):
            return _runs(con, None)
    return [latest.run_id]


def _ending(latest: LastRun | None, report: AuditReport) -> None:
    """How the latest `csops run` ended: its id, when, how, the error."""
    if latest is None:
        return
    started = f"started {latest.started_at[:19].replace('T', ' ')} UTC, " if latest.started_at else ""
    ended = "" if latest.outcome == "running" else f"ended {latest.at[:19].replace('T', ' ')} UTC: "
    report.lines.append(f"Latest csops run {latest.run_id[:8]}: {started}{ended}{latest.status()}")
    report.lines.append("")
    report.has_failures = report.has_failures or latest.is_failed


def _stopped(con, runs: list[str], report: AuditReport) -> None:
    """The steps that failed: the run stopped there, whatever its checks say."""
    failures = con.execute("""
        select run_id, step_key, message from run_failures where list_contains(?, run_id) order by failed_at
    """, [runs]).fetchall()
    if not failures:
        return
    report.has_failures = True
    report.lines.append("STOPPED: a step failed, so the run did not finish")
    report.lines += [f"  FAILED  {run_id[:8]} {step_key}: {message}" for run_id, step_key, message in failures]
    report.lines.append("")


def _runs(con, run: str | None) -> list[str]:
    """The runs of one `csops run`: the latest (or the named) run, and the load runs that came
    with it (the loads recorded since the build before it)."""
    recorded = con.execute(f"{_RUNS_SQL} order by first_at").fetchall()
    if not recorded:
        raise AuditError("No run has recorded its checks yet: run `csops run` first.")
    if run is not None:
        chosen = [r for r in recorded if r[0].startswith(run)]
        if not chosen:
            raise AuditError(f"No run starts with {run!r}. Recorded: {', '.join(r[0][:8] for r in recorded[-10:])}")
        return [chosen[0][0]]
    # A `csops run` is its loads then a build, and ends early when a run stops (no build
    # follows a load that failed): the latest is the runs since the end of the one before.
    last = len(recorded) - 1
    previous = max((i for i, (_, _, is_build, is_stopped) in enumerate(recorded[:last]) if is_build or is_stopped),
                   default=-1)
    return [r[0] for r in recorded[previous + 1:]]


def _loads(con, runs: list[str], report: AuditReport) -> None:
    report.lines.append("Loads (landing files into raw)")
    logged = con.execute("""
        select source, count(*), sum(rows_read), sum(rows_loaded), sum(rows_rejected),
            min(landing_date), max(landing_date)
        from run_load_log where list_contains(?, run_id) group by source order by source
    """, [runs]).fetchall()
    if not logged:
        report.lines += ["  nothing loaded by these runs (no landing day new, changed or gone)", ""]
        return
    for source, files, read, loaded, rejected, first_day, last_day in logged:
        report.lines.append(f"  {source:<10} {files:>5} files ({first_day} to {last_day}): {read:>10,} rows read = "
                            f"{loaded:>10,} loaded + {rejected:>7,} rejected")
    rejected = con.execute("""
        select source, raw_table, reason, source_file, line_number, record_number
        from run_rejected_rows where list_contains(?, run_id)
        order by source, raw_table, source_file, record_number, line_number
    """, [runs]).fetchall()
    by_kind: dict[tuple[str, str, str], list[tuple[str, str, str]]] = {}
    # Redacted again on the way out: rows loaded before the loader redacted its reasons.
    rejected = [(source, table, redact(reason), *rest) for source, table, reason, *rest in rejected]
    report.rejected_rows = [(source_file, _place(line, record), reason)
                            for _, _, reason, source_file, line, record in rejected]
    for source, raw_table, reason, source_file, line, record in rejected:
        by_kind.setdefault((source, raw_table, _reason_kind(reason)), []).append(
            (source_file, _place(line, record), reason))
    if by_kind:
        report.lines.append("  Rejected rows by reason (every row, with its text: audit.rejected_rows)")
    for (source, raw_table, kind), rows in sorted(by_kind.items()):
        report.lines.append(f"    {raw_table}: {len(rows):,} x {kind}")
        report.lines += [f"      {source_file}:{place}: {reason}" for source_file, place, reason in rows[:EXAMPLES_PER_REASON]]
    report.lines.append("")


def _place(line: int, record: int | None) -> str:
    """A record's place: its line, and its place in the file where a line holds several
    (a Firehose object, an API page: every record is on line 1)."""
    return f"{line}" if record is None or record == line else f"{line} #{record}"


def _files_not_loaded(con, home: CsopsHome, runs: list[str], report: AuditReport) -> None:
    """Files under landing/ csops does not load, with why: those these runs read and could not use,
    and those no load reads (no landing day in their path, outside the source folders)."""
    unread = con.execute("""
        select source_file, records, reason from run_unread_files where list_contains(?, run_id) order by source_file
    """, [runs]).fetchall()
    unplaced = unplaced_files(home.landing)
    if not unread and not unplaced:
        return
    report.lines.append(f"Files not loaded ({len(unread) + len(unplaced)}): read and not used, or never read, and why")
    report.lines += [f"  {name}: {reason}" + (f" ({records:,} records)" if records else "")
                     for name, records, reason in unread]
    report.lines += [f"  {name}: {reason}" for name, reason in unplaced]
    report.lines.append("")


def _checks(con, runs: list[str], report: AuditReport) -> None:
    counts = con.execute("""
        select check_source, count(*) filter (where is_passed), count(*) filter (where not is_passed and severity = 'error'),
            count(*) filter (where not is_passed and severity <> 'error')
        from run_quality_results where list_contains(?, run_id) group by check_source order by check_source
    """, [runs]).fetchall()
    report.lines.append("Checks")
    for source, passed, failed, warned in counts:
        report.lines.append(f"  {source:<20} {passed:>5} passed, {failed:>3} failed, {warned:>3} warnings")
    failing = con.execute("""
        select severity, check_source, asset, check_name, observed, report_path
        from run_quality_results where list_contains(?, run_id) and not is_passed
        order by severity = 'error' desc, check_source, asset, check_name
    """, [runs]).fetchall()
    for severity, source, asset, name, observed, report_path in failing:
        label = "FAILED " if severity == "error" else "warning"
        report.lines.append(f"  {label} {source}: {asset}: {name}")
        report.lines.append(f"          observed: {observed}")
        if report_path:
            report.lines.append(f"          report: {report_path}")
        report.has_failures = report.has_failures or severity == "error"
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


def write_html(report: AuditReport, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report.html(), encoding="utf-8")


HISTORY_RUNS = 10


def _history(con, report: AuditReport) -> None:
    """The latest runs' checks at a glance, from the history kept in audit.quality_results and
    audit.step_failures."""
    rows = con.execute(f"""
        select runs.run_id, runs.first_at,
            count(checks.run_id) filter (where checks.is_passed) as passed,
            count(checks.run_id) filter (where not checks.is_passed and checks.severity = 'error') as failed,
            count(checks.run_id) filter (where not checks.is_passed and checks.severity <> 'error') as warned,
            coalesce(bool_or(checks.check_source = 'publication_gate' and checks.is_passed), false) as is_published,
            runs.is_build,
            runs.is_stopped
        from ({_RUNS_SQL}) as runs
        left join run_quality_results as checks on checks.run_id = runs.run_id
        group by all
        order by runs.first_at desc
        limit {HISTORY_RUNS}
    """).fetchall()
    report.lines += ["", f"Recent runs (newest first; `csops audit --run ID` for one)"]
    for run_id, checked_at, passed, failed, warned, is_published, is_build, is_stopped in rows:
        outcome = ("published" if is_published else "NOT published") if is_build else "load"
        outcome = f"{outcome}, STOPPED" if is_stopped else outcome
        report.lines.append(f"  {run_id[:8]}  {checked_at:%Y-%m-%d %H:%M} UTC  {outcome:<24} "
                            f"{passed:>5} passed, {failed:>3} failed, {warned:>3} warnings")
