"""One load asset per source system, partitioned by landing day: landed files -> ``raw``.

Each landed entity (tickets, contact records, ...) is an asset; a partition is one landing
day (named by a file's path: ``landing/crm/<YYYY-MM-DD>/...``, or Firehose's
``landing/telephony/.../YYYY/MM/DD/HH/...``). Materialising a partition replaces that day of
each raw table in one transaction. A run may cover a range of days (a backfill runs as one
run): the days are loaded in bounded batches. Each load is followed by a blocking
reconciliation check over the files of the days it loaded: the records in each file (read
again from the file) equal the rows loaded plus the rows rejected, and every landed file of
those days is in the load log or in the list of files read and not used.
"""

from datetime import date

import dagster as dg

from csops.kernel.paths import SOURCES, CsopsHome
from csops.kernel.pseudonym_key import PseudonymKeyError, checked_key_status
from csops.orchestration.landing import source_files
from csops.orchestration.loading import count_records, load_days, write_ledger
from csops.orchestration.quality import CHECK_NAME, validate_raw
from csops.orchestration.quality_record import CheckOutcome, record
from csops.orchestration.raw_tables import tables_of
from csops.orchestration.resources import CsopsHomeResource, WarehouseLockResource, WarehouseResource

SOURCE_DESCRIPTIONS = {
    "crm": "Zendesk-style ticketing exports",
    "telephony": "Amazon Connect-style contact records and agent events",
    "surveys": "Qualtrics-style survey exports",
}

# The landing days that have files: added by the sensor, the schedule and `csops run` as
# folders appear, so the UI shows one partition per day that has landed, and no others.
landing_days = dg.DynamicPartitionsDefinition(name="landing_day")


def _load_asset(source: str) -> dg.AssetsDefinition:
    # Keys are [source, entity], the keys dagster-dbt gives the matching dbt sources, so
    # lineage runs from each landed entity into the staging models.
    specs = [
        dg.AssetSpec(
            key=[source, table.entity],
            group_name="raw",
            kinds={"duckdb"},
            description=f"raw.{table.table_name}: {table.entity} from landing/{source}/ ({SOURCE_DESCRIPTIONS[source]}).",
        )
        for table in tables_of(source)
    ]
    check_specs = [
        *(dg.AssetCheckSpec("reconciliation", asset=spec.key, blocking=True,
                            description="Per file of the days loaded: rows in the file = rows loaded + rows rejected.")
          for spec in specs),
        # Not blocking in Dagster's sense, which would fail the load step after its rows are
        # committed and stop the build that shows what else is wrong. An error here blocks
        # the publication instead: the gate (csops/orchestration/publish.py) reads it.
        *(dg.AssetCheckSpec(CHECK_NAME, asset=spec.key, blocking=False,
                            description="The raw table's Great Expectations suite (csops/quality/suites.py) on the days "
                                        "loaded, and its freshness against the other sources. An error blocks "
                                        "the publication.")
          for spec in specs),
    ]

    @dg.multi_asset(name=f"load_{source}", specs=specs, check_specs=check_specs, partitions_def=landing_days,
                    backfill_policy=dg.BackfillPolicy.single_run(),
                    description=f"Load {SOURCE_DESCRIPTIONS[source]}, one landing day per partition.")
    def load(context: dg.AssetExecutionContext, csops_home: CsopsHomeResource, warehouse: WarehouseResource,
             warehouse_lock: WarehouseLockResource):
        home = csops_home.home
        try:  # no customer is pseudonymised with a key anyone could guess (csops/pseudonym_key.py)
            context.log.info(checked_key_status(home).message)
        except PseudonymKeyError as error:
            raise dg.Failure(description=str(error)) from error
        days = partition_days(context.partition_keys, context.log)
        with warehouse.get_connection() as con:
            loads = load_days(con, home.landing, source, days, context.run.run_id)
            write_ledger(con, home.load_ledger)
            for table_load, table in zip(loads, tables_of(source)):
                yield dg.MaterializeResult(
                    asset_key=[source, table.entity],
                    metadata={
                        "dagster/row_count": table_load.rows_in_table,
                        "rows_read": table_load.rows_read,
                        "rows_loaded": table_load.rows_loaded,
                        "rows_rejected": table_load.rows_rejected,
                        "files_loaded": table_load.files,
                        "days_loaded": _day_span(days),
                        "table": f"raw.{table_load.raw_table}",
                    },
                )
                yield reconcile(con, home, table, days, context.run.run_id)
            newest = newest_landing_date(home) or max(days, default=date.today())  # landing/ emptied: the run's days
            for table in tables_of(source):
                yield validate_raw(con, home, context.run.run_id, table, days, newest)

    return load


def _day_span(days: list[date]) -> str:
    if len(days) <= 3:
        return ", ".join(d.isoformat() for d in days) or "none"
    return f"{len(days)} days, {days[0]} to {days[-1]}"


def partition_days(keys, log=None) -> list[date]:
    """The landing days a run's partition keys name. A key that is no date (added by hand in the
    UI, or by an older csops) is skipped with a warning, not a traceback that stops the others."""
    days = []
    for key in keys:
        try:
            days.append(date.fromisoformat(key))
        except ValueError:
            if log is not None:
                log.warning(f"Partition {key!r} is not a landing day (YYYY-MM-DD): skipped")
    return sorted(days)


def newest_landing_date(home: CsopsHome) -> date | None:
    """The newest day any source has landed (named by a landed file's path), None if none has."""
    return max((file.day for source in SOURCES for file in source_files(home.landing, source)[0]), default=None)


def reconcile(con, home: CsopsHome, table, days: list[date], run_id: str) -> dg.AssetCheckResult:
    """Count each file of the loaded days again, independently of the loader, against what it recorded."""
    landing = home.landing
    logged = con.execute(
        "select source_file, rows_read, rows_loaded, rows_rejected from audit.load_log "
        "where raw_table = ? and list_contains(?, landing_date)", [table.table_name, days]).fetchall()
    in_raw = dict(con.execute(f"select _source_file, count(*) from raw.{table.table_name} "
                              f"where list_contains(?, _landing_date) group by all", [days]).fetchall())
    in_rejects = dict(con.execute(
        "select source_file, count(*) from audit.rejected_rows where raw_table = ? and list_contains(?, landing_date) "
        "group by all", [table.table_name, days]).fetchall())
    mismatches = []
    present = source_files(landing, table.source)[0]
    if table == tables_of(table.source)[0]:  # files are the source's, not a table's: checked once
        accounted = {name for name, in con.execute(
            "select source_file from audit.load_log where source = ? and list_contains(?, landing_date) union "
            "select source_file from audit.unread_files where source = ? and list_contains(?, landing_date)",
            [table.source, days, table.source, days]).fetchall()}
        landed = {file.name for file in present if file.day in set(days)}
        for name in sorted(landed - accounted):
            mismatches.append(f"{name}: landed but neither loaded nor listed as unread")
    names = {file.name for file in present}
    for source_file, rows_read, rows_loaded, rows_rejected in logged:
        if source_file not in names:
            continue  # gone from landing/, its rows kept: counted when it was loaded, and it cannot be read again
        counted = count_records(landing, source_file, table.source).get(table.table_name, 0)
        loaded, rejected = in_raw.get(source_file, 0), in_rejects.get(source_file, 0)
        if not counted == rows_read == loaded + rejected or (loaded, rejected) != (rows_loaded, rows_rejected):
            mismatches.append(f"{source_file}: {counted} rows in the file, {loaded} loaded + {rejected} rejected")
    record(con, run_id, "reconciliation", [CheckOutcome(
        asset=f"{table.source}/{table.entity}", check_name="reconciliation", severity="error", is_passed=not mismatches,
        observed="; ".join(mismatches[:20]) or f"{len(logged)} files: {sum(in_raw.values())} rows loaded "
                                                f"+ {sum(in_rejects.values())} rejected = rows in the files")])
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
