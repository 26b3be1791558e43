"""The KPI registry as the marts publish it (``marts.dim_kpis``): one row per KPI with what a
manager reads (label, unit, display format) and its target. ``csops.app.labels`` turns it into the
labels and formats every page shows."""

from __future__ import annotations

import pandas as pd

from csops.app.data import MartColumns, frame
from csops.kernel.publication import Publication

KPI_REGISTRY = MartColumns("dim_kpis", (
    "kpi_name", "kpi_label", "kpi_area", "unit", "display_format", "target_value", "target_direction",
    "target_source", "definition_ref",
))
REGISTRY_MART = KPI_REGISTRY.mart


def registry(publication: Publication) -> pd.DataFrame:
    """Every KPI of the registry, by name."""
    return frame(publication, f"select {KPI_REGISTRY.select()} from {KPI_REGISTRY.table} order by kpi_name")

