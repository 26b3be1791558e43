"""dbt's ``run_results.json``, read once: what each node of a dbt invocation did.

The build records every test's outcome from it (csops/orchestration/dbt.py), ``csops run``
names the nodes that failed (csops/orchestration/run_summary.py), and the benchmarks can time
each model: all through :func:`node_results`. Imports neither Dagster nor dbt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from csops.kernel.paths import CsopsHome

# The statuses of a node that did not do its work: a model that errored, a test that failed.
FAILED_STATUSES = ("error", "fail", "runtime error")


@dataclass(frozen=True)
class DbtNodeResult:
    unique_id: str  # model.csops.fct_contacts, test.csops.not_null_..., unit_test.csops....
    status: str  # success, error, skipped (models); pass, fail, warn, error (tests)
    message: str  # the first line of dbt's message, "" when it gave none
    failures: int | None  # a data test's failing rows
    execution_seconds: float

    @property
    def is_model(self) -> bool:
        return self.unique_id.startswith("model.")

    @property
    def is_test(self) -> bool:
        return self.unique_id.startswith(("test.", "unit_test."))

    @property
    def name(self) -> str:
        """The node's name without its kind and project (``not_null_stg_crm__tickets_channel``)."""
        return self.unique_id.split(".", 2)[-1]

    @property
    def is_failed(self) -> bool:
        return self.status in FAILED_STATUSES


def node_results(run_results: dict) -> list[DbtNodeResult]:
    """Every node of an invocation, from its ``run_results.json`` (as parsed JSON)."""
    nodes = []
    for node in run_results.get("results", []):
        lines = (node.get("message") or "").strip().splitlines()
        nodes.append(DbtNodeResult(unique_id=node["unique_id"], status=node["status"],
                                   message=lines[0] if lines else "", failures=node.get("failures"),
                                   execution_seconds=node.get("execution_time") or 0.0))
    return nodes


def read_node_results(path: Path) -> list[DbtNodeResult]:
    return node_results(json.loads(path.read_text()))


def run_results_files(home: CsopsHome, dagster_run_id: str) -> list[Path]:
    """The ``run_results.json`` of a Dagster run's dbt invocations (dagster-dbt names each
    invocation's target folder with the first characters of the run's id)."""
    return sorted(home.dbt_target.glob(f"*-{dagster_run_id[:7]}-*/run_results.json"))
