"""Every number the app shows is a mart column: each column a page reads is one that a mart's
contract declares.

The data modules (``csops.app.data``) name the columns of each query in a ``MartColumns``
declaration beside it, and select them by those names; this test reads the declarations
themselves and checks each column against the contracts, ``models/marts/**/_*__models.yml``.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import csops.app.data
from csops.app.data import MartColumns
from csops.quality.mart_contracts import contract_columns

def contracts() -> dict[str, set[str]]:
    """mart name -> the columns its contract declares (the same reading the checks use)."""
    return {mart: set(columns) for mart, columns in contract_columns().items()}


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
