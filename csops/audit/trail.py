"""The one reader of the audit trail: every question `csops audit`, the app's data-quality page,
the publication gate and the end of `csops run` ask of the audit schema.

The same SQL runs on the warehouse (csops/audit/report.py opens it as an ``audit`` schema;
the gate and the run's end on their connection) and on a publication's copy of the audit
tables (the app, through its cached ``frame``). Each caller hands over a :data:`Query`: a
function that runs parameterised SQL (``$name`` placeholders) and returns a DataFrame.

One grouping rule for rejected rows (:data:`REASON_KIND_SQL`): a reason's kind is the reason
without the values it quotes: each of its parts (a record can fail several checks, "; "
between them) up to its first ": ". Reasons and kinds are shown redacted
(csops.kernel.redaction): the loader redacts what it quotes, but rows loaded before it did are
redacted on the way out, and kinds that redaction makes alike count as one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from csops.kernel.redaction import redact

Query = Callable[[str, dict[str, Any]], pd.DataFrame]

# csops/orchestration/automation.py's name for the build job (a report imports no Dagster).
BUILD_JOB_NAME = "build_and_publish"
# Rejected rows quoted per kind of reason; the drill-down (and the report's HTML) has them all.
EXAMPLES_PER_REASON = 3

REASON_KIND_SQL = ("array_to_string(list_transform(string_split(reason, '; '), "
                   "lambda part: regexp_split_to_array(part, ':\\s')[1]), '; ')")
# A record's place: its line, and its place in the file where a line holds several (a Firehose
# object, an API page: every record is on line 1).
PLACE_SQL = ("line_number || coalesce(case when record_number != line_number "
             "then ' #' || record_number end, '')")


def on_connection(con: duckdb.DuckDBPyConnection) -> Query:
    """A :data:`Query` on an open DuckDB connection."""
    return lambda sql, parameters=None: con.execute(sql, parameters or {}).df()


def _selection(runs: Sequence[str] | None = None, start_date: date | None = None, end_date: date | None = None,
               raw_table: str | None = None) -> tuple[str, dict[str, Any]]:
    """A ``where`` clause over an audit table: some runs, landing days, one raw table."""
    conditions, parameters = ["true"], {}
    if runs is not None:
        conditions.append("list_contains($runs, run_id)")
        parameters["runs"] = list(runs)
    if start_date is not None and end_date is not None:
        conditions.append("landing_date between $start_date and $end_date")
        parameters.update(start_date=start_date, end_date=end_date)
    if raw_table is not None:
        conditions.append("raw_table = $raw_table")
        parameters["raw_table"] = raw_table
    return " and ".join(conditions), parameters


# --- rejected rows --------------------------------------------------------------------------------


def rejections_by_reason(query: Query, runs: Sequence[str] | None = None, start_date: date | None = None,
                         end_date: date | None = None) -> pd.DataFrame:
    """Rejected rows by source, table and kind of reason: how many, the first one's place
    (``first_example``, file:line) and the first few as ``file:line: reason`` (``examples``);
    most rows first."""
    where, parameters = _selection(runs, start_date, end_date)
    groups = query(f"""
        select source, raw_table, {REASON_KIND_SQL} as reason_kind, count(*) as rejected_row_count,
            list(struct_pack(source_file, record_number, line_number, place := {PLACE_SQL}, reason)
                 order by source_file, record_number, line_number)[1:{EXAMPLES_PER_REASON}] as examples
        from audit.rejected_rows
        where {where}
        group by all
    """, parameters)
    merged: dict[tuple[str, str, str], tuple[int, list[dict]]] = {}
    for source, raw_table, kind, count, examples in groups.itertuples(index=False):
        key = (source, raw_table, redact(kind))
        total, kept = merged.get(key, (0, []))
        merged[key] = (total + int(count), kept + list(examples))
    rows = []
    for (source, raw_table, kind), (count, examples) in merged.items():
        examples = sorted(examples, key=lambda e: (e["source_file"], e["record_number"], e["line_number"]))
        examples = examples[:EXAMPLES_PER_REASON]
        rows.append((source, raw_table, kind, count, f"{examples[0]['source_file']}:{examples[0]['place']}",
                     [f"{e['source_file']}:{e['place']}: {redact(e['reason'])}" for e in examples]))
    frame = pd.DataFrame(rows, columns=["source", "raw_table", "reason_kind", "rejected_row_count", "first_example",
                                        "examples"])
    return frame.sort_values(["rejected_row_count", "raw_table", "reason_kind"], ascending=[False, True, True],
                             ignore_index=True)


def rejected_rows(query: Query, runs: Sequence[str] | None = None, start_date: date | None = None,
                  end_date: date | None = None, raw_table: str | None = None,
                  reason_kind: str | None = None) -> pd.DataFrame:
    """Every rejected row selected (of one kind, as :func:`rejections_by_reason` names it, when
    ``reason_kind`` is given), with its place and its reason, redacted; in file order."""
    where, parameters = _selection(runs, start_date, end_date, raw_table)
    rows = query(f"""
        select source, raw_table, source_file, line_number, record_number, {PLACE_SQL} as place, landing_date,
            reason, {REASON_KIND_SQL} as reason_kind, run_id
        from audit.rejected_rows
        where {where}
        order by source, raw_table, source_file, record_number, line_number
    """, parameters)
    rows = rows.assign(reason=rows["reason"].map(redact), reason_kind=rows["reason_kind"].map(redact))
    if reason_kind is not None:
        rows = rows[rows["reason_kind"] == redact(reason_kind)]
    return rows.reset_index(drop=True)


# --- loads ----------------------------------------------------------------------------------------


def loads(query: Query, by: Sequence[str], runs: Sequence[str] | None = None, start_date: date | None = None,
          end_date: date | None = None) -> pd.DataFrame:
    """Files loaded and their rows, grouped ``by`` (``source``, ``landing_date``): rows read =
    loaded + rejected (``is_reconciled``), the landing days they span, the latest load run."""
    where, parameters = _selection(runs, start_date, end_date)
    grouping = ", ".join(by)
    return query(f"""
        select {grouping}, count(*) as file_count, sum(rows_read)::bigint as rows_read,
            sum(rows_loaded)::bigint as rows_loaded, sum(rows_rejected)::bigint as rows_rejected,
            sum(rows_read) = sum(rows_loaded) + sum(rows_rejected) as is_reconciled,
            min(landing_date) as first_landing_date, max(landing_date) as last_landing_date,
            max(run_id) as load_run_id
        from audit.load_log
        where {where}
        group by {grouping}
        order by {", ".join(f"{column} desc" if column.endswith("_date") else column for column in by)}
    """, parameters)


# --- runs and their checks ----------------------------------------------------------------------


def run_history(query: Query, has_step_failures: bool = True) -> pd.DataFrame:
    """One row per run, newest first: when it first recorded anything, whether it was a build
    (it ran dbt or the gate, or is the build job), whether it published, whether a step of it
    stopped it (``audit.step_failures``, where there is one), and its checks' verdicts."""
    stopped = f"""
        union all
        select run_id, failed_at, job_name = '{BUILD_JOB_NAME}', true from audit.step_failures
    """ if has_step_failures else ""
    return query(f"""
        with recorded as (
            select run_id, checked_at as recorded_at, check_source in ('dbt', 'publication_gate') as is_build,
                false as is_stopped
            from audit.quality_results
            {stopped}
        ),

        runs as (
            select run_id, min(recorded_at) as first_recorded_at, bool_or(is_build) as is_build,
                bool_or(is_stopped) as is_stopped
            from recorded
            group by run_id
        )

        select runs.run_id, runs.first_recorded_at,
            count(checks.run_id) filter (where checks.is_passed) as passed_count,
            count(checks.run_id) filter (where not checks.is_passed and checks.severity = 'error')
                as blocking_failure_count,
            count(checks.run_id) filter (where not checks.is_passed and checks.severity <> 'error') as warning_count,
            runs.is_build,
            coalesce(bool_or(checks.check_source = 'publication_gate' and checks.is_passed), false) as is_published,
            runs.is_stopped
        from runs
        left join audit.quality_results as checks on checks.run_id = runs.run_id
        group by all
        order by runs.first_recorded_at desc, runs.run_id
    """, {})


def step_failures(query: Query, runs: Sequence[str]) -> pd.DataFrame:
    """The steps of these runs that failed (the run stopped there), in the order they failed."""
    return query("""
        select run_id, step_key, message from audit.step_failures where list_contains($runs, run_id) order by failed_at
    """, {"runs": list(runs)})


def check_counts(query: Query, runs: Sequence[str]) -> pd.DataFrame:
    """Per source of checks (reconciliation, great_expectations, dbt, the gate) of these runs:
    how many passed, failed blocking, warned."""
    return query("""
        select check_source, count(*) filter (where is_passed) as passed_count,
            count(*) filter (where not is_passed and severity = 'error') as blocking_failure_count,
            count(*) filter (where not is_passed and severity <> 'error') as warning_count
        from audit.quality_results
        where list_contains($runs, run_id)
        group by check_source
        order by check_source
    """, {"runs": list(runs)})


def check_results(query: Query, runs: Sequence[str], failing_only: bool = False) -> pd.DataFrame:
    """Every check of these runs (or those that did not pass), failures first, blocking before
    warnings; ``observed`` as recorded (it can quote a value from a file: redact it to show it
    to anyone but an auditor)."""
    return query(f"""
        select run_id, check_source, asset, check_name, severity, is_passed, observed, report_path
        from audit.quality_results
        where list_contains($runs, run_id){" and not is_passed" if failing_only else ""}
        order by is_passed, severity = 'error' desc, check_source, asset, check_name
    """, {"runs": list(runs)})


def blocking_failures(query: Query, run_id: str) -> pd.DataFrame:
    """What keeps ``run_id`` from publishing: its own failed blocking checks (not the gate's
    verdict), and those of the latest load run to check each raw table.

    Only load runs whose rows are in the warehouse count, and of those the latest per raw
    table and check: a load checks again the days of earlier failing loads
    (csops/orchestration/quality.py, ``validate_raw``), and each reload is reconciled, so the
    latest verdict covers the table's rows."""
    return query("""
        with load_checks as (
            select *
            from audit.quality_results
            where run_id in (select distinct run_id from audit.load_log)
            qualify run_id = last_value(run_id) over (
                partition by asset, check_source order by checked_at
                rows between unbounded preceding and unbounded following)
        ),

        this_run as (
            select * from audit.quality_results where run_id = $run_id and check_source <> 'publication_gate'
        )

        select run_id, check_source, asset, check_name, observed
        from (select * from load_checks union by name select * from this_run)
        where not is_passed and severity = 'error'
        order by checked_at, check_source, asset, check_name
    """, {"run_id": run_id})


def named_failures(failures: pd.DataFrame, with_observed: bool = False) -> list[str]:
    """Each failure of :func:`blocking_failures` in a line: its run, source, asset and check
    (and what was observed)."""
    return [f"{run_id[:8]} {source}: {asset}: {name}" + (f": {observed}" if with_observed and observed else "")
            for run_id, source, asset, name, observed in failures.itertuples(index=False)]


def unread_files(query: Query, runs: Sequence[str] | None = None) -> pd.DataFrame:
    """Files the loads read and could not use, with why (and how many records they held)."""
    where, parameters = _selection(runs)
    return query(f"select source_file, records, reason from audit.unread_files where {where} order by source_file",
                 parameters)
