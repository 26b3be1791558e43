-- A call's chain of records (transfers, callbacks) that entered a queue is one customer
-- contact (KPI_DEFINITIONS.md sections 1 and 3), dated, channelled and categorised by its first
-- record, handled by the agent of its last answered record, and resolved when that record
-- was wrapped with a resolved disposition (var connect_resolved_dispositions).
with

records as (
    -- A Connect TASK (work routed to agents) is no customer contact (seeds/_seeds.yml).
    select * from {{ ref('stg_telephony__contact_records') }} where is_customer_contact is not false
),

chains as (
    select
        initial_contact_record_id,
        arg_min(channel, initiated_at) as channel,
        arg_min(initiation_method, initiated_at) as first_initiation_method,
        min(initiated_at) as created_at,
        max(coalesce(disconnected_at, initiated_at)) as ended_at,
        arg_min(customer_phone_key, initiated_at) as customer_phone_key,
        arg_min(issue_category, initiated_at) as issue_category,
        count(*) as record_count,
        bool_or(queue_name is not null) as has_entered_queue,
        bool_or(connected_to_agent_at is not null) as is_handled,
        arg_max(connect_agent_username, connected_to_agent_at) as last_agent_username,
        arg_max(is_resolved_disposition, connected_to_agent_at) as is_last_handled_resolved
    from records
    group by initial_contact_record_id
),

final as (
    select
        'telephony:' || initial_contact_record_id as contact_id,
        initial_contact_record_id,
        channel,
        created_at,
        ended_at,
        customer_phone_key,
        issue_category,
        record_count,
        has_entered_queue,
        is_handled,
        last_agent_username,
        coalesce(is_last_handled_resolved, false) as is_resolved_disposition
    from chains
    -- Outbound calls and callbacks placed by the center are not customer contacts; a
    -- callback belongs to the chain of the call that asked for it. A call that ended in the
    -- IVR without entering a queue (self-service, the closed-line message, a hang-up in the
    -- menu) is no contact either: the contract's contact is "a call offered to a queue", and
    -- section 1 counts IVR-only calls apart (queue_daily_metrics' '(ivr)' row,
    -- reconciliation_contacts_daily.ivr_only_call_count), never as volume or an FCR repeat.
    where first_initiation_method = 'INBOUND'
        and has_entered_queue
)

select * from final
