"""Publish the marts for the app: the last step of a run, reached only past every blocking check."""


import dagster as dg
from dagster_duckdb import DuckDBResource

from csops.publication import publish
from orchestration.resources import CsopsHomeResource, WarehouseLockResource


def publish_asset(mart_keys: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        name="published_marts",
        group_name="app",
        deps=mart_keys,
        kinds={"duckdb"},
        description="A read-only copy of the marts that the Streamlit app reads (published/current.json names it).",
    )
    def published_marts(context: dg.AssetExecutionContext, csops_home: CsopsHomeResource, warehouse: DuckDBResource,
                        warehouse_lock: WarehouseLockResource):
        with warehouse.get_connection() as con:
            publication = publish(csops_home.home, con, context.run.run_id)
        return dg.MaterializeResult(
            metadata={
                "file": dg.MetadataValue.path(str(publication.path)),
                "tables": ", ".join(publication.tables),
                "as_of": publication.as_of or "n/a",
            }
        )

    return published_marts
