"""The raw tables' suites: what landed, checked before anything is built on it.

The loader already rejects, row by row, what cannot be read (malformed lines, missing
required fields, timestamps without a zone, unknown channels, scores off their scale).
These suites check what a single row cannot show: two versions of a record that disagree,
a contact that ends before it starts, a timestamp far from the day its file landed (a wrong
clock or a file in the wrong folder), a source that stopped delivering. The frames are the
rows of the landing days a load run loaded (csops/orchestration/raw_frames.py writes their SQL).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from csops.quality.severity import ERROR, WARNING, severity_kwargs, unique

if TYPE_CHECKING:
    import great_expectations as gx


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

    error = severity_kwargs(ERROR)
    warning = severity_kwargs(WARNING)
    expectations: list = [
        gxe.ExpectTableColumnsToMatchSet(column_set=[*version_key, *required, *event_times], exact_match=False, **error),
        *(gxe.ExpectColumnValuesToNotBeNull(column=column, **error) for column in dict.fromkeys([*version_key, *required])),
        unique(version_key, **error),
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
        gxe.ExpectColumnValuesToNotBeNull(column="newest_landing_date", **severity_kwargs(WARNING)),
        gxe.ExpectColumnValuesToBeBetween(column="days_behind_newest_landing", max_value=FRESHNESS_MAX_DAYS_BEHIND,
                                          **severity_kwargs(WARNING)),
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


RAW_SUITES: dict[str, Callable[[], gx.ExpectationSuite]] = {
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
}
