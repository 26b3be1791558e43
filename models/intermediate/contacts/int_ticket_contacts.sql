-- A ticket is one customer contact (KPI_DEFINITIONS.md sections 1 and 3). How it went comes
-- from the ticket models, where each rule is written once: its lifecycle as known at the
-- as-of time (int_tickets_summarized: solves, reopens, the final solve, who opened it) and
-- its public agent replies (int_ticket_replies: not the opening message, not a bot, not a
-- trigger). Resolved on first contact needs: solved now, exactly one public agent reply,
-- never reopened.
with

tickets as (
    select * from {{ ref('stg_crm__tickets') }}
),

lifecycles as (
    select * from {{ ref('int_tickets_summarized') }}
),

replies as (
    select * from {{ ref('int_ticket_replies') }}
),

reply_counts as (
    select
        ticket_id,
        count(*) as public_agent_reply_count
    from replies
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
        lifecycles.status_at_as_of as ticket_status,
        -- Opened by an agent on the customer's behalf (outbound, proactive): not an inbound contact.
        lifecycles.is_agent_created,
        coalesce(reply_counts.public_agent_reply_count, 0) as public_agent_reply_count,
        lifecycles.solve_count,
        lifecycles.reopen_count,
        lifecycles.final_solved_at,
        lifecycles.is_solved
            and coalesce(reply_counts.public_agent_reply_count, 0) = 1
            and lifecycles.reopen_count = 0 as is_one_touch_resolution
    from tickets
    inner join lifecycles
        on tickets.ticket_id = lifecycles.ticket_id
    left join reply_counts
        on tickets.ticket_id = reply_counts.ticket_id
)

select * from final
