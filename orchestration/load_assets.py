"""One load asset per source system: landed files -> the warehouse's ``raw`` schema.

Each load is followed by a blocking reconciliation check: for every file, the rows in it
(counted again, without the loader) equal the rows loaded plus the rows rejected.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from csops.paths import SOURCES
from orchestration.loading import count_rows_in_file, load_source
from orchestration.raw_tables import tables_of
from orchestration.resources import CsopsHomeResource

SOURCE_DESCRIPTIONS = {
    "crm": "Zendesk-style ticketing exports",
    "telephony": "Amazon Connect-style contact records and agent events",
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
    check_specs = [dg.AssetCheckSpec("reconciliation", asset=spec.key, blocking=True,
                                     description="Per file: rows in the file = rows loaded + rows rejected.")
                   for spec in specs]

    @dg.multi_asset(name=f"load_{source}", specs=specs, check_specs=check_specs,
                    description=f"Load {SOURCE_DESCRIPTIONS[source]}.")
    def load(context: dg.AssetExecutionContext, csops_home: CsopsHomeResource, warehouse: DuckDBResource):
        landing = csops_home.home.landing
        with warehouse.get_connection() as con:
            loads = load_source(con, landing, source, context.run.run_id)
            for table_load, table in zip(loads, tables_of(source)):
                yield dg.MaterializeResult(
                    asset_key=[source, table.entity],
                    metadata={
                        "dagster/row_count": table_load.rows_in_table,
                        "rows_read": table_load.rows_read,
                        "rows_loaded": table_load.rows_loaded,
                        "rows_rejected": table_load.rows_rejected,
                        "files_loaded": table_load.files,
                        "days_reloaded": ", ".join(d.isoformat() for d in table_load.days_reloaded) or "none",
                        "table": f"raw.{table_load.raw_table}",
                    },
                )
                yield reconcile(con, landing, table)

    return load


def reconcile(con, landing, table) -> dg.AssetCheckResult:
    """Count each file's rows again, independently of the loader, against what it recorded."""
    logged = con.execute(
        "select source_file, rows_read, rows_loaded, rows_rejected from audit.load_log where raw_table = ?",
        [table.table_name]).fetchall()
    in_raw = dict(con.execute(f"select _source_file, count(*) from raw.{table.table_name} group by all").fetchall())
    in_rejects = dict(con.execute(
        "select source_file, count(*) from audit.rejected_rows where raw_table = ? group by all",
        [table.table_name]).fetchall())
    mismatches = []
    for source_file, rows_read, rows_loaded, rows_rejected in logged:
        counted = count_rows_in_file(landing / source_file, table)
        loaded, rejected = in_raw.get(source_file, 0), in_rejects.get(source_file, 0)
        if not counted == rows_read == loaded + rejected or (loaded, rejected) != (rows_loaded, rows_rejected):
            mismatches.append(f"{source_file}: {counted} rows in the file, {loaded} loaded + {rejected} rejected")
    return dg.AssetCheckResult(
        asset_key=[table.source, table.entity],
        check_name="reconciliation",
        passed=not mismatches,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "files": len(logged),
            "rows_loaded": sum(in_raw.values()),
            "rows_rejected": sum(in_rejects.values()),
            "mismatches": dg.MetadataValue.md("\n".join(f"- {m}" for m in mismatches[:50]) or "none"),
        },
    )


def load_assets() -> list[dg.AssetsDefinition]:
    return [_load_asset(source) for source in SOURCES]
