-- A ticket is one customer contact (KPI_DEFINITIONS.md sections 1 and 3). Its audit log
-- says how it went: how many public replies agents wrote (bots and triggers are not agents),
-- whether it was solved, reopened after a solve, and when it was solved for the last time.
-- Resolved on first contact needs: solved now, exactly one public agent reply, never reopened.
with

tickets as (
    select * from {{ ref('stg_crm__tickets') }}
),

audits as (
    select * from {{ ref('stg_crm__ticket_audits') }}
),

agents as (
    select agent_id from {{ ref('dim_agents') }}
),

events as (
    select
        audits.ticket_id,
        audits.created_at,
        audits.via_channel,
        unnest(from_json(audits.audit_events_json, '["json"]')) as event
    from audits
),

typed_events as (
    select
        ticket_id,
        created_at,
        via_channel,
        json_extract_string(event, '$.type') as event_type,
        json_extract_string(event, '$.field_name') as field_name,
        json_extract_string(event, '$.value') as new_value,
        json_extract_string(event, '$.previous_value') as previous_value,
        try_cast(json_extract(event, '$.public') as boolean) as is_public,
        try_cast(json_extract(event, '$.author_id') as bigint) as comment_author_id
    from events
),

lifecycle as (
    select
        typed_events.ticket_id,
        count(*) filter (
            where typed_events.event_type = 'Comment' and typed_events.is_public
                and typed_events.via_channel <> 'rule' and agents.agent_id is not null
        ) as public_agent_reply_count,
        count(*) filter (where typed_events.field_name = 'status' and typed_events.new_value = 'solved') as solve_count,
        count(*) filter (
            where typed_events.field_name = 'status' and typed_events.previous_value in ('solved', 'closed')
                and typed_events.new_value in ('new', 'open', 'pending', 'hold')
        ) as reopen_count,
        max(typed_events.created_at) filter (
            where typed_events.field_name = 'status' and typed_events.new_value = 'solved'
        ) as final_solved_at
    from typed_events
    left join agents
        on typed_events.comment_author_id = agents.agent_id
    group by typed_events.ticket_id
),

final as (
    select
        'crm:' || tickets.ticket_id as contact_id,
        tickets.ticket_id,
        tickets.channel,
        tickets.created_at,
        tickets.issue_category,
        tickets.crm_requester_id,
        tickets.crm_assignee_id,
        tickets.crm_group_id,
        tickets.ticket_status,
        -- Opened by an agent on the customer's behalf (outbound, proactive): not an inbound contact.
        submitters.agent_id is not null as is_agent_created,
        coalesce(lifecycle.public_agent_reply_count, 0) as public_agent_reply_count,
        coalesce(lifecycle.solve_count, 0) as solve_count,
        coalesce(lifecycle.reopen_count, 0) as reopen_count,
        case when tickets.ticket_status in ('solved', 'closed') then lifecycle.final_solved_at end as final_solved_at,
        tickets.ticket_status in ('solved', 'closed')
            and coalesce(lifecycle.public_agent_reply_count, 0) = 1
            and coalesce(lifecycle.reopen_count, 0) = 0 as is_one_touch_resolution
    from tickets
    left join lifecycle
        on tickets.ticket_id = lifecycle.ticket_id
    left join agents as submitters
        on tickets.crm_submitter_id = submitters.agent_id
)

select * from final
