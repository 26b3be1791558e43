"""Expectation suites, written in code, one function per mart.

Each function builds its suite from scratch, so the runner can ``add_or_update`` it on
every run and the stored suite never drifts from this file. ``SUITES`` maps a table's
``schema.name`` to its function; adding a table is adding a function and a line.

Every expectation carries ``meta={"severity": ...}``:

- ``error``: the table breaks its grain, its structure or a KPI's range, so a number on
  the dashboard would be wrong. A failed error blocks publication.
- ``warning``: the numbers are still right but something needs a look (e.g. a channel
  the channel map does not know yet, whose rows are correct but unlabelled). Reported,
  never blocking.

GX's own ``severity`` field is set to match (critical / warning) so that its Data Docs
tell the same story.

Great Expectations is imported inside the functions: importing it costs seconds, and
modules that the CLI or the app import eagerly must stay cheap to import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import great_expectations as gx

ERROR = "error"
WARNING = "warning"
SEVERITIES = (ERROR, WARNING)

CHANNELS = ("phone", "email", "chat", "social", "web", "in_person")

# The measure columns every CSAT-by-channel mart carries, after its period column.
CSAT_BY_CHANNEL_MEASURES = (
    "channel",
    "response_count",
    "top2_response_count",
    "csat_top2_rate",
    "csat_mean_score",
    "csat_top2_rate_ci95_low",
    "csat_top2_rate_ci95_high",
    "is_low_sample",
    "min_responses",
)


def _severity_kwargs(severity: str) -> dict:
    from great_expectations.expectations.metadata_types import FailureSeverity

    if severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {SEVERITIES}, got {severity!r}")
    gx_severity = FailureSeverity.CRITICAL if severity == ERROR else FailureSeverity.WARNING
    return {"meta": {"severity": severity}, "severity": gx_severity}


def csat_by_channel_suite(table: str, period_column: str) -> gx.ExpectationSuite:
    """A CSAT-by-channel mart: one row per channel per period (``period_column``)."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    error = _severity_kwargs(ERROR)
    warning = _severity_kwargs(WARNING)
    rate_columns = ("csat_top2_rate", "csat_top2_rate_ci95_low", "csat_top2_rate_ci95_high")
    columns = (period_column, *CSAT_BY_CHANNEL_MEASURES)

    expectations: list = [
        # Structure: extra columns are allowed (a mart may grow), missing ones are not.
        gxe.ExpectTableColumnsToMatchSet(
            column_set=list(columns), exact_match=False, **error
        ),
        # An empty mart passes every row-level check vacuously, so say so.
        gxe.ExpectTableRowCountToBeBetween(min_value=1, **warning),
        # Grain.
        gxe.ExpectCompoundColumnsToBeUnique(column_list=[period_column, "channel"], **error),
        *(gxe.ExpectColumnValuesToNotBeNull(column=column, **error) for column in columns),
        gxe.ExpectColumnValuesToBeInSet(column="channel", value_set=list(CHANNELS), **warning),
        # Ranges.
        gxe.ExpectColumnValuesToBeBetween(column="response_count", min_value=1, **error),
        gxe.ExpectColumnValuesToBeBetween(column="top2_response_count", min_value=0, **error),
        *(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=1, **error) for column in rate_columns),
        gxe.ExpectColumnValuesToBeBetween(column="csat_mean_score", min_value=1, max_value=5, **error),
        gxe.ExpectColumnValuesToBeBetween(column="min_responses", min_value=1, **error),
        # Consistency between columns.
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="response_count", column_B="top2_response_count", or_equal=True, **error
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="csat_top2_rate", column_B="csat_top2_rate_ci95_low", or_equal=True, **error
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="csat_top2_rate_ci95_high", column_B="csat_top2_rate", or_equal=True, **error
        ),
    ]
    return gx.ExpectationSuite(name=table, expectations=expectations)


def csat_by_channel_day_suite() -> gx.ExpectationSuite:
    return csat_by_channel_suite("marts.csat_by_channel_day", "contact_date")


def csat_by_channel_week_suite() -> gx.ExpectationSuite:
    return csat_by_channel_suite("marts.csat_by_channel_week", "week_start_date")


SUITES: dict[str, Callable[[], gx.ExpectationSuite]] = {
    "marts.csat_by_channel_day": csat_by_channel_day_suite,
    "marts.csat_by_channel_week": csat_by_channel_week_suite,
}
