"""Jobs, and what starts them: the sensor for landed files and the daily schedule.

- ``load_landing_days`` loads landing-day partitions (a range of days runs as one run).
- ``build_and_publish`` builds the dbt project, runs the quality checks and publishes.

The sensor compares what has landed with what the warehouse has loaded (its ledger, a
copy the sensor can read while a run writes the warehouse), by content: it adds a partition
for each new day and asks for a load of each run of consecutive stale days (a file gone from
landing/ makes no day stale: its rows are kept); once nothing is stale
and the loads are newer than the publication, it asks for a build. The schedule rebuilds
every morning, so that time-relative figures (a backlog's age) move with the clock.
Runs queue one at a time (DuckDB has one writer; see ``dagster.yaml`` under CSOPS_HOME).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from csops.kernel.paths import CsopsHome
from csops.kernel.publication import POINTER_NAME
from csops.orchestration.audit_trail import read_ledger
from csops.orchestration.landing import day_of_name, landed_inventory, stale_days
from csops.orchestration.load_assets import landing_days
from csops.orchestration.quality_record import record_stopped_step
from csops.orchestration.resources import CsopsHomeResource

LOAD_JOB_NAME = "load_landing_days"
BUILD_JOB_NAME = "build_and_publish"

load_job = dg.define_asset_job(
    LOAD_JOB_NAME,
    selection=dg.AssetSelection.groups("raw"),
    description="Load landing days (partitions) into raw, each day replaced whole, and reconcile them.",
    # A step that fails is recorded for `csops audit` (audit.step_failures), whatever started the run.
    hooks={record_stopped_step},
)

build_job = dg.define_asset_job(
    BUILD_JOB_NAME,
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("raw"),
    description="Build the dbt project, run the quality checks, publish for the app.",
    hooks={record_stopped_step},
)


@dataclass
class LoadPlan:
    """What must be loaded: partitions to add, and runs of consecutive stale days."""

    new_partitions: list[str] = field(default_factory=list)
    ranges: list[tuple[str, str]] = field(default_factory=list)
    fingerprint: str = ""  # of the stale days' files: one run request per state of them


def landed_digests(home: CsopsHome) -> Path:
    """The cache of landed files' digests (csops/orchestration/landing.py), beside the ledger."""
    return home.load_ledger.with_name("landed_sha256.json")


def plan_loads(home: CsopsHome, known_partitions: list[str]) -> LoadPlan:
    """Compare the landing folder with the ledger of what is loaded (by content: a file whose
    digest is as loaded is unchanged, whatever its times). Never opens the warehouse."""
    landed = landed_inventory(home.landing, landed_digests(home))
    stale = {day.isoformat() for day in stale_days(landed, read_ledger(home.load_ledger, home.warehouse))}
    landed_days = {day_of_name(name).isoformat() for name in landed}
    new = sorted((landed_days | stale) - set(known_partitions))
    order = [*known_partitions, *new]
    ranges: list[tuple[str, str]] = []
    previous = None
    for key in order:
        if key in stale and previous in stale:
            ranges[-1] = (ranges[-1][0], key)
        elif key in stale:
            ranges.append((key, key))
        previous = key
    digest = hashlib.sha256(repr(sorted((n, s) for n, s in landed.items() if day_of_name(n).isoformat() in stale)).encode())
    return LoadPlan(new, ranges, digest.hexdigest()[:16])


def partition_range_tags(start: str, end: str) -> dict[str, str]:
    return {"dagster/asset_partition_range_start": start, "dagster/asset_partition_range_end": end}


def build_is_due(home: CsopsHome) -> bool:
    """Loads have committed since the last publication (or nothing is published yet)."""
    pointer = home.published / POINTER_NAME
    ledger = home.load_ledger
    return ledger.exists() and (not pointer.exists() or ledger.stat().st_mtime_ns > pointer.stat().st_mtime_ns)


@dg.sensor(
    jobs=[load_job, build_job],
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Loads landing days whose files are new or changed; then builds and publishes.",
)
def landed_files_sensor(context: dg.SensorEvaluationContext, csops_home: CsopsHomeResource):
    home = csops_home.home
    plan = plan_loads(home, context.instance.get_dynamic_partitions(landing_days.name))
    if plan.ranges:
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(job_name=LOAD_JOB_NAME, run_key=f"load {start}..{end} {plan.fingerprint}",
                              tags=partition_range_tags(start, end))
                for start, end in plan.ranges
            ],
            dynamic_partitions_requests=[landing_days.build_add_request(plan.new_partitions)] if plan.new_partitions else [],
        )
    if build_is_due(home):
        return dg.RunRequest(job_name=BUILD_JOB_NAME, run_key=f"build {home.load_ledger.stat().st_mtime_ns}")
    return dg.SkipReason("Every landed day is loaded and published.")


@dg.schedule(
    cron_schedule="0 6 * * *",
    execution_timezone="America/New_York",
    job=build_job,
    name="csops_daily",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every morning: rebuild and publish, so figures relative to today move with the clock.",
)
def daily_schedule(context: dg.ScheduleEvaluationContext):
    return dg.RunRequest()
