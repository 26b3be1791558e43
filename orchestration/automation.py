"""The job every trigger runs, the daily schedule, and the sensor for newly landed files."""


import hashlib

import dagster as dg

from orchestration.resources import CsopsHomeResource

PIPELINE_JOB_NAME = "csops_pipeline"

pipeline_job = dg.define_asset_job(
    PIPELINE_JOB_NAME,
    selection=dg.AssetSelection.all(),
    description="Load what has landed, build the dbt project, run the quality checks, publish for the app.",
)

daily_schedule = dg.ScheduleDefinition(
    name="csops_daily",
    job=pipeline_job,
    cron_schedule="0 6 * * *",
    execution_timezone="America/New_York",
    description="Every morning, after the overnight exports have landed.",
)


def landing_fingerprint(csops_home: CsopsHomeResource) -> str:
    """A digest of every landed file's path, size and modification time."""
    landing = csops_home.home.landing
    digest = hashlib.sha256()
    if landing.exists():
        for path in sorted(p for p in landing.rglob("*") if p.is_file()):
            stat = path.stat()
            digest.update(f"{path.relative_to(landing)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@dg.sensor(
    job=pipeline_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts a run when files land in, or change under, CSOPS_HOME/landing.",
)
def landed_files_sensor(context: dg.SensorEvaluationContext, csops_home: CsopsHomeResource):
    fingerprint = landing_fingerprint(csops_home)
    if fingerprint == context.cursor:
        return dg.SkipReason("No new or changed landed files.")
    context.update_cursor(fingerprint)
    return dg.RunRequest(run_key=fingerprint)
