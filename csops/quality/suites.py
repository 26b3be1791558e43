"""Expectation suites, written in code: every table's, by its ``schema.name``.

Each function builds its suite from scratch, so the runner can ``add_or_update`` it on
every run and the stored suite never drifts from the code. The suites of each layer are in
their module (raw_suites, staging_suites, mart_suites); adding a table is adding a function
and a line there. What a severity means: csops/quality/severity.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from csops.quality.mart_suites import MART_SUITES
from csops.quality.raw_suites import RAW_SUITES
from csops.quality.staging_suites import MODEL_SUITES

if TYPE_CHECKING:
    import great_expectations as gx

SUITES: dict[str, Callable[[], gx.ExpectationSuite]] = {**RAW_SUITES, **MODEL_SUITES, **MART_SUITES}
