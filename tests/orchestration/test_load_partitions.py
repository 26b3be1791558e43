"""The load assets as Dagster runs them: one partition per landing day, materialised in process."""

from __future__ import annotations

from datetime import date

import dagster as dg
import duckdb
import pytest

from csops.kernel.paths import CsopsHome
from csops.orchestration.automation import partition_range_tags
from csops.orchestration.load_assets import landing_days, load_assets
from csops.orchestration.raw_tables import RAW_TABLES
from csops.orchestration.resources import resources
from csops.simulator import simulate
from csops.simulator.config import CenterConfig
from tests.orchestration.test_loading import table_digest


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> CsopsHome:
    home = CsopsHome(tmp_path_factory.mktemp("partitions"))
    simulate(CenterConfig(agents=5, days=3, start=date(2026, 2, 2), seed=5), home.landing, home.truth, home.simulator_state)
    return home


def digests(home: CsopsHome) -> dict:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return {t.table_name: table_digest(con, t.table_name) for t in RAW_TABLES}


def test_a_partition_materialised_again_replaces_its_day_and_changes_nothing_else(home):
    days = ["2026-02-02", "2026-02-03", "2026-02-04"]
    job = dg.Definitions(assets=load_assets(), resources=resources(home)).resolve_implicit_global_asset_job_def()
    with dg.DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions(landing_days.name, days)
        backfill = job.execute_in_process(instance=instance, tags=partition_range_tags(days[0], days[-1]))
        assert backfill.success
        first = digests(home)
        assert instance.get_materialized_partitions(dg.AssetKey(["crm", "tickets"])) == set(days)
        rerun = job.execute_in_process(instance=instance, partition_key=days[1])
        assert rerun.success
        assert all(check.passed for check in rerun.get_asset_check_evaluations())  # reconciliation of that day
    assert digests(home) == first
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        runs = dict(con.execute("select landing_date::varchar, list_distinct(list(run_id)) from audit.load_log "
                                "group by 1").fetchall())
    assert runs == {day: [rerun.run_id if day == days[1] else backfill.run_id] for day in days}


HOLD_THE_LOCK = """
import fcntl, sys, time
with open(sys.argv[1], "a") as handle:
    fcntl.flock(handle, fcntl.LOCK_EX)
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_a_run_waits_for_another_process_writing_the_warehouse(home):
    """`csops run` and a run `csops dev` launched can meet: the second waits, instead of failing
    on DuckDB's lock."""
    import subprocess
    import sys
    import time

    job = dg.Definitions(assets=load_assets(), resources=resources(home)).resolve_implicit_global_asset_job_def()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_LOCK, str(home.root / "warehouse.lock"), "3"],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    started = time.monotonic()
    with dg.DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions(landing_days.name, ["2026-02-02"])
        result = job.execute_in_process(instance=instance, partition_key="2026-02-02")
    holder.wait()
    assert result.success
    assert time.monotonic() - started >= 2.5  # it waited for the holder to let go
