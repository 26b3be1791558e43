-- Calls and tickets side by side, in one shape: the contacts of every channel.
with

calls as (
    select * from {{ ref('int_call_contacts') }}
),

tickets as (
    select * from {{ ref('int_ticket_contacts') }}
),

unioned as (
    select
        contact_id,
        'telephony' as source_system,
        initial_contact_record_id as source_contact_ref,
        channel,
        created_at,
        ended_at,
        issue_category,
        true as is_inbound,
        is_handled,
        last_agent_username as agent_username,
        null::bigint as agent_id,
        null::bigint as crm_group_id,
        null::bigint as crm_requester_id,
        customer_phone_key,
        is_resolved_disposition as is_resolved_on_contact
    from calls
    union all
    select
        contact_id,
        'crm' as source_system,
        ticket_id::varchar as source_contact_ref,
        channel,
        created_at,
        final_solved_at as ended_at,
        issue_category,
        not is_agent_created as is_inbound,
        public_agent_reply_count > 0 or solve_count > 0 as is_handled,
        null as agent_username,
        crm_assignee_id as agent_id,
        crm_group_id,
        crm_requester_id,
        null as customer_phone_key,
        is_one_touch_resolution as is_resolved_on_contact
    from tickets
),

final as (
    select
        *,
        {{ reporting_date('created_at') }} as contact_date
    from unioned
)

select * from final
