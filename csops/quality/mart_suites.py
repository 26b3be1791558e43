"""The KPI marts' suites: grain, structure and the range of each published number, one function a mart.

The suites check what the marts publish; they compute no KPI. Which columns are rates from 0
to 1 is read from the marts' contracts and the KPI registry (csops/quality/mart_contracts.py),
not listed here. The frames: csops/orchestration/model_frames.py (each mart as it is).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from csops.quality.mart_contracts import rate_columns
from csops.quality.severity import ERROR, WARNING, severity_kwargs

if TYPE_CHECKING:
    import great_expectations as gx


CHANNELS = ("phone", "email", "chat", "social", "web", "in_person")

# The CSAT columns every feedback mart carries (one vocabulary): where a row has a response
# with a CSAT score, none of them is null.
CSAT_COLUMNS = ("csat_response_count", "csat_top2_response_count", "csat_top2_rate", "csat_mean_score",
                "csat_top2_rate_ci95_low", "csat_top2_rate_ci95_high", "is_low_sample", "min_responses")


def _kpi_mart_suite(table: str, grain: list[str], counts: list[str], not_greater: Sequence[tuple[str, str]] = (),
                    ranges: dict[str, tuple[float | None, float | None]] | None = None,
                    value_sets: dict[str, list] | None = None, equal: Sequence[tuple[str, str]] = (),
                    required: Sequence[str] = (), extra: Sequence = ()) -> gx.ExpectationSuite:
    """A KPI mart's suite: its grain, its rates within [0, 1] (those that may leave it on right
    data only warn), its counts never negative, a part never above its whole (``not_greater``:
    (part, whole)), other ranges and value sets, columns equal row by row; ``required`` columns
    beside those, and the ``extra`` expectations of the mart."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    error = severity_kwargs(ERROR)
    warning = severity_kwargs(WARNING)
    rates, warning_rates = rate_columns(table.removeprefix("marts."))
    # Every column the suite checks is one the mart must have.
    columns = list(dict.fromkeys([*grain, *rates, *warning_rates, *counts, *(ranges or {}), *(value_sets or {}),
                                  *required]))
    expectations: list = [
        # Structure: extra columns are allowed (a mart may grow), missing ones are not.
        gxe.ExpectTableColumnsToMatchSet(column_set=columns, exact_match=False, **error),
        # An empty mart passes every row-level check vacuously, so say so.
        gxe.ExpectTableRowCountToBeBetween(min_value=1, **warning),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=grain, **error),
        *(gxe.ExpectColumnValuesToNotBeNull(column=column, **error) for column in grain),
        *(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=1, **error) for column in rates),
        *(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=1, **warning)
          for column in warning_rates),
        *(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, **error) for column in counts),
        *(gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A=whole, column_B=part, or_equal=True, **error)
          for part, whole in not_greater),
        *(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=low, max_value=high, **error)
          for column, (low, high) in (ranges or {}).items()),
        *(gxe.ExpectColumnValuesToBeInSet(column=column, value_set=values, **error)
          for column, values in (value_sets or {}).items()),
        *(gxe.ExpectColumnPairValuesToBeEqual(column_A=a, column_B=b, **error) for a, b in equal),
        *extra,
    ]
    return gx.ExpectationSuite(name=table, expectations=expectations)


def feedback_suite(table: str, grain: list[str]) -> gx.ExpectationSuite:
    """A feedback mart (by channel and day or week, by team and week): its responses' counts,
    CSAT stated wherever a response scored it, each rate inside its interval."""
    import great_expectations.expectations as gxe

    error = severity_kwargs(ERROR)
    csat_scored = {"row_condition": "csat_response_count > 0", "condition_parser": "pandas"}
    # A channel the channel map does not know yet: its rows are right, but unlabelled.
    unknown_channels = [gxe.ExpectColumnValuesToBeInSet(column="channel", value_set=list(CHANNELS),
                                                        **severity_kwargs(WARNING))] if "channel" in grain else []
    return _kpi_mart_suite(
        table, grain,
        counts=["invitations_sent_count", "response_count", "csat_response_count", "csat_top2_response_count",
                "nps_response_count"],
        not_greater=[("csat_top2_response_count", "csat_response_count"), ("csat_response_count", "response_count")],
        ranges={"nps": (-100, 100), "ces_mean_score": (1, 7), "csat_mean_score": (1, 5), "min_responses": (1, None)},
        required=CSAT_COLUMNS,
        extra=[
            *(gxe.ExpectColumnValuesToNotBeNull(column=column, **csat_scored, **error) for column in CSAT_COLUMNS),
            *unknown_channels,
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="csat_top2_rate", column_B="csat_top2_rate_ci95_low",
                                                        or_equal=True, ignore_row_if="either_value_is_missing", **error),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="csat_top2_rate_ci95_high", column_B="csat_top2_rate",
                                                        or_equal=True, ignore_row_if="either_value_is_missing", **error),
        ])


def fcr_by_channel_day_suite() -> gx.ExpectationSuite:
    return _kpi_mart_suite(
        "marts.fcr_by_channel_day", ["contact_date", "channel"],
        counts=["inbound_contact_count", "resolved_on_contact_count", "fcr_eligible_contact_count",
                "first_contact_resolved_count", "window_open_contact_count", "survey_fcr_response_count"],
        not_greater=[("first_contact_resolved_count", "fcr_eligible_contact_count"),
                     ("fcr_eligible_contact_count", "resolved_on_contact_count"),
                     ("resolved_on_contact_count", "inbound_contact_count")],
        value_sets={"channel": list(CHANNELS)})


def queue_daily_metrics_suite() -> gx.ExpectationSuite:
    return _kpi_mart_suite(
        "marts.queue_daily_metrics", ["queue_name", "queue_date"],
        counts=["offered_calls", "answered_calls", "abandoned_calls", "short_abandoned_calls", "callback_requested_calls",
                "asa_seconds", "aht_seconds", "p90_wait_seconds", "longest_wait_seconds"],
        not_greater=[("answered_calls", "offered_calls"), ("abandoned_calls", "offered_calls"),
                     ("answered_within_threshold_calls", "answered_calls"), ("p90_wait_seconds", "longest_wait_seconds")])


def ticket_sla_compliance_daily_suite() -> gx.ExpectationSuite:
    return _kpi_mart_suite(
        "marts.ticket_sla_compliance_daily", ["created_date", "channel", "ticket_priority", "team_key", "sla_kind"],
        counts=["ticket_count", "met_count", "breached_count", "in_flight_count", "unmeasured_count"],
        not_greater=[("met_count", "ticket_count"), ("breached_count", "ticket_count")],
        value_sets={"sla_kind": ["first_response", "agent_work"], "channel": list(CHANNELS)})


# A day's contacts on a channel below half or above twice the same weekday's mean over the
# four weeks before: a partial export, a duplicated one, or a real event a manager should know of.
VOLUME_RATIO_RANGE = (0.5, 2.0)


def reconciliation_contacts_daily_suite() -> gx.ExpectationSuite:
    """Contacts counted from staging, in the fact and in the mart must be equal, row by row; and
    each day's volume against its trailing mean, as the mart states it (null where there is too
    little history), warns outside :data:`VOLUME_RATIO_RANGE`."""
    import great_expectations.expectations as gxe

    low, high = VOLUME_RATIO_RANGE
    return _kpi_mart_suite(
        "marts.reconciliation_contacts_daily", ["contact_date", "channel"],
        counts=["staged_contact_count", "fact_contact_count", "mart_contact_count", "ivr_only_call_count"],
        equal=[("staged_contact_count", "fact_contact_count"), ("fact_contact_count", "mart_contact_count")],
        value_sets={"is_reconciled": [True]}, required=["volume_ratio_to_trailing_mean"],
        extra=[gxe.ExpectColumnValuesToBeBetween(column="volume_ratio_to_trailing_mean", min_value=low,
                                                 max_value=high, **severity_kwargs(WARNING))])


MART_SUITES: dict[str, Callable[[], gx.ExpectationSuite]] = {
    "marts.feedback_by_channel_day": lambda: feedback_suite("marts.feedback_by_channel_day", ["contact_date", "channel"]),
    "marts.feedback_by_channel_week": lambda: feedback_suite("marts.feedback_by_channel_week",
                                                             ["week_start_date", "channel"]),
    "marts.feedback_by_team_week": lambda: feedback_suite("marts.feedback_by_team_week", ["week_start_date", "team_key"]),
    "marts.fcr_by_channel_day": fcr_by_channel_day_suite,
    "marts.queue_daily_metrics": queue_daily_metrics_suite,
    "marts.ticket_sla_compliance_daily": ticket_sla_compliance_daily_suite,
    "marts.reconciliation_contacts_daily": reconciliation_contacts_daily_suite,
}
