"""One load asset per source system: landed files -> the warehouse's ``raw`` schema."""


import dagster as dg
from dagster_duckdb import DuckDBResource

from csops.paths import SOURCES
from orchestration.loading import load_source
from orchestration.raw_tables import tables_of
from orchestration.resources import CsopsHomeResource

SOURCE_DESCRIPTIONS = {
    "crm": "Zendesk-style ticketing exports",
    "telephony": "Amazon Connect-style contact records",
    "surveys": "Qualtrics-style survey exports",
}


def _load_asset(source: str) -> dg.AssetsDefinition:
    # Keys are [source, entity], the keys dagster-dbt gives the matching dbt sources, so
    # lineage runs from each landed entity into the staging models.
    specs = [
        dg.AssetSpec(
            key=[source, table.entity],
            group_name="raw",
            kinds={"duckdb"},
            description=f"raw.{table.table_name}: {table.file_name} from landing/{source}/<day>/ ({SOURCE_DESCRIPTIONS[source]}).",
        )
        for table in tables_of(source)
    ]

    @dg.multi_asset(name=f"load_{source}", specs=specs, description=f"Load {SOURCE_DESCRIPTIONS[source]}.")
    def load(context: dg.AssetExecutionContext, csops_home: CsopsHomeResource, warehouse: DuckDBResource):
        with warehouse.get_connection() as con:
            loads = load_source(con, csops_home.home.landing, source, context.run.run_id)
        for table_load in loads:
            entity = table_load.raw_table.removeprefix(f"{source}_")
            yield dg.MaterializeResult(
                asset_key=[source, entity],
                metadata={
                    "dagster/row_count": table_load.rows_loaded,
                    "files": table_load.files,
                    "table": f"raw.{table_load.raw_table}",
                },
            )

    return load


def load_assets() -> list[dg.AssetsDefinition]:
    return [_load_asset(source) for source in SOURCES]
