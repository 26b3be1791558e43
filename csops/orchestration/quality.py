"""Great Expectations validations as Dagster asset checks, on raw, staging and marts.

Each suite (csops/quality/suites.py) reads a frame that DuckDB computes from the warehouse;
the SQL of every frame is here, so the checks have one door into the warehouse, as the
app has. Where a frame needs a value a single row cannot give (a record's landing-day
window, whether a reference resolves, a day's volume against the same weekdays before), the
SQL states it as a column and the suite checks the column.

- raw: after each load, on the rows of the landing days the run loaded (csops/orchestration/load_assets.py);
- staging and marts: after the dbt build, on the whole table.

An ERROR-severity failure is blocking: it is recorded in ``audit.quality_results``, marks
the latest run blocked for the app (csops.kernel.publication), and the publication gate
(csops/orchestration/publish.py) then refuses to publish; the app keeps the last good run.
"""


from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import dagster as dg
import duckdb

from csops.kernel.identity import WITHHELD_PHONE_MARKERS
from csops.kernel.paths import CsopsHome
from csops.orchestration.quality_record import CheckOutcome, record
from csops.orchestration.raw_tables import RAW_TABLES, RawTable
from csops.orchestration.resources import CsopsHomeResource, WarehouseLockResource, WarehouseResource

CHECK_NAME = "great_expectations_suite"


# --- raw ----------------------------------------------------------------------------------


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
    # as old as the export itself (see csops/quality/suites.py, "backfill or daily delta").
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
    from csops.quality.suites import (
        BACKFILL_MIN_SPAN_DAYS,
        INCREMENTAL_EXPORT_EARLIEST_PLAUSIBLE_DATE,
        LANDING_WINDOW_DAYS_AFTER,
        LANDING_WINDOW_DAYS_BEFORE,
    )

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


# --- staging ---------------------------------------------------------------------------------

_KNOWN_AGENT_USERNAMES = "(select distinct agent_username from staging.stg_crm__users where agent_username is not null)"


def source_position_sql(alias: str) -> str:
    """Where a row came from, as "file:line", and "#record" where a line holds several (an API
    page, a Firehose object)."""
    return (f"{alias}._source_file || ':' || {alias}._source_line || coalesce(case when {alias}._source_record "
            f"!= {alias}._source_line then ' #' || {alias}._source_record end, '')")


@dataclass(frozen=True)
class StagedIdentifier:
    """A customer identifier staging turned into a keyed hash (csops/identity.py).

    Where the key is null although the export gave a value (not blank, not a withheld-number
    marker), no library could read it: the row is kept, with no key (so no customer match),
    and the staging suite warns with its file and line (never the value: it is personal data).
    """

    name: str  # the frame's column: unreadable_<name>, the raw row's "file:line" where unreadable
    key_column: str  # the staged key, null when unreadable
    raw_text: str  # SQL over ``raw``: the identifier as exported
    is_phone: bool
    raw_condition: str = "true"  # SQL over ``raw``: rows where the text is meant as this identifier

    def given_sql(self) -> str:
        text = f"nullif(trim({self.raw_text}), '')"
        if not self.is_phone:
            return f"{text} is not null and {self.raw_condition}"
        withheld = ", ".join(f"'{marker}'" for marker in WITHHELD_PHONE_MARKERS)
        return f"{text} is not null and lower({text}) not in ({withheld}) and {self.raw_condition}"


def _unreadable_identifiers_sql(staging_table: str, staged_id: str, raw_table: str, raw_id: str,
                                identifiers: Sequence[StagedIdentifier]) -> str:
    """A CTE body: per staged row with an unreadable identifier, the raw row's "file:line" per identifier.

    Only staged rows with a null key are joined back to their raw rows (the same record in the
    same file; the first such line), so the check costs little on a large table."""
    null_key = " or ".join(f"staged.{identifier.key_column} is null" for identifier in identifiers)
    positions = ",\n            ".join(
        f"min(case when staged.{i.key_column} is null and {i.given_sql()} "
        f"then {source_position_sql('raw')} end) as unreadable_{i.name}" for i in identifiers)
    return f"""
        select staged.{staged_id}, {positions}
        from staging.{staging_table} as staged
        inner join raw.{raw_table} as raw
            on raw.{raw_id} = staged.{staged_id} and raw._source_file = staged._source_file
        where {null_key}
        group by all
    """


def _staging_frame_with_identifiers(select_sql: str, staged_id: str, unreadable_sql: str,
                                    identifiers: Sequence[StagedIdentifier]) -> str:
    """``select_sql`` (aliased ``frame``, with ``source_position``) plus each ``unreadable_<name>``;
    an unreadable row's ``source_position`` becomes its raw row's file and line."""
    columns = ", ".join(f"unreadable.unreadable_{i.name}" for i in identifiers)
    first_position = f"coalesce({', '.join(f'unreadable.unreadable_{i.name}' for i in identifiers)})"
    return f"""
        with frame as ({select_sql}),
        unreadable as ({unreadable_sql})
        select frame.* replace (coalesce({first_position}, frame.source_position) as source_position), {columns}
        from frame
        left join unreadable on frame.{staged_id} = unreadable.{staged_id}
    """


_CALLER_PHONE = StagedIdentifier(
    "customer_phone", "customer_phone_key", """json_extract_string(raw."CustomerEndpoint", '$.Address')""",
    is_phone=True,
    # A chat or email contact's endpoint is no phone number, and is not read as one.
    raw_condition="""coalesce(json_extract_string(raw."CustomerEndpoint", '$.Type'), 'TELEPHONE_NUMBER')
        = 'TELEPHONE_NUMBER'""")
_USER_IDENTIFIERS = (StagedIdentifier("email", "email_key", "raw.email", is_phone=False),
                     StagedIdentifier("phone", "phone_key", "raw.phone", is_phone=True))
_RECIPIENT_EMAIL = StagedIdentifier("recipient_email", "recipient_email_key", 'raw."RecipientEmail"', is_phone=False)

STAGING_FRAMES: dict[str, str] = {
    "stg_telephony__contact_records": _staging_frame_with_identifiers(f"""
        select contact_record_id, records._source_file as source_position,
            case when known.agent_username is null then records.connect_agent_username end as unresolved_agent_username
        from staging.stg_telephony__contact_records as records
        left join {_KNOWN_AGENT_USERNAMES} as known on records.connect_agent_username = known.agent_username
    """, "contact_record_id", _unreadable_identifiers_sql(
        "stg_telephony__contact_records", "contact_record_id", "telephony_contact_records", '"ContactId"',
        [_CALLER_PHONE]), [_CALLER_PHONE]),
    # A status name seeds/agent_status_map.csv does not list counts as BREAK: which, so the
    # center can map it.
    "stg_telephony__agent_events": f"""
        select agent_event_id, events._source_file || ':' || events._source_line as source_position,
            case when known.agent_username is null then events.connect_agent_username end as unresolved_agent_username,
            case when not events.is_agent_status_mapped then events.agent_status_name end as unmapped_agent_status_name
        from staging.stg_telephony__agent_events as events
        left join {_KNOWN_AGENT_USERNAMES} as known on events.connect_agent_username = known.agent_username
    """,
    "stg_crm__tickets": """
        select ticket_id, tickets._source_file as source_position,
            case when groups.crm_group_id is null then tickets.crm_group_id end as unresolved_group_id,
            case when users.crm_user_id is null then tickets.crm_assignee_id end as unresolved_assignee_id
        from staging.stg_crm__tickets as tickets
        left join staging.stg_crm__groups as groups on tickets.crm_group_id = groups.crm_group_id
        left join staging.stg_crm__users as users on tickets.crm_assignee_id = users.crm_user_id
    """,
    "stg_crm__users": _staging_frame_with_identifiers(
        f"select crm_user_id, {source_position_sql('users')} as source_position from staging.stg_crm__users as users",
        "crm_user_id", _unreadable_identifiers_sql("stg_crm__users", "crm_user_id", "crm_users", "id",
                                                   _USER_IDENTIFIERS), _USER_IDENTIFIERS),
    "stg_surveys__responses": _staging_frame_with_identifiers("""
        select survey_response_id, responses._source_file as source_position,
            case when tickets.ticket_id is null and records.contact_record_id is null
                then responses.contact_system || ':' || responses.contact_ref end as unresolved_contact_ref,
            -- What the customer typed there is not shown: it may be an email or a phone number.
            case when responses.is_contact_ref_withheld then 'withheld: no ticket id or ContactId' end
                as withheld_contact_ref
        from staging.stg_surveys__responses as responses
        left join staging.stg_crm__tickets as tickets
            on responses.contact_system = 'crm' and responses.contact_ref = tickets.ticket_id::varchar
        left join staging.stg_telephony__contact_records as records
            on responses.contact_system = 'telephony' and responses.contact_ref = records.contact_record_id
    """, "survey_response_id", _unreadable_identifiers_sql(
        "stg_surveys__responses", "survey_response_id", "surveys_responses", '"ResponseId"', [_RECIPIENT_EMAIL]),
        [_RECIPIENT_EMAIL]),
}


# --- intermediate ----------------------------------------------------------------------------

INTERMEDIATE_FRAMES: dict[str, str] = {
    # An agent whose events stopped without a LOGOUT (a lost event, a stream that broke off):
    # int_agent_state_intervals ended their state at the last event + the heartbeat timeout.
    "int_agent_state_intervals": """
        select agent_state_interval_id,
            case when is_ended_by_agent_event_silence then
                coalesce(connect_agent_username, connect_agent_arn) || ' silent after '
                || strftime(last_event_at, '%Y-%m-%d %H:%M:%S') || ' UTC, no logout'
            end as agent_events_stopped
        from intermediate.int_agent_state_intervals
    """,
}


# --- marts -----------------------------------------------------------------------------------

# Contacts per channel and day against the mean of the same weekday in the four weeks before;
# a ratio only where those weeks are all there and carry enough contacts to mean something.
VOLUME_MIN_TRAILING_MEAN_CONTACTS = 20
_RECONCILIATION_WITH_VOLUME = f"""
    with trailing_volume as (
        select *,
            avg(mart_contact_count) over same_weekdays_before as trailing_4_weeks_same_weekday_mean_contact_count,
            count(*) over same_weekdays_before as trailing_same_weekday_days
        from marts.reconciliation_contacts_daily
        window same_weekdays_before as (
            partition by channel, isodow(contact_date) order by contact_date
            range between interval 28 day preceding and interval 1 day preceding)
    )
    select *,
        case when trailing_same_weekday_days = 4
                and trailing_4_weeks_same_weekday_mean_contact_count >= {VOLUME_MIN_TRAILING_MEAN_CONTACTS}
            then round(mart_contact_count / trailing_4_weeks_same_weekday_mean_contact_count, 3)
        end as volume_ratio_to_trailing_mean
    from trailing_volume
"""

# dbt model name -> the frame its suite reads.
MART_FRAMES: dict[str, str] = {
    "csat_by_channel_day": "select * from marts.csat_by_channel_day",
    "csat_by_channel_week": "select * from marts.csat_by_channel_week",
    "fcr_by_channel_day": "select * from marts.fcr_by_channel_day",
    "queue_daily_metrics": "select * from marts.queue_daily_metrics",
    "ticket_sla_compliance_daily": "select * from marts.ticket_sla_compliance_daily",
    "feedback_by_team_week": "select * from marts.feedback_by_team_week",
    "reconciliation_contacts_daily": _RECONCILIATION_WITH_VOLUME,
}
VALIDATED_MARTS = tuple(MART_FRAMES)


# --- running a suite ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Validation:
    suite: str  # a key of expectations.suites.SUITES
    sql: str
    parameters: dict | None = None
    subject: str | None = None  # what the frame is, when not the suite's own table


def validate(con: duckdb.DuckDBPyConnection, home: CsopsHome, run_id: str, asset: str,
             validations: Sequence[Validation], asset_key: dg.AssetKey) -> dg.AssetCheckResult:
    """Run the suites on their frames, record every expectation's outcome, and say whether a blocking one failed."""
    # Imported here: great_expectations takes ~3 s to import, and loading the
    # definitions (every `csops` command, the UI) should not pay for it.
    from csops.quality.validation import validate_dataframe

    results = []
    for validation in validations:
        frame = con.execute(validation.sql, validation.parameters or {}).df()
        results.append(validate_dataframe(frame, validation.suite, home.quality, run_id, validation.subject))
    outcomes = [
        CheckOutcome(asset=asset, check_name=(f"{result.table}: " if result.table != asset else "")
                     + f"{e.expectation_type}({', '.join(e.columns)})",
                     severity="error" if e.severity == "error" else "warn", is_passed=e.success, observed=e.observed,
                     report_path=str(result.offline_report or result.data_docs_index or "") or None)
        for result in results for e in result.expectations]
    record(con, run_id, "great_expectations", outcomes, home=home)
    blocking = sum(result.blocking_failures for result in results)
    failed = [(result.table, e) for result in results for e in result.expectations if not e.success]
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=CHECK_NAME,
        # A failed warning fails the check at WARN severity: shown, never blocking.
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
        metadata={
            "rows_validated": sum(result.row_count for result in results),
            "expectations": len(outcomes),
            "blocking_failures": blocking,
            "warnings": sum(result.warnings for result in results),
            "failed": dg.MetadataValue.md(
                "\n".join(f"- {table}: {e.expectation_type} {', '.join(e.columns)}: {e.observed}" for table, e in failed)
                or "none"),
            "report": dg.MetadataValue.path(str(results[0].offline_report or results[0].data_docs_index or "")),
        },
    )


def validate_raw(con: duckdb.DuckDBPyConnection, home: CsopsHome, run_id: str, table: RawTable, days: list[date],
                 newest_landing_date: date) -> dg.AssetCheckResult:
    """A raw table's suite on the landing days a load run loaded, and the source's freshness.

    The days of earlier load runs that failed a blocking check and whose rows are still in
    the table are checked again with them: so the latest check of a raw table speaks for
    all of its rows, and a fixed file, once reloaded, lifts the block (see the gate)."""
    asset = f"{table.source}/{table.entity}"
    still_failing = [day for day, in con.execute("""
        select distinct landing_date from audit.load_log
        where raw_table = $table and run_id in (
            select run_id from audit.quality_results
            where asset = $asset and check_source = 'great_expectations' and severity = 'error' and not is_passed)
    """, {"table": table.table_name, "asset": asset}).fetchall()] if _has_quality_results(con) else []
    return validate(con, home, run_id, asset, [
        Validation(f"raw.{table.table_name}", raw_frame_sql(table), {"days": sorted({*days, *still_failing})}),
        Validation("raw.landing_freshness", raw_freshness_sql(),
                   {"newest_landing_date": newest_landing_date, "table": table.table_name},
                   subject=f"raw.landing_freshness.{table.table_name}"),
    ], dg.AssetKey([table.source, table.entity]))


def _has_quality_results(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("select count(*) from information_schema.tables "
                       "where table_schema = 'audit' and table_name = 'quality_results'").fetchone()[0] > 0


def _model_check(schema: str, model: str, sql: str, asset_key: dg.AssetKey) -> dg.AssetChecksDefinition:
    suite = f"{schema}.{model}"

    @dg.asset_check(asset=asset_key, name=CHECK_NAME, blocking=True,
                    description=f"The Great Expectations suite of {suite} (csops/quality/suites.py).")
    def check(context: dg.AssetCheckExecutionContext, csops_home: CsopsHomeResource, warehouse: WarehouseResource,
              warehouse_lock: WarehouseLockResource):
        with warehouse.get_connection() as con:
            return validate(con, csops_home.home, context.run.run_id, suite, [Validation(suite, sql)], asset_key)

    return check


def quality_checks(asset_key_for_model: Callable[[str], dg.AssetKey]) -> list[dg.AssetChecksDefinition]:
    return [
        *(_model_check("staging", model, sql, asset_key_for_model(model)) for model, sql in STAGING_FRAMES.items()),
        *(_model_check("intermediate", model, sql, asset_key_for_model(model))
          for model, sql in INTERMEDIATE_FRAMES.items()),
        *(_model_check("marts", model, sql, asset_key_for_model(model)) for model, sql in MART_FRAMES.items()),
    ]
