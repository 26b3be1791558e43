"""The dbt project as Dagster assets; dbt tests surface as asset checks."""


from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.resources import WarehouseLockResource


class CsopsDbtTranslator(DagsterDbtTranslator):
    """Groups dbt models by their layer (staging, intermediate, marts)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props.get("resource_type") == "model" and len(fqn) > 2:
            return fqn[1]
        if dbt_resource_props.get("resource_type") == "seed":
            return "seeds"
        return super().get_group_name(dbt_resource_props)


def mart_models(project: DbtProject) -> list[str]:
    """Names of the models in models/marts: what gets published to the app."""
    import json

    manifest = json.loads(project.manifest_path.read_text())
    return sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1:2] == ["marts"]
    )


class DbtBuildConfig(dg.Config):
    """`full_refresh` rebuilds the incremental models from all of history (`csops run --full-refresh`)."""

    full_refresh: bool = False


def build_dbt_assets(project: DbtProject) -> dg.AssetsDefinition:
    @dbt_assets(manifest=project.manifest_path, project=project, dagster_dbt_translator=CsopsDbtTranslator())
    def csops_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig,
                         warehouse_lock: WarehouseLockResource):
        yield from dbt.cli(["build", *(["--full-refresh"] if config.full_refresh else [])], context=context).stream()

    return csops_dbt_models
