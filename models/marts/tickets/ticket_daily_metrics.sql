-- Reopen and escalation rates (KPI_DEFINITIONS.md section 2), by the day a ticket was created
-- and the team it was created in (the team that escalates it, or whose solve did not hold).
with

tickets as (
    select * from {{ ref('int_tickets_summarized') }}
),

as_of as (
    select * from {{ ref('int_as_of') }}
),

aggregated as (
    select
        tickets.created_date,
        tickets.channel,
        {{ known_or_unknown('tickets.created_team_key') }} as team_key,
        count(*) as created_ticket_count,
        count(*) filter (where tickets.is_agent_created) as agent_created_ticket_count,
        count(*) filter (where tickets.solve_count > 0) as solved_at_least_once_ticket_count,
        count(*) filter (where tickets.is_solved) as solved_ticket_count,
        count(*) filter (where tickets.is_reopened) as reopened_ticket_count,
        count(*) filter (where tickets.is_escalated) as escalated_ticket_count
    from tickets
    group by all
),

final as (
    select
        aggregated.created_date,
        aggregated.channel,
        aggregated.team_key,
        aggregated.created_ticket_count,
        aggregated.agent_created_ticket_count,
        aggregated.solved_at_least_once_ticket_count,
        aggregated.solved_ticket_count,
        aggregated.reopened_ticket_count,
        aggregated.escalated_ticket_count,
        {{ reopen_rate('aggregated.reopened_ticket_count', 'aggregated.solved_at_least_once_ticket_count') }} as reopen_rate,
        {{ escalation_rate('aggregated.escalated_ticket_count', 'aggregated.created_ticket_count') }} as escalation_rate,
        as_of.as_of_at
    from aggregated
    cross join as_of
)

select * from final
