"""The frames the staging, intermediate and mart suites read: SQL over the dbt models.

After the dbt build, on the whole table (csops/orchestration/quality.py runs them). Where a
suite needs a value a single row cannot give (whether a reference resolves, where an unreadable
identifier came from), the SQL states it as a column and the suite checks the column.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from csops.kernel.identity import WITHHELD_PHONE_MARKERS
from csops.orchestration.raw_frames import source_position_sql
from csops.quality.mart_suites import MART_SUITES

# --- staging ---------------------------------------------------------------------------------

_KNOWN_AGENT_USERNAMES = "(select distinct agent_username from staging.stg_crm__users where agent_username is not null)"


@dataclass(frozen=True)
class StagedIdentifier:
    """A customer identifier staging turned into a keyed hash (csops/kernel/identity.py).

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

# dbt model name -> the frame its suite reads: each mart as it is (what a suite checks, a mart
# states: its rules are the marts', such as the volume ratio the reconciliation suite reads).
MART_FRAMES: dict[str, str] = {table.removeprefix("marts."): f"select * from {table}" for table in MART_SUITES}
