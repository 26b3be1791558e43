-- A ticket is one customer contact (KPI_DEFINITIONS.md sections 1 and 3). How it went comes
-- from the ticket models, where each rule is written once: the public agent replies
-- (int_ticket_replies: not the opening message, not a bot, not a trigger), the solves and
-- reopens (int_ticket_status_intervals). Resolved on first contact needs: solved now,
-- exactly one public agent reply, never reopened.
-- Not read from int_tickets_summarized: that model stops at the as-of time, and int_as_of
-- reads the contacts built from this one (a cycle); a contact is the ticket as exported.
with

tickets as (
    select * from {{ ref('stg_crm__tickets') }}
),

replies as (
    select * from {{ ref('int_ticket_replies') }}
),

status_intervals as (
    select * from {{ ref('int_ticket_status_intervals') }}
),

agents as (
    select * from {{ ref('int_agents') }}
),

reply_counts as (
    select
        ticket_id,
        count(*) as public_agent_reply_count
    from replies
    group by ticket_id
),

status_summary as (
    select
        ticket_id,
        count(*) filter (where is_solve) as solve_count,
        count(*) filter (where is_reopen) as reopen_count,
        max(valid_from_at) filter (where is_solve) as last_solved_at
    from status_intervals
    group by ticket_id
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
        coalesce(reply_counts.public_agent_reply_count, 0) as public_agent_reply_count,
        coalesce(status_summary.solve_count, 0) as solve_count,
        coalesce(status_summary.reopen_count, 0) as reopen_count,
        -- The final solve counts only while the ticket is still solved (or closed).
        case when tickets.ticket_status in ('solved', 'closed') then status_summary.last_solved_at end as final_solved_at,
        tickets.ticket_status in ('solved', 'closed')
            and coalesce(reply_counts.public_agent_reply_count, 0) = 1
            and coalesce(status_summary.reopen_count, 0) = 0 as is_one_touch_resolution
    from tickets
    left join reply_counts
        on tickets.ticket_id = reply_counts.ticket_id
    left join status_summary
        on tickets.ticket_id = status_summary.ticket_id
    left join agents as submitters
        on tickets.crm_submitter_id = submitters.agent_id
)

select * from final
