"""Publish the marts for the app: the last step of a run, and the gate before it.

Dagster already skips this step when a blocking check of a mart fails in the same run. The
gate also covers what Dagster cannot see from here: the checks of the load runs that put
the current raw rows in place (they ran in earlier runs) and this run's staging checks. It
reads them from ``audit.quality_results``: nothing reaches the app from data that failed
a blocking check, and the gate's own verdict is recorded beside them.
"""


import dagster as dg
import duckdb

from csops.kernel.publication import publish
from csops.kernel.pseudonym_key import checked_key_status, key_change, record_key_fingerprint
from csops.orchestration.quality_record import CheckOutcome, record
from csops.orchestration.resources import CsopsHomeResource, WarehouseLockResource, WarehouseResource

# How many of the failures the gate names in its own record (all are in audit.quality_results).
FAILURES_NAMED = 10


def blocking_failures(con: duckdb.DuckDBPyConnection, run_id: str) -> list[str]:
    """Failed blocking checks of this run, and of the latest load run to check each raw table.

    Only load runs whose rows are in the warehouse count, and of those the latest per raw
    table and check: a load checks again the days of earlier failing loads (quality.validate_raw),
    and each reload is reconciled, so the latest verdict covers the table's rows."""
    return [f"{run[:8]} {source}: {asset}: {name}" for run, source, asset, name in con.execute("""
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

        select run_id, check_source, asset, check_name
        from (select * from load_checks union by name select * from this_run)
        where not is_passed and severity = 'error'
        order by checked_at, check_source, asset, check_name
    """, {"run_id": run_id}).fetchall()]


def publish_asset(upstream_keys: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        name="published_marts",
        group_name="app",
        deps=upstream_keys,
        kinds={"duckdb"},
        description="A read-only copy of the marts that the Streamlit app reads (published/current.json names it), "
                    "made only when no blocking check failed on the data in it.",
    )
    def published_marts(context: dg.AssetExecutionContext, csops_home: CsopsHomeResource, warehouse: WarehouseResource,
                        warehouse_lock: WarehouseLockResource):
        run_id = context.run.run_id
        with warehouse.get_connection() as con:
            failures = blocking_failures(con, run_id)
            observed = (f"{len(failures)} blocking failure(s): " + "; ".join(failures[:FAILURES_NAMED])
                        + ("; ..." if len(failures) > FAILURES_NAMED else "")) if failures else "none"
            record(con, run_id, "publication_gate", [CheckOutcome(
                asset="published_marts", check_name="no blocking check failed on the data to publish",
                severity="error", is_passed=not failures, observed=observed)], home=csops_home.home)
            if failures:
                raise dg.Failure(description=f"Not published: {observed}. The app keeps the last good run; "
                                             "`csops audit` shows every failure.")
            # The key this build hashed customers with, by its fingerprint; a change is announced
            # (every customer_key differs from the last publication's). Copied with the audit tables.
            key = checked_key_status(csops_home.home)
            record_key_fingerprint(con, run_id, key)
            change = key_change(con)
            if change:
                context.log.warning(change)
            publication = publish(csops_home.home, con, run_id)
        return dg.MaterializeResult(
            metadata={
                "pseudonym_key_fingerprint": key.fingerprint,
                "is_demo_key": key.is_demo_key,
                "key_change": change or "none",
                "file": dg.MetadataValue.path(str(publication.path)),
                "tables": ", ".join(publication.tables),
                "as_of": publication.as_of or "n/a",
            }
        )

    return published_marts
