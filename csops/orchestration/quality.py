"""Great Expectations validations as Dagster asset checks, on raw, staging and marts.

Each suite (csops/quality/) reads a frame that DuckDB computes from the warehouse; the SQL
of every frame is in csops/orchestration/raw_frames.py and model_frames.py, so the checks have
one door into the warehouse, as the app has.

- raw: after each load, on the rows of the landing days the run loaded (csops/orchestration/load_assets.py);
- staging, intermediate and marts: after the dbt build, on the whole table.

Every expectation's outcome is recorded in ``audit.quality_results``. An ERROR-severity
failure is blocking: the publication gate (csops/orchestration/publish.py) reads it there and
refuses to publish, and says so to the app; the app keeps the last good run.
"""


from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import dagster as dg
import duckdb

from csops.kernel.paths import CsopsHome
from csops.orchestration.model_frames import INTERMEDIATE_FRAMES, MART_FRAMES, STAGING_FRAMES
from csops.orchestration.quality_record import CheckOutcome, record
from csops.orchestration.raw_frames import raw_frame_sql, raw_freshness_sql
from csops.orchestration.raw_tables import RawTable
from csops.orchestration.resources import CsopsHomeResource, WarehouseLockResource, WarehouseResource

CHECK_NAME = "great_expectations_suite"


@dataclass(frozen=True)
class Validation:
    suite: str  # a key of csops.quality.suites.SUITES
    sql: str
    parameters: dict | None = None
    subject: str | None = None  # what the frame is, when not the suite's own table


def validate(con: duckdb.DuckDBPyConnection, home: CsopsHome, run_id: str, asset: str,
             validations: Sequence[Validation], asset_key: dg.AssetKey) -> dg.AssetCheckResult:
    """Run the suites on their frames, record every expectation's outcome, and say whether a blocking one failed."""
    # Imported here: great_expectations takes ~3 s to import, and loading the
    # definitions (every `csops` command, the UI) should not pay for it.
    from csops.quality.validation import validate_dataframe

    results = []
    for validation in validations:
        frame = con.execute(validation.sql, validation.parameters or {}).df()
        results.append(validate_dataframe(frame, validation.suite, home.quality, run_id, validation.subject))
    outcomes = [
        CheckOutcome(asset=asset, check_name=(f"{result.table}: " if result.table != asset else "")
                     + f"{e.expectation_type}({', '.join(e.columns)})",
                     severity="error" if e.severity == "error" else "warn", is_passed=e.success, observed=e.observed,
                     report_path=str(result.offline_report or result.data_docs_index or "") or None)
        for result in results for e in result.expectations]
    record(con, run_id, "great_expectations", outcomes)
    blocking = sum(result.blocking_failures for result in results)
    failed = [(result.table, e) for result in results for e in result.expectations if not e.success]
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=CHECK_NAME,
        # A failed warning fails the check at WARN severity: shown, never blocking.
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
        metadata={
            "rows_validated": sum(result.row_count for result in results),
            "expectations": len(outcomes),
            "blocking_failures": blocking,
            "warnings": sum(result.warnings for result in results),
            "failed": dg.MetadataValue.md(
                "\n".join(f"- {table}: {e.expectation_type} {', '.join(e.columns)}: {e.observed}" for table, e in failed)
                or "none"),
            "report": dg.MetadataValue.path(str(results[0].offline_report or results[0].data_docs_index or "")),
        },
    )


def validate_raw(con: duckdb.DuckDBPyConnection, home: CsopsHome, run_id: str, table: RawTable, days: list[date],
                 newest_landing_date: date) -> dg.AssetCheckResult:
    """A raw table's suite on the landing days a load run loaded, and the source's freshness.

    The days of earlier load runs that failed a blocking check and whose rows are still in
    the table are checked again with them: so the latest check of a raw table speaks for
    all of its rows, and a fixed file, once reloaded, lifts the block (see the gate)."""
    asset = f"{table.source}/{table.entity}"
    still_failing = [day for day, in con.execute("""
        select distinct landing_date from audit.load_log
        where raw_table = $table and run_id in (
            select run_id from audit.quality_results
            where asset = $asset and check_source = 'great_expectations' and severity = 'error' and not is_passed)
    """, {"table": table.table_name, "asset": asset}).fetchall()] if _has_quality_results(con) else []
    return validate(con, home, run_id, asset, [
        Validation(f"raw.{table.table_name}", raw_frame_sql(table), {"days": sorted({*days, *still_failing})}),
        Validation("raw.landing_freshness", raw_freshness_sql(),
                   {"newest_landing_date": newest_landing_date, "table": table.table_name},
                   subject=f"raw.landing_freshness.{table.table_name}"),
    ], dg.AssetKey([table.source, table.entity]))


def _has_quality_results(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("select count(*) from information_schema.tables "
                       "where table_schema = 'audit' and table_name = 'quality_results'").fetchone()[0] > 0


def _model_check(schema: str, model: str, sql: str, asset_key: dg.AssetKey) -> dg.AssetChecksDefinition:
    suite = f"{schema}.{model}"

    @dg.asset_check(asset=asset_key, name=CHECK_NAME, blocking=True,
                    description=f"The Great Expectations suite of {suite} (csops/quality/suites.py).")
    def check(context: dg.AssetCheckExecutionContext, csops_home: CsopsHomeResource, warehouse: WarehouseResource,
              warehouse_lock: WarehouseLockResource):
        with warehouse.get_connection() as con:
            return validate(con, csops_home.home, context.run.run_id, suite, [Validation(suite, sql)], asset_key)

    return check


def quality_checks(asset_key_for_model: Callable[[str], dg.AssetKey]) -> list[dg.AssetChecksDefinition]:
    return [
        *(_model_check("staging", model, sql, asset_key_for_model(model)) for model, sql in STAGING_FRAMES.items()),
        *(_model_check("intermediate", model, sql, asset_key_for_model(model))
          for model, sql in INTERMEDIATE_FRAMES.items()),
        *(_model_check("marts", model, sql, asset_key_for_model(model)) for model, sql in MART_FRAMES.items()),
    ]
