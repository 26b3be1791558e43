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
from datetime import date
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


def _unique(columns: list[str], **kwargs):
    """GX has one expectation for a single column's uniqueness and another for several."""
    import great_expectations.expectations as gxe

    if len(columns) == 1:
        return gxe.ExpectColumnValuesToBeUnique(column=columns[0], **kwargs)
    return gxe.ExpectCompoundColumnsToBeUnique(column_list=columns, **kwargs)


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


# A day's contacts on a channel below half or above twice the same weekday's mean over the
# four weeks before: a partial export, a duplicated one, or a real event a manager should know of.
VOLUME_RATIO_RANGE = (0.5, 2.0)


def reconciliation_contacts_daily_suite() -> gx.ExpectationSuite:
    """Contacts counted from staging, in the fact and in the mart must be equal, row by row; and
    each day's volume against its trailing average (``volume_ratio_to_trailing_mean``, from the
    frame's SQL in csops/orchestration/quality.py; null where there is too little history)."""
    import great_expectations.expectations as gxe

    suite = _kpi_mart_suite(
        "marts.reconciliation_contacts_daily", ["contact_date", "channel"], rates=[],
        counts=["staged_contact_count", "fact_contact_count", "mart_contact_count", "ivr_only_call_count"], not_greater=[],
        equal=[("staged_contact_count", "fact_contact_count"), ("fact_contact_count", "mart_contact_count")],
        value_sets={"is_reconciled": [True]})
    low, high = VOLUME_RATIO_RANGE
    suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(
        column="volume_ratio_to_trailing_mean", min_value=low, max_value=high, **_severity_kwargs(WARNING)))
    return suite


# --- raw: what landed, checked before anything is built on it ----------------------------------
#
# The loader already rejects, row by row, what cannot be read (malformed lines, missing
# required fields, timestamps without a zone, unknown channels, scores off their scale).
# These suites check what a single row cannot show: two versions of a record that disagree,
# a contact that ends before it starts, a timestamp far from the day its file landed (a wrong
# clock or a file in the wrong folder), a source that stopped delivering. The frames are the
# rows of the landing days a load run loaded (csops/orchestration/quality.py writes their SQL).

# Statuses, priorities, initiation methods and agent states as the vendors document them.
# A value outside these is reported (warning): the rows are loaded and counted, but a
# mapping or a KPI may need to learn it.
ZENDESK_TICKET_STATUSES = ("new", "open", "pending", "hold", "solved", "closed", "deleted")
ZENDESK_TICKET_PRIORITIES = ("low", "normal", "high", "urgent")
CONNECT_AGENT_EVENT_TYPES = ("STATE_CHANGE", "HEART_BEAT", "LOGIN", "LOGOUT")
CONNECT_INITIATION_METHODS = ("INBOUND", "OUTBOUND", "TRANSFER", "QUEUE_TRANSFER", "CALLBACK", "API", "DISCONNECT",
                              "MONITOR", "EXTERNAL_OUTBOUND", "AGENT_REPLY", "FLOW", "CAMPAIGN", "WEBRTC_API")
# How far before (and after) its landing day a record's event time may be: late files and
# calls across midnight arrive days later; beyond a week it is a wrong clock or folder.
LANDING_WINDOW_DAYS_BEFORE = 7
LANDING_WINDOW_DAYS_AFTER = 1
# Backfill or daily delta. Zendesk's incremental exports are cut by a cursor, not by day: a
# first export (or a re-export) holds years of history in one delivery, and a daily one the
# changes since the last, updates of tickets created long ago among them. A delivery (a raw
# table's versions first landed on one day) whose cursor times (a ticket's updated_at, an
# audit's created_at) span more than BACKFILL_MIN_SPAN_DAYS is a backfill: its event times
# may go back to INCREMENTAL_EXPORT_EARLIEST_PLAUSIBLE_DATE. Any other delivery is a daily
# delta, and its cursor times lie within the landing window like any event (a narrow batch
# of old changes is a file in the wrong day's folder). A ticket's created_at may be of any
# age in either. What stays an error in both: a time after the delivery day (a wrong clock:
# an export holds no change not made yet), and a time before the export can have anything
# (a zeroed clock, 1970-01-01).
BACKFILL_MIN_SPAN_DAYS = LANDING_WINDOW_DAYS_BEFORE
# Zendesk was first released in 2007: no record it exports can be older.
INCREMENTAL_EXPORT_EARLIEST_PLAUSIBLE_DATE = date(2007, 1, 1)
# A source whose newest landing day is more than this behind the newest of any source has
# stopped delivering (warning: the marts are right about the days they have).
FRESHNESS_MAX_DAYS_BEHIND = 1


def _raw_suite(table: str, version_key: list[str], required: list[str], event_times: list[str],
               ordered: list[tuple[str, str]] = (), value_sets: dict[str, tuple] | None = None) -> gx.ExpectationSuite:
    """A raw table's suite. The frame carries, for each event time ``t`` in ``event_times``,
    ``t`` in UTC and ``<t>_earliest_plausible``/``<t>_latest_plausible`` (its landing day's window);
    ``ordered`` lists (later, earlier) pairs; ``version_key`` identifies one version of one record
    (the frame has one row per distinct version content, so two rows on it disagree)."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    error = _severity_kwargs(ERROR)
    warning = _severity_kwargs(WARNING)
    expectations: list = [
        gxe.ExpectTableColumnsToMatchSet(column_set=[*version_key, *required, *event_times], exact_match=False, **error),
        *(gxe.ExpectColumnValuesToNotBeNull(column=column, **error) for column in dict.fromkeys([*version_key, *required])),
        _unique(version_key, **error),
        # A time not given (a call still in progress has no end) is not a time out of order.
        *(gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A=later, column_B=earlier, or_equal=True,
                                                      ignore_row_if="either_value_is_missing", **error)
          for later, earlier in ordered),
        *(gxe.ExpectColumnValuesToBeInSet(column=column, value_set=list(values), **warning)
          for column, values in (value_sets or {}).items()),
    ]
    for column in event_times:
        expectations += [
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A=column, column_B=f"{column}_earliest_plausible",
                                                        or_equal=True, ignore_row_if="either_value_is_missing", **error),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A=f"{column}_latest_plausible", column_B=column,
                                                        ignore_row_if="either_value_is_missing", **error),
        ]
    return gx.ExpectationSuite(name=table, expectations=expectations)


def raw_freshness_suite() -> gx.ExpectationSuite:
    """One row per raw table of a source: its newest landing day against the newest of any source."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    return gx.ExpectationSuite(name="raw.landing_freshness", expectations=[
        gxe.ExpectColumnValuesToNotBeNull(column="newest_landing_date", **_severity_kwargs(WARNING)),
        gxe.ExpectColumnValuesToBeBetween(column="days_behind_newest_landing", max_value=FRESHNESS_MAX_DAYS_BEHIND,
                                          **_severity_kwargs(WARNING)),
    ])


def raw_crm_tickets_suite() -> gx.ExpectationSuite:
    # updated_at is the export's cursor (a backfill's may be years old), created_at of any age.
    return _raw_suite("raw.crm_tickets", ["id", "updated_at"], ["created_at", "status"], ["updated_at", "created_at"],
                      ordered=[("updated_at", "created_at_less_clock_skew")],
                      value_sets={"status": ZENDESK_TICKET_STATUSES, "priority": ZENDESK_TICKET_PRIORITIES})


def raw_crm_ticket_audits_suite() -> gx.ExpectationSuite:
    return _raw_suite("raw.crm_ticket_audits", ["id"], ["ticket_id"], ["created_at"])


def raw_telephony_contact_records_suite() -> gx.ExpectationSuite:
    return _raw_suite("raw.telephony_contact_records", ["ContactId", "LastUpdateTimestamp"],
                      ["Channel", "InitiationTimestamp"], ["initiated_at", "last_updated_at"],
                      ordered=[("disconnected_at", "initiated_at"), ("last_updated_at", "initiated_at")],
                      value_sets={"InitiationMethod": CONNECT_INITIATION_METHODS})


def raw_telephony_agent_events_suite() -> gx.ExpectationSuite:
    return _raw_suite("raw.telephony_agent_events", ["EventId"], ["EventType", "AgentARN"], ["event_at"],
                      value_sets={"EventType": CONNECT_AGENT_EVENT_TYPES})


def raw_surveys_responses_suite() -> gx.ExpectationSuite:
    # Which contact a response names is the survey's mapping's to say (staging): the load
    # checked a counted response names one.
    return _raw_suite("raw.surveys_responses", ["ResponseId"], ["survey_key"], [])


def raw_entity_suite(table: str, version_key: list[str]) -> Callable[[], gx.ExpectationSuite]:
    """Users, groups, memberships, survey invitations: one row per distinct version of a record."""
    return lambda: _raw_suite(table, version_key, [], [])


# --- staging: keys unique, references resolved, identifiers read ----------------------------------
#
# Staging keeps one version of each record, so a duplicate key there is a bug (error). A
# reference that does not resolve (an agent unknown to the CRM, a ticket's group that is
# not in the groups export, a survey about a contact not exported yet) leaves the rows
# correct but unattributed: reported as a warning, with the unresolved values. The frames
# carry ``unresolved_<reference>``: the value when it does not resolve, else null.
# Likewise a customer's phone number or email that was exported but no library can read
# (``+190011112222``, ``n/a``) leaves its row without a key, so without a customer match:
# a warning, never a stopped build. The frames carry ``unreadable_<identifier>``: the raw
# row's "file:line" when unreadable (not the value, which is personal data), else null. A
# blank or withheld number ("anonymous") is a caller without a number, not a warning.


def _staging_suite(table: str, key: list[str], warned_unless_null: list[str]) -> gx.ExpectationSuite:
    import great_expectations as gx
    import great_expectations.expectations as gxe

    error = _severity_kwargs(ERROR)
    return gx.ExpectationSuite(name=table, expectations=[
        gxe.ExpectTableColumnsToMatchSet(column_set=[*key, *warned_unless_null], exact_match=False, **error),
        *(gxe.ExpectColumnValuesToNotBeNull(column=column, **error) for column in key),
        _unique(key, **error),
        *(gxe.ExpectColumnValuesToBeNull(column=column, **_severity_kwargs(WARNING)) for column in warned_unless_null),
    ])


STAGING_SUITES = {
    "staging.stg_telephony__contact_records": (["contact_record_id"],
                                               ["unresolved_agent_username", "unreadable_customer_phone"]),
    "staging.stg_telephony__agent_events": (["agent_event_id"],
                                            ["unresolved_agent_username", "unmapped_agent_status_name"]),
    "staging.stg_crm__tickets": (["ticket_id"], ["unresolved_group_id", "unresolved_assignee_id"]),
    "staging.stg_crm__users": (["crm_user_id"], ["unreadable_email", "unreadable_phone"]),
    "staging.stg_surveys__responses": (["survey_response_id"], ["unresolved_contact_ref", "withheld_contact_ref",
                                                              "unreadable_recipient_email"]),
}


# --- intermediate: what a model had to bound -----------------------------------------------------
#
# Same shape as staging's: the key, and values that warn unless null. An agent's events that
# stop without a LOGOUT leave the numbers right (the state is ended at the heartbeat timeout),
# but someone should know whose and when.

INTERMEDIATE_SUITES = {
    "intermediate.int_agent_state_intervals": (["agent_state_interval_id"], ["agent_events_stopped"]),
}


SUITES: dict[str, Callable[[], gx.ExpectationSuite]] = {
    "raw.landing_freshness": raw_freshness_suite,
    "raw.crm_tickets": raw_crm_tickets_suite,
    "raw.crm_ticket_audits": raw_crm_ticket_audits_suite,
    "raw.crm_users": raw_entity_suite("raw.crm_users", ["id", "updated_at"]),
    # Groups carry no version stamp: a renamed group is a new version of it, not a conflict.
    "raw.crm_groups": raw_entity_suite("raw.crm_groups", ["id", "name"]),
    "raw.crm_group_memberships": raw_entity_suite("raw.crm_group_memberships", ["id", "updated_at"]),
    "raw.telephony_contact_records": raw_telephony_contact_records_suite,
    "raw.telephony_agent_events": raw_telephony_agent_events_suite,
    "raw.surveys_responses": raw_surveys_responses_suite,
    # An invitation comes again each time its status moves on: one version per status.
    "raw.surveys_distribution_history": raw_entity_suite("raw.surveys_distribution_history",
                                                         ["distributionID", "contactId", "status"]),
    **{table: (lambda table=table, spec=spec: _staging_suite(table, *spec))
       for table, spec in (*STAGING_SUITES.items(), *INTERMEDIATE_SUITES.items())},
    "marts.csat_by_channel_day": csat_by_channel_day_suite,
    "marts.csat_by_channel_week": csat_by_channel_week_suite,
    "marts.fcr_by_channel_day": fcr_by_channel_day_suite,
    "marts.queue_daily_metrics": queue_daily_metrics_suite,
    "marts.ticket_sla_compliance_daily": ticket_sla_compliance_daily_suite,
    "marts.feedback_by_team_week": feedback_by_team_week_suite,
    "marts.reconciliation_contacts_daily": reconciliation_contacts_daily_suite,
}
