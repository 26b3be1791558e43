"""The dbt project's conventions, read from the manifest a pipeline run parsed."""

from __future__ import annotations

import json

import pytest


@pytest.fixture(scope="module")
def manifest(pipeline_home) -> dict:
    return json.loads((pipeline_home.dbt_target / "manifest.json").read_text())


def models(manifest: dict) -> list[dict]:
    return [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]


def test_every_model_states_its_grain(manifest):
    """Each model's description starts "One row per ..." (the house style)."""
    missing = [node["name"] for node in models(manifest) if not node["description"].strip().startswith("One row per")]
    assert missing == []


def test_every_mart_has_an_enforced_contract_and_a_grain_test(manifest):
    marts = [node for node in models(manifest) if node["fqn"][1] == "marts"]
    assert len(marts) > 20
    assert [node["name"] for node in marts if not node["contract"]["enforced"]] == []
    tested = {node["attached_node"] for node in manifest["nodes"].values()
              if node["resource_type"] == "test" and node.get("attached_node")
              and (node.get("test_metadata") or {}).get("name") in ("csops_unique_combination", "unique", "csops_row_count")}
    assert [node["name"] for node in marts if node["unique_id"] not in tested] == []
