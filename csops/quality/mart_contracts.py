"""Which columns of a mart are rates from 0 to 1, read from the marts' contracts, not listed by hand.

A column is such a rate when its name ends in ``_rate`` (STYLE.md: "ratios from 0 to 1 end in
``_rate``") or the KPI registry (``seeds/kpi_registry.csv``) gives it the unit ``rate``; the
bounds of its confidence interval (``<rate>_ci95_low``, ``<rate>_ci95_high``) are too. The
columns are the mart's as its contract declares them (``models/marts/<area>/_*.yml``), so a mart
that gains a rate has it checked without a line in the suites. A rate in
:data:`WARNING_ONLY_RATES` can leave [0, 1] without the mart being wrong: it warns, with why.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import yaml

from csops.kernel.paths import PROJECT_ROOT

MART_CONTRACTS = PROJECT_ROOT / "models" / "marts"
KPI_REGISTRY = PROJECT_ROOT / "seeds" / "kpi_registry.csv"
RATE_SUFFIX = "_rate"
INTERVAL_BOUNDS = ("_ci95_low", "_ci95_high")

# Rate column -> why it may leave [0, 1] on data that is right.
WARNING_ONLY_RATES = {
    "response_rate": "a rejected invitation row can leave more answers than invitations",
}


@cache
def contract_columns() -> dict[str, tuple[str, ...]]:
    """Every mart's columns, in its contract's order, by mart name."""
    marts: dict[str, tuple[str, ...]] = {}
    for path in sorted(MART_CONTRACTS.rglob("_*.yml")):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models") or []:
            columns = tuple(column["name"] for column in model.get("columns") or [])
            if columns:
                marts[model["name"]] = columns
    return marts


@cache
def registry_rates() -> frozenset[str]:
    """The KPIs the registry measures as rates."""
    with KPI_REGISTRY.open(encoding="utf-8", newline="") as handle:
        return frozenset(row["kpi_name"] for row in csv.DictReader(handle) if row["unit"] == "rate")


def rate_columns(mart: str) -> tuple[list[str], list[str]]:
    """The mart's rates that must lie in [0, 1], and those that only warn when they do not."""
    columns = contract_columns().get(mart)
    if columns is None:
        raise KeyError(f"no contract declares the columns of {mart!r} (under {_shown(MART_CONTRACTS)})")
    rates = [column for column in columns if column.endswith(RATE_SUFFIX) or column in registry_rates()]
    bounded = [f"{rate}{bound}" for rate in rates for bound in INTERVAL_BOUNDS if f"{rate}{bound}" in columns]
    every = [column for column in columns if column in {*rates, *bounded}]
    return ([column for column in every if column not in WARNING_ONLY_RATES],
            [column for column in every if column in WARNING_ONLY_RATES])


def _shown(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)
