-- A table, not a view: its identity columns come from csops's functions (csops/dbt_functions.py),
-- computed once here, and any reader of the warehouse can query them without those functions.
{{ config(materialized='table') }}

with

latest as (
    -- Connect delivers records at least once: the latest LastUpdateTimestamp wins.
    {{ keep_one_version(source('telephony', 'contact_records'), 'ContactId', 'try_cast(LastUpdateTimestamp as timestamptz) desc') }}
),

channel_map as (
    select * from {{ ref('channel_map') }} where source_system = 'telephony'
),

final as (
    select
        latest.ContactId as contact_record_id,
        coalesce(latest.InitialContactId, latest.ContactId) as initial_contact_record_id,
        latest.PreviousContactId as previous_contact_record_id,
        nullif(channel_map.channel, '') as channel,
        -- A spelling mapped to no channel (Connect TASK: work routed to agents) is no customer contact.
        nullif(channel_map.channel, '') is not null as is_customer_contact,
        latest.InitiationMethod as initiation_method,
        {{ utc_from_iso('latest.InitiationTimestamp') }} as initiated_at,
        {{ utc_from_iso('latest.DisconnectTimestamp') }} as disconnected_at,
        {{ utc_from_iso('latest.LastUpdateTimestamp') }} as last_updated_at,
        -- Older records have no DisconnectReason at all: null says "not known", never "transferred".
        latest.DisconnectReason as disconnect_reason,
        {{ utc_from_iso('latest.TransferCompletedTimestamp') }} as transfer_completed_at,
        json_extract_string(latest.TransferredToEndpoint, '$.Address') is not null
            or latest.TransferCompletedTimestamp is not null as is_transferred_by_agent_mark,
        csops_phone_key(json_extract_string(latest.CustomerEndpoint, '$.Address')) as customer_phone_key,
        json_extract_string(latest.Queue, '$.Name') as queue_name,
        {{ utc_from_iso("json_extract_string(latest.Queue, '$.EnqueueTimestamp')") }} as enqueued_at,
        {{ utc_from_iso("json_extract_string(latest.Queue, '$.DequeueTimestamp')") }} as dequeued_at,
        try_cast(json_extract(latest.Queue, '$.Duration') as integer) as queue_duration_seconds,
        -- Usernames are as the admin typed them; identity across systems is case-insensitive.
        nullif(lower(trim(json_extract_string(latest.Agent, '$.Username'))), '') as connect_agent_username,
        {{ utc_from_iso("json_extract_string(latest.Agent, '$.ConnectedToAgentTimestamp')") }} as connected_to_agent_at,
        try_cast(json_extract(latest.Agent, '$.AgentInteractionDuration') as integer) as agent_interaction_seconds,
        try_cast(json_extract(latest.Agent, '$.CustomerHoldDuration') as integer) as customer_hold_seconds,
        try_cast(json_extract(latest.Agent, '$.AfterContactWorkDuration') as integer) as after_contact_work_seconds,
        -- The contact flows' own attributes: which keys carry the issue category (as tickets have
        -- it), the agent's disposition and the IVR's outcome is each center's choice (dbt vars).
        {{ connect_attribute('latest.Attributes', 'issue_category') }} as issue_category,
        {{ connect_attribute('latest.Attributes', 'disposition') }} as disposition,
        {{ connect_attribute('latest.Attributes', 'ivr_outcome') }} as ivr_outcome,
        {{ connect_attribute('latest.Attributes', 'disposition') }}
            in {{ sql_list(var('connect_resolved_dispositions')) }} as is_resolved_disposition,
        coalesce({{ connect_attribute('latest.Attributes', 'ivr_outcome') }}
            in {{ sql_list(var('connect_self_service_outcomes')) }}, false) as is_ivr_self_service,
        latest._source_file,
        latest._source_line,
        latest._source_record,
        latest._landing_date
    from latest
    left join channel_map
        on latest.Channel = channel_map.source_channel
)

-- The caller's number stops here: only its keyed hash reaches later models.
select * from final
