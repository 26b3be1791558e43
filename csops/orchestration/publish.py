"""Publish the marts for the app: the last step of a run, and the gate before it.

Dagster already skips this step when a blocking check of a mart fails in the same run. The
gate also covers what Dagster cannot see from here: the checks of the load runs that put
the current raw rows in place (they ran in earlier runs) and this run's staging checks. It
reads them from ``audit.quality_results`` (csops.audit.trail.blocking_failures): nothing
reaches the app from data that failed a blocking check, and the gate's own verdict is recorded
beside them. The gate is what tells the app about a run: published (csops.kernel.publication)
or blocked, with the failures (csops.kernel.last_run.mark_blocked).
"""


import dagster as dg

from csops.audit.trail import blocking_failures, named_failures, on_connection
from csops.kernel.last_run import mark_blocked
from csops.kernel.publication import publish
from csops.kernel.pseudonym_key import checked_key_status, key_change, record_key_fingerprint
from csops.orchestration.quality_record import CheckOutcome, record
from csops.orchestration.resources import CsopsHomeResource, WarehouseLockResource, WarehouseResource

# How many of the failures the gate names in its own record (all are in audit.quality_results).
FAILURES_NAMED = 10


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
            found = blocking_failures(on_connection(con), run_id)
            failures = named_failures(found)
            observed = (f"{len(failures)} blocking failure(s): " + "; ".join(failures[:FAILURES_NAMED])
                        + ("; ..." if len(failures) > FAILURES_NAMED else "")) if failures else "none"
            record(con, run_id, "publication_gate", [CheckOutcome(
                asset="published_marts", check_name="no blocking check failed on the data to publish",
                severity="error", is_passed=not failures, observed=observed)])
            if failures:
                mark_blocked(csops_home.home, run_id, named_failures(found, with_observed=True))
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
