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
        channel_map.channel,
        latest.InitiationMethod as initiation_method,
        {{ utc_from_iso('latest.InitiationTimestamp') }} as initiated_at,
        {{ utc_from_iso('latest.DisconnectTimestamp') }} as disconnected_at,
        {{ utc_from_iso('latest.LastUpdateTimestamp') }} as last_updated_at,
        latest.DisconnectReason as disconnect_reason,
        csops_phone_key(json_extract_string(latest.CustomerEndpoint, '$.Address')) as customer_phone_key,
        json_extract_string(latest.Queue, '$.Name') as queue_name,
        {{ utc_from_iso("json_extract_string(latest.Queue, '$.EnqueueTimestamp')") }} as enqueued_at,
        {{ utc_from_iso("json_extract_string(latest.Queue, '$.DequeueTimestamp')") }} as dequeued_at,
        try_cast(json_extract(latest.Queue, '$.Duration') as integer) as queue_duration_seconds,
        json_extract_string(latest.Agent, '$.Username') as connect_agent_username,
        {{ utc_from_iso("json_extract_string(latest.Agent, '$.ConnectedToAgentTimestamp')") }} as connected_to_agent_at,
        try_cast(json_extract(latest.Agent, '$.AgentInteractionDuration') as integer) as agent_interaction_seconds,
        try_cast(json_extract(latest.Agent, '$.CustomerHoldDuration') as integer) as customer_hold_seconds,
        try_cast(json_extract(latest.Agent, '$.AfterContactWorkDuration') as integer) as after_contact_work_seconds,
        -- The IVR asks what the call is about: the issue category, as tickets have it.
        json_extract_string(latest.Attributes, '$.ivr_intent') as issue_category,
        json_extract_string(latest.Attributes, '$.disposition') as disposition,
        json_extract_string(latest.Attributes, '$.ivr_outcome') as ivr_outcome,
        latest._source_file,
        latest._landing_date
    from latest
    left join channel_map
        on latest.Channel = channel_map.source_channel
)

-- The caller's number stops here: only its keyed hash reaches later models.
select * from final
