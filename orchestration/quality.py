"""Great Expectations validations as Dagster asset checks.

An ERROR-severity check is blocking: when it fails, the publication to the app is not
made, and the app keeps showing the last good run.
"""


from collections.abc import Callable

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.quality_record import CheckOutcome, record
from orchestration.resources import CsopsHomeResource, WarehouseLockResource

# The marts validated: dbt model name -> the table the suite reads.
VALIDATED_MARTS = {
    "csat_by_channel_day": "marts.csat_by_channel_day",
    "csat_by_channel_week": "marts.csat_by_channel_week",
    "fcr_by_channel_day": "marts.fcr_by_channel_day",
    "queue_daily_metrics": "marts.queue_daily_metrics",
    "ticket_sla_compliance_daily": "marts.ticket_sla_compliance_daily",
    "feedback_by_team_week": "marts.feedback_by_team_week",
    "reconciliation_contacts_daily": "marts.reconciliation_contacts_daily",
}


def _gx_check(table: str, asset_key: dg.AssetKey) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset_key,
        name="great_expectations_suite",
        blocking=True,
        description=f"The Great Expectations suite of {table} (expectations/suites.py).",
    )
    def check(context: dg.AssetCheckExecutionContext, csops_home: CsopsHomeResource, warehouse: DuckDBResource,
              warehouse_lock: WarehouseLockResource):
        # Imported here: great_expectations takes ~3 s to import, and loading the
        # definitions (every `csops` command, the UI) should not pay for it.
        from expectations.validation import validate_dataframe

        with warehouse.get_connection() as con:
            frame = con.execute(f"select * from {table}").df()
            result = validate_dataframe(frame, table, csops_home.home.quality, context.run.run_id)
            report = str(result.offline_report or result.data_docs_index or "") or None
            record(con, context.run.run_id, "great_expectations", [
                CheckOutcome(asset=table, check_name=f"{e.expectation_type}({', '.join(e.columns)})",
                             severity="error" if e.severity == "error" else "warn",
                             is_passed=e.success, observed=e.observed, report_path=report)
                for e in result.expectations])
        failed = [e for e in result.expectations if not e.success]
        return dg.AssetCheckResult(
            passed=result.blocking_failures == 0,
            severity=dg.AssetCheckSeverity.ERROR if result.blocking_failures else dg.AssetCheckSeverity.WARN,
            metadata={
                "rows_validated": len(frame),
                "expectations": len(result.expectations),
                "blocking_failures": result.blocking_failures,
                "warnings": result.warnings,
                "failed": dg.MetadataValue.md(
                    "\n".join(f"- {e.expectation_type} {', '.join(e.columns)}: {e.observed}" for e in failed) or "none"
                ),
                "report": dg.MetadataValue.path(str(result.offline_report or result.data_docs_index or "")),
            },
        )

    return check


def quality_checks(asset_key_for_model: Callable[[str], dg.AssetKey]) -> list[dg.AssetChecksDefinition]:
    return [_gx_check(table, asset_key_for_model(model)) for model, table in VALIDATED_MARTS.items()]
