"""The dbt project as Dagster assets; dbt tests surface as asset checks."""


from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets


from csops.orchestration.dbt_results import DbtNodeResult, node_results
from csops.orchestration.quality_record import CheckOutcome, record
from csops.orchestration.resources import WarehouseLockResource, WarehouseResource


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
                         warehouse: WarehouseResource, warehouse_lock: WarehouseLockResource):
        # Unit tests feed fixed rows, so a production build that repeats them at every run spends
        # compute for nothing (dbt's advice): they run in the test suite and in an engineer's
        # `dbt build` (tests/marts/test_dbt_unit_tests.py).
        invocation = dbt.cli(["build", "--exclude-resource-type", "unit_test",
                              *(["--full-refresh"] if config.full_refresh else [])], context=context,
                             raise_on_error=False)
        yield from invocation.stream()
        # Every test's outcome joins the run's quality record, also (above all) when one failed.
        with warehouse.get_connection() as con:
            tests = dbt_test_outcomes(node_results(invocation.get_artifact("run_results.json")))
            record(con, context.run.run_id, "dbt", tests)
        if not invocation.is_successful():
            raise dg.Failure(description="dbt build failed: see the failing nodes in `csops audit` or the run's log")

    return csops_dbt_models


def dbt_test_outcomes(nodes: list[DbtNodeResult]) -> list[CheckOutcome]:
    """One outcome per data test and unit test of a dbt invocation."""
    return [CheckOutcome(asset="dbt", check_name=node.name, severity="warn" if node.status == "warn" else "error",
                         is_passed=node.status in ("pass", "success"),
                         observed=(f"{node.failures} failing rows; " if node.failures else "")
                         + (node.message or node.status))
            for node in nodes if node.is_test]
