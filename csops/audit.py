"""``csops audit``: what a run received, loaded, rejected and checked, in plain text.

For the latest run (or ``--run``): per source, the files, rows read, loaded and rejected,
the rejections grouped by reason with examples (file and line); every check of the run
(reconciliation, Great Expectations, dbt tests), the failing ones with their observed
values; and whether the run reached the app. The exit code is 1 when reconciliation or a
blocking check failed, so a scheduler or an auditor's script can act on it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from csops.paths import SOURCES, CsopsHome
from csops.publication import read_current

EXAMPLES_PER_REASON = 3


@dataclass
class AuditReport:
    lines: list[str] = field(default_factory=list)
    has_failures: bool = False
    # Every rejected row (file, line, reason): the text quotes a few per reason, the HTML file
    # an auditor keeps lists them all.
    rejected_rows: list[tuple[str, int, str]] = field(default_factory=list)

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
    if not home.warehouse.exists():
        raise AuditError(f"No warehouse in {home.root}: nothing has been loaded yet (`csops run`).")
    try:
        con = duckdb.connect(str(home.warehouse), read_only=True)
    except duckdb.IOException as error:
        raise AuditError("A run is writing the warehouse: try again when it has finished.") from error
    with con:
        tables = {t for t, in con.execute("select table_name from information_schema.tables "
                                          "where table_schema = 'audit'").fetchall()}
        if "quality_results" not in tables:
            raise AuditError("No run has recorded its checks yet: run `csops run` first.")
        runs = _runs(con, run)
        report = AuditReport()
        report.lines += [f"csops audit: {home.root}", f"runs: {', '.join(runs)}", ""]
        _loads(con, runs, report)
        _checks(con, runs, report)
        _publication(home, runs, report)
        _history(con, report)
    return report


def _runs(con, run: str | None) -> list[str]:
    """The runs of one `csops run`: the latest (or the named) run, and the load runs that came
    with it (the loads recorded since the build before it)."""
    recorded = con.execute("""
        select run_id, min(checked_at) as first_at, bool_or(check_source in ('dbt', 'publication_gate')) as is_build
        from audit.quality_results group by run_id order by first_at
    """).fetchall()
    if not recorded:
        raise AuditError("No run has recorded its checks yet: run `csops run` first.")
    if run is not None:
        chosen = [r for r in recorded if r[0].startswith(run)]
        if not chosen:
            raise AuditError(f"No run starts with {run!r}. Recorded: {', '.join(r[0][:8] for r in recorded[-10:])}")
        return [chosen[0][0]]
    builds = [i for i, r in enumerate(recorded) if r[2]]
    last = builds[-1] if builds else len(recorded) - 1
    previous = builds[-2] if len(builds) > 1 else -1
    return [r[0] for r in recorded[previous + 1:last + 1]]


def _loads(con, runs: list[str], report: AuditReport) -> None:
    report.lines.append("Loads (landing files into raw)")
    logged = con.execute("""
        select source, count(*), sum(rows_read), sum(rows_loaded), sum(rows_rejected),
            min(landing_date), max(landing_date)
        from audit.load_log where list_contains(?, run_id) group by source order by source
    """, [runs]).fetchall()
    if not logged:
        report.lines += ["  nothing loaded by these runs (no landing day new, changed or gone)", ""]
        return
    for source, files, read, loaded, rejected, first_day, last_day in logged:
        report.lines.append(f"  {source:<10} {files:>5} files ({first_day} to {last_day}): {read:>10,} rows read = "
                            f"{loaded:>10,} loaded + {rejected:>7,} rejected")
    rejected = con.execute("""
        select source, raw_table, reason, source_file, line_number
        from audit.rejected_rows where list_contains(?, run_id)
        order by source, raw_table, source_file, line_number
    """, [runs]).fetchall()
    by_kind: dict[tuple[str, str, str], list[tuple[str, int, str]]] = {}
    report.rejected_rows = [(source_file, line, reason) for _, _, reason, source_file, line in rejected]
    for source, raw_table, reason, source_file, line in rejected:
        by_kind.setdefault((source, raw_table, _reason_kind(reason)), []).append((source_file, line, reason))
    if by_kind:
        report.lines.append("  Rejected rows by reason (every row, with its text: audit.rejected_rows)")
    for (source, raw_table, kind), rows in sorted(by_kind.items()):
        report.lines.append(f"    {raw_table}: {len(rows):,} x {kind}")
        report.lines += [f"      {source_file}:{line}: {reason}" for source_file, line, reason in rows[:EXAMPLES_PER_REASON]]
    report.lines.append("")


def _checks(con, runs: list[str], report: AuditReport) -> None:
    counts = con.execute("""
        select check_source, count(*) filter (where is_passed), count(*) filter (where not is_passed and severity = 'error'),
            count(*) filter (where not is_passed and severity <> 'error')
        from audit.quality_results where list_contains(?, run_id) group by check_source order by check_source
    """, [runs]).fetchall()
    report.lines.append("Checks")
    for source, passed, failed, warned in counts:
        report.lines.append(f"  {source:<20} {passed:>5} passed, {failed:>3} failed, {warned:>3} warnings")
    failing = con.execute("""
        select severity, check_source, asset, check_name, observed, report_path
        from audit.quality_results where list_contains(?, run_id) and not is_passed
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
    """The latest runs' checks at a glance, from the history kept in audit.quality_results."""
    rows = con.execute(f"""
        select run_id, min(checked_at) as first_checked_at,
            count(*) filter (where is_passed) as passed,
            count(*) filter (where not is_passed and severity = 'error') as failed,
            count(*) filter (where not is_passed and severity <> 'error') as warned,
            bool_or(check_source = 'publication_gate' and is_passed) as is_published,
            bool_or(check_source in ('dbt', 'publication_gate')) as is_build
        from audit.quality_results
        group by run_id
        order by first_checked_at desc
        limit {HISTORY_RUNS}
    """).fetchall()
    report.lines += ["", f"Recent runs (newest first; `csops audit --run ID` for one)"]
    for run_id, checked_at, passed, failed, warned, is_published, is_build in rows:
        outcome = ("published" if is_published else "NOT published") if is_build else "load"
        report.lines.append(f"  {run_id[:8]}  {checked_at:%Y-%m-%d %H:%M} UTC  {outcome:<13} "
                            f"{passed:>5} passed, {failed:>3} failed, {warned:>3} warnings")
