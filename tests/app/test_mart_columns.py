"""Every number the app shows is a mart column: each column a page reads is one that a mart's
contract declares.

The data modules (``csops.app.data``) name the columns of each query in a ``MartColumns``
declaration beside it, and select them by those names; this test reads the declarations
themselves and checks each column against the contracts, ``models/marts/**/_*__models.yml``.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
import yaml

import csops.app.data
from csops.app.data import MartColumns

REPO_ROOT = Path(__file__).resolve().parents[2]


def contracts() -> dict[str, set[str]]:
    """mart name -> the columns its contract declares."""
    columns: dict[str, set[str]] = {}
    for path in sorted((REPO_ROOT / "models" / "marts").rglob("_*__models.yml")):
        for model in (yaml.safe_load(path.read_text()) or {}).get("models", []):
            columns.setdefault(model["name"], set()).update(column["name"] for column in model.get("columns", []))
    return columns


def declarations() -> dict[str, MartColumns]:
    """``module.NAME`` -> every MartColumns a data module declares."""
    found = {}
    for module_info in pkgutil.iter_modules(csops.app.data.__path__):
        module = importlib.import_module(f"csops.app.data.{module_info.name}")
        found |= {f"{module_info.name}.{name}": value for name, value in vars(module).items()
                  if isinstance(value, MartColumns)}
    return found


DECLARED = declarations()


def test_the_data_modules_declare_what_they_read():
    assert {"feedback.CHANNEL_WEEK", "people.AGENT_WEEK", "queues.INTERVALS", "kpis.KPI_REGISTRY",
            "records.CONTACTS"} <= set(DECLARED)


@pytest.mark.parametrize("read", DECLARED.values(), ids=DECLARED.keys())
def test_each_column_read_is_in_its_marts_contract(read: MartColumns):
    contract = contracts()
    assert read.mart in contract, f"no contract declares marts.{read.mart}"
    missing = [column for column in read.columns if column not in contract[read.mart]]
    assert not missing, f"marts.{read.mart} declares no {missing}"
