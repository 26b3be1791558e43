"""The frames the raw tables' suites read: SQL over ``raw`` and ``audit.load_log``.

After each load, on the rows of the landing days the run loaded (csops/orchestration/quality.py
runs them). Where a suite needs a value a single row cannot give (a record's landing-day
window, a delivery's span, a source's newest day), the SQL states it as a column and the
suite (csops/quality/raw_suites.py) checks the column.
"""

from dataclasses import dataclass

from csops.orchestration.raw_tables import RawTable
from csops.quality.raw_suites import (
    BACKFILL_MIN_SPAN_DAYS,
    INCREMENTAL_EXPORT_EARLIEST_PLAUSIBLE_DATE,
    LANDING_WINDOW_DAYS_AFTER,
    LANDING_WINDOW_DAYS_BEFORE,
)


def _utc(text_column: str) -> str:
    """A vendor's ISO-8601 text as a naive UTC timestamp (the loader has checked it names its zone)."""
    return f"timezone('UTC', try_cast(\"{text_column}\" as timestamptz))"


@dataclass(frozen=True)
class RawFrame:
    """The columns a raw table's suite reads: vendor fields, and derived ones by name."""

    columns: tuple[str, ...]  # vendor columns, as they are
    derived: tuple[tuple[str, str], ...] = ()  # (name, SQL expression)
    event_times: tuple[str, ...] = ()  # derived UTC times that must lie within their landing day's window
    # An incremental export cut by a cursor, not by day (Zendesk's): the derived time it is cut
    # by. A delivery whose cursor times span many days is a backfill, whose event times may be
    # as old as the export itself (see csops/quality/raw_suites.py, "backfill or daily delta").
    cursor_time: str | None = None
    history_times: tuple[str, ...] = ()  # derived UTC times of any age (a ticket's creation), never after the delivery


ZENDESK_CLOCK_SKEW_MINUTES = 5

RAW_FRAMES: dict[str, RawFrame] = {
    "crm_tickets": RawFrame(("id", "status", "priority"),
                            (("created_at", _utc("created_at")), ("updated_at", _utc("updated_at")),
                             # Zendesk stamps some tickets' updated_at a second before their created_at
                             # (seen in real exports): a skew of a few minutes is its clock, not an error.
                             ("created_at_less_clock_skew", f"{_utc('created_at')} - interval {ZENDESK_CLOCK_SKEW_MINUTES} minute")),
                            ("updated_at",),
                            cursor_time="updated_at", history_times=("created_at",)),
    "crm_ticket_audits": RawFrame(("id", "ticket_id"), (("created_at", _utc("created_at")),), ("created_at",),
                                  cursor_time="created_at"),
    "crm_users": RawFrame(("id", "updated_at")),
    "crm_groups": RawFrame(("id", "name")),
    "crm_group_memberships": RawFrame(("id", "updated_at")),
    "telephony_contact_records": RawFrame(
        ("ContactId", "LastUpdateTimestamp", "Channel", "InitiationTimestamp", "InitiationMethod"),
        (("initiated_at", _utc("InitiationTimestamp")), ("disconnected_at", _utc("DisconnectTimestamp")),
         ("last_updated_at", _utc("LastUpdateTimestamp"))),
        ("initiated_at", "last_updated_at")),
    "telephony_agent_events": RawFrame(("EventId", "EventType", "AgentARN"),
                                       (("event_at", _utc("EventTimestamp")),), ("event_at",)),
    "surveys_responses": RawFrame(("ResponseId", "survey_key")),
    # A daily pull hands an invitation over again when its status moves on, long after it was
    # sent: its times are not held to the landing day's window.
    "surveys_distribution_history": RawFrame(("distributionID", "contactId", "status")),
}


def raw_frame_sql(table: RawTable) -> str:
    """One row per distinct version of a record among the rows of the given landing days (``$days``).

    A record delivered twice as it was (Connect delivers at least once) is one version; two
    rows that share a version key but differ in any vendor field are two, and the suite's
    uniqueness expectation names them. Each version is judged against the first landing day
    it arrived on.

    Where the export is cut by a cursor (``RawFrame.cursor_time``), the versions first landed
    on one day are one delivery; the frame says how many days its cursor times span
    (``delivery_cursor_span_days``) and whether that makes it a backfill
    (``is_backfill_delivery``), whose event times may go back to the export's earliest
    plausible time instead of the landing window's start.
    """
    frame = RAW_FRAMES[table.table_name]
    vendor_columns = [name for name, _ in table.columns]
    content = ", ".join(f'"{name}"' for name in vendor_columns)
    selected = [*(f'"{c}"' for c in frame.columns), *(f'{expression} as "{name}"' for name, expression in frame.derived)]
    landing_window_start = f"landing_date - interval {LANDING_WINDOW_DAYS_BEFORE} day"
    export_start = f"timestamp '{INCREMENTAL_EXPORT_EARLIEST_PLAUSIBLE_DATE.isoformat()}'"
    event_time_start = (f"case when is_backfill_delivery then {export_start} else {landing_window_start} end"
                        if frame.cursor_time else landing_window_start)
    windows = [
        f"""{start} as "{name}_earliest_plausible",
            landing_date + interval {LANDING_WINDOW_DAYS_AFTER + 1} day as "{name}_latest_plausible\""""
        for names, start in ((frame.event_times, event_time_start), (frame.history_times, export_start))
        for name in names
    ]
    deliveries = f"""
        , deliveries as (
            select *,
                date_diff('second', min("{frame.cursor_time}") over delivery,
                          max("{frame.cursor_time}") over delivery) / 86400.0 as delivery_cursor_span_days,
                coalesce(delivery_cursor_span_days > {BACKFILL_MIN_SPAN_DAYS}, false) as is_backfill_delivery
            from versions
            window delivery as (partition by landing_date)
        )""" if frame.cursor_time else ""
    return f"""
        with versions as (
            select {", ".join(selected)}, md5(row({content})::varchar) as content_md5,
                min(_landing_date) as landing_date, min({source_position_sql('landed')}) as source_position
            from raw.{table.table_name} as landed
            where list_contains($days, _landing_date)
            group by all
        ){deliveries}
        select *{"".join(", " + window for window in windows)}
        from {"deliveries" if frame.cursor_time else "versions"}
    """


def raw_freshness_sql() -> str:
    """The newest landing day of a raw table's (``$table``) source, from ``audit.load_log`` (files,
    even empty ones), against the newest day any source has landed (``$newest_landing_date``)."""
    # The source's newest day, not the table's: Firehose writes no object for a stream with
    # nothing to say (no agent logged in all weekend), and that is no stop in the delivery.
    return """
        select $table as raw_table, max(landing_date) as newest_landing_date,
            date_diff('day', max(landing_date), $newest_landing_date::date) as days_behind_newest_landing
        from audit.load_log
        where source = (select any_value(source) from audit.load_log where raw_table = $table)
    """



def source_position_sql(alias: str) -> str:
    """Where a row came from, as "file:line", and "#record" where a line holds several (an API
    page, a Firehose object)."""
    return (f"{alias}._source_file || ':' || {alias}._source_line || coalesce(case when {alias}._source_record "
            f"!= {alias}._source_line then ' #' || {alias}._source_record end, '')")
