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


def _kpi_mart_suite(table: str, grain: list[str], rates: list[str], counts: list[str],
                   not_greater: list[tuple[str, str]], ranges: dict[str, tuple[float, float]] | None = None,
                   value_sets: dict[str, list] | None = None, warning_rates: list[str] | None = None,
                   equal: list[tuple[str, str]] | None = None) -> gx.ExpectationSuite:
    """A KPI mart's suite: its grain, its rates within [0, 1], its counts never negative, a
    part never above its whole (`not_greater`: (part, whole)), other ranges and value sets.
    Rates that can exceed 1 on a defective export without the mart being wrong (`warning_rates`)
    warn rather than block."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    error = _severity_kwargs(ERROR)
    warning = _severity_kwargs(WARNING)
    expectations: list = [
        gxe.ExpectTableColumnsToMatchSet(column_set=[*grain, *rates, *counts], exact_match=False, **error),
        gxe.ExpectTableRowCountToBeBetween(min_value=1, **warning),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=grain, **error),
        *(gxe.ExpectColumnValuesToNotBeNull(column=column, **error) for column in grain),
        *(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=1, **error) for column in rates),
        *(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=1, **warning)
          for column in warning_rates or []),
        *(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, **error) for column in counts),
        *(gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A=whole, column_B=part, or_equal=True, **error)
          for part, whole in not_greater),
        *(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=low, max_value=high, **error)
          for column, (low, high) in (ranges or {}).items()),
        *(gxe.ExpectColumnValuesToBeInSet(column=column, value_set=values, **error)
          for column, values in (value_sets or {}).items()),
        *(gxe.ExpectColumnPairValuesToBeEqual(column_A=a, column_B=b, **error) for a, b in equal or []),
    ]
    return gx.ExpectationSuite(name=table, expectations=expectations)


def fcr_by_channel_day_suite() -> gx.ExpectationSuite:
    return _kpi_mart_suite(
        "marts.fcr_by_channel_day", ["contact_date", "channel"],
        rates=["operational_fcr_rate", "survey_fcr_rate"],
        counts=["inbound_contact_count", "resolved_on_contact_count", "fcr_eligible_contact_count",
                "first_contact_resolved_count", "window_open_contact_count", "survey_fcr_response_count"],
        not_greater=[("first_contact_resolved_count", "fcr_eligible_contact_count"),
                     ("fcr_eligible_contact_count", "resolved_on_contact_count"),
                     ("resolved_on_contact_count", "inbound_contact_count")],
        value_sets={"channel": list(CHANNELS)})


def queue_daily_metrics_suite() -> gx.ExpectationSuite:
    return _kpi_mart_suite(
        "marts.queue_daily_metrics", ["queue_name", "queue_date"],
        rates=["service_level_rate", "connect_service_level_rate", "abandon_rate", "transfer_rate", "occupancy_rate"],
        counts=["offered_calls", "answered_calls", "abandoned_calls", "short_abandoned_calls", "callback_requested_calls",
                "asa_seconds", "aht_seconds", "p90_wait_seconds", "longest_wait_seconds"],
        not_greater=[("answered_calls", "offered_calls"), ("abandoned_calls", "offered_calls"),
                     ("answered_within_threshold_calls", "answered_calls"), ("p90_wait_seconds", "longest_wait_seconds")])


def ticket_sla_compliance_daily_suite() -> gx.ExpectationSuite:
    return _kpi_mart_suite(
        "marts.ticket_sla_compliance_daily", ["created_date", "channel", "ticket_priority", "team_key", "sla_kind"],
        rates=["sla_compliance_rate"],
        counts=["ticket_count", "met_count", "breached_count", "in_flight_count", "unmeasured_count"],
        not_greater=[("met_count", "ticket_count"), ("breached_count", "ticket_count")],
        value_sets={"sla_kind": ["first_response", "agent_work"], "channel": list(CHANNELS)})


def feedback_by_team_week_suite() -> gx.ExpectationSuite:
    return _kpi_mart_suite(
        "marts.feedback_by_team_week", ["week_start_date", "team_key"],
        rates=["csat_top2_rate", "csat_top2_rate_ci95_low", "csat_top2_rate_ci95_high", "csat_good_rate",
               "survey_fcr_rate"],
        warning_rates=["response_rate"],  # a rejected invitation row can leave more answers than invitations
        counts=["invitations_sent_count", "response_count", "csat_response_count", "nps_response_count"],
        not_greater=[("csat_top2_response_count", "csat_response_count"), ("csat_response_count", "response_count")],
        ranges={"nps": (-100, 100), "ces_mean_score": (1, 7), "csat_mean_score": (1, 5)})


def reconciliation_contacts_daily_suite() -> gx.ExpectationSuite:
    """Contacts counted from staging, in the fact and in the mart must be equal, row by row."""
    return _kpi_mart_suite(
        "marts.reconciliation_contacts_daily", ["contact_date", "channel"], rates=[],
        counts=["staged_contact_count", "fact_contact_count", "mart_contact_count"], not_greater=[],
        equal=[("staged_contact_count", "fact_contact_count"), ("fact_contact_count", "mart_contact_count")],
        value_sets={"is_reconciled": [True]})


SUITES: dict[str, Callable[[], gx.ExpectationSuite]] = {
    "marts.csat_by_channel_day": csat_by_channel_day_suite,
    "marts.csat_by_channel_week": csat_by_channel_week_suite,
    "marts.fcr_by_channel_day": fcr_by_channel_day_suite,
    "marts.queue_daily_metrics": queue_daily_metrics_suite,
    "marts.ticket_sla_compliance_daily": ticket_sla_compliance_daily_suite,
    "marts.feedback_by_team_week": feedback_by_team_week_suite,
    "marts.reconciliation_contacts_daily": reconciliation_contacts_daily_suite,
}
