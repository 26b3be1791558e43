"""The history of every check, kept in the warehouse: ``audit.quality_results``.

One row per check outcome per Dagster run: the load's reconciliation, each Great
Expectations expectation, each dbt test and unit test. ``csops audit`` reads it, with
``audit.load_log`` and ``audit.rejected_rows``, to report on any run. Writing a run's
results for a check source again replaces them, so a retried step never doubles them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import duckdb

from csops.paths import CsopsHome
from csops.publication import mark_blocked

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
           home: CsopsHome) -> None:
    """Replace this run's outcomes of one source of checks on the assets they name.

    A failed blocking (error) check also marks the run blocked for the app (``home``'s
    ``published/last_run.json``), at once: the app can say so while the run goes on.
    """
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
    blocking = [o for o in outcomes if not o.is_passed and o.severity == "error"]
    if blocking:
        mark_blocked(home, run_id, [f"{check_source}: {o.asset}: {o.check_name}: {o.observed}" for o in blocking])
