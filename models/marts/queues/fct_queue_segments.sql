-- A fact at the grain of the queue process (one Connect segment), kept with the marts:
-- the queue KPI marts aggregate it, their counts reconcile to it (KPI_DEFINITIONS.md section 7),
-- and a manager can drill from an interval to its calls.
with

contact_records as (
    -- Customers' calls and chats; tasks routed to agents are no customer's wait (seeds/_seeds.yml).
    select * from {{ ref('stg_telephony__contact_records') }} where is_customer_contact is not false
),

successors as (
    -- How a segment was continued tells how it left the queue: Connect starts a CALLBACK
    -- segment for a callback request, a QUEUE_TRANSFER one when the flow moves the caller,
    -- a TRANSFER one when the agent transfers.
    select
        previous_contact_record_id as contact_record_id,
        bool_or(initiation_method = 'CALLBACK') as has_callback_successor,
        bool_or(initiation_method = 'QUEUE_TRANSFER') as has_flow_transfer_successor,
        bool_or(initiation_method = 'TRANSFER') as has_agent_transfer_successor
    from contact_records
    where previous_contact_record_id is not null
    group by all
),

timed as (
    select
        contact_records.*,
        coalesce(successors.has_callback_successor, false) as has_callback_successor,
        coalesce(successors.has_flow_transfer_successor, false) as has_flow_transfer_successor,
        coalesce(successors.has_agent_transfer_successor, false) as has_agent_transfer_successor,
        -- A caller who hung up may have no dequeue time: they left the queue when they hung up.
        coalesce(contact_records.dequeued_at, contact_records.disconnected_at) as left_queue_at
    from contact_records
    left join successors
        on contact_records.contact_record_id = successors.contact_record_id
),

classified as (
    select
        *,
        -- Whole seconds elapsed (date_sub counts complete seconds), so thresholds compare
        -- to the second as the contract says.
        date_sub('second', enqueued_at, left_queue_at) as queue_wait_seconds,
        case
            -- Only the flow's own mark counts as self-service; any other end in the IVR
            -- (closed-line message, a caller hanging up, an unmarked record) is not.
            when queue_name is null and initiation_method = 'INBOUND' and is_ivr_self_service then 'ivr_self_service'
            when queue_name is null and initiation_method = 'INBOUND' then 'ivr_closed'
            when queue_name is null then 'not_queued'
            when connected_to_agent_at is not null then 'answered'
            when has_callback_successor then 'callback_requested'
            when has_flow_transfer_successor or disconnect_reason = 'CONTACT_FLOW_DISCONNECT' then 'flow_transferred'
            when left_queue_at is null then 'in_queue'
            when date_sub('second', enqueued_at, left_queue_at) < {{ var('short_abandon_seconds') }} then 'short_abandon'
            else 'abandoned'
        end as queue_outcome
    from timed
),

final as (
    select
        contact_record_id,
        initial_contact_record_id,
        previous_contact_record_id,
        channel,
        initiation_method,
        queue_name,
        connect_agent_username,
        initiated_at,
        enqueued_at,
        dequeued_at,
        connected_to_agent_at,
        disconnected_at,
        queue_wait_seconds,
        queue_outcome,
        -- A callback is its own outbound contact: the queue offered the inbound call, not it.
        queue_name is not null and initiation_method in ('INBOUND', 'TRANSFER', 'QUEUE_TRANSFER') as is_offered,
        queue_outcome = 'answered' as is_answered,
        queue_outcome = 'answered' and queue_wait_seconds <= {{ var('sl_threshold_seconds') }} as is_answered_within_threshold,
        queue_outcome not in ('in_queue', 'ivr_self_service', 'ivr_closed', 'not_queued')
            and queue_wait_seconds <= {{ var('sl_threshold_seconds') }} as is_left_queue_within_threshold,
        agent_interaction_seconds as talk_seconds,
        customer_hold_seconds as hold_seconds,
        after_contact_work_seconds,
        case when queue_outcome = 'answered' then
            coalesce(agent_interaction_seconds, 0) + coalesce(customer_hold_seconds, 0)
            + coalesce(after_contact_work_seconds, 0)
        end as handle_seconds,
        -- Connect stamps TransferCompletedTimestamp (and TransferredToEndpoint) on a segment the
        -- agent transferred; the TRANSFER segment that follows says the same when it has arrived.
        -- (An empty DisconnectReason is no sign: older records have none at all.)
        queue_outcome = 'answered'
            and (has_agent_transfer_successor or coalesce(is_transferred_by_agent_mark, false))
            as is_transferred_by_agent,
        time_bucket(
            to_minutes({{ var('queue_interval_minutes') }}),
            coalesce(enqueued_at, initiated_at)
        ) as interval_start_at,
        {{ reporting_date('coalesce(enqueued_at, initiated_at)') }} as queue_date,
        {{ var('queue_interval_minutes') }}::integer as queue_interval_minutes,
        {{ var('sl_threshold_seconds') }}::integer as sl_threshold_seconds,
        {{ var('short_abandon_seconds') }}::integer as short_abandon_seconds
    from classified
)

select * from final
