"""The only Dagster ``Definitions`` of csops (``dagster dev -m csops.orchestration.definitions``).

Loading is lazy: nothing happens at import time. Building the definitions prepares the
dbt manifest if it is missing or stale, for the data folder named by ``CSOPS_HOME``.
"""

from __future__ import annotations

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from csops.kernel.paths import CsopsHome, csops_home
from csops.orchestration.automation import build_job, daily_schedule, landed_files_sensor, load_job
from csops.orchestration.dbt import build_dbt_assets, mart_models
from csops.orchestration.load_assets import load_assets
from csops.orchestration.publish import publish_asset
from csops.orchestration.quality import STAGING_FRAMES, quality_checks
from csops.orchestration.resources import prepare_dbt_manifest, resources


def build_definitions(home: CsopsHome) -> dg.Definitions:
    project = prepare_dbt_manifest(home)
    dbt_models = build_dbt_assets(project)
    marts = [get_asset_key_for_model([dbt_models], name) for name in mart_models(project)]
    # The validated staging models too: their blocking checks then run before the publication.
    staging = [get_asset_key_for_model([dbt_models], name) for name in STAGING_FRAMES]
    return dg.Definitions(
        assets=[*load_assets(), dbt_models, publish_asset([*marts, *staging])],
        asset_checks=quality_checks(lambda model: get_asset_key_for_model([dbt_models], model)),
        jobs=[load_job, build_job],
        schedules=[daily_schedule],
        sensors=[landed_files_sensor],
        resources=resources(home),
        # DuckDB lets one process write the warehouse at a time: steps run one after another.
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(csops_home())
