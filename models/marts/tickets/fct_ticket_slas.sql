-- Ticket SLAs (KPI_DEFINITIONS.md section 2), one row per ticket and SLA kind.
-- Which ticket state picks the policy and the schedule: the first response is owed by the
-- ticket as it was created (its first priority and group); agent work and full resolution
-- by the ticket as it stands at the as-of time (latest priority, latest group: after an
-- escalation, the team that solves it). A ticket whose group is not a team of the schedules
-- seed (or has no group) has no schedule: its business-hours figures are null, never guessed.
with

tickets as (
    select * from {{ ref('int_tickets_summarized') }}
),

status_intervals as (
    select * from {{ ref('int_ticket_status_intervals') }}
),

policies as (
    select * from {{ ref('sla_policies') }}
),

as_of as (
    select * from {{ ref('int_as_of') }}
),

clocks as (
    select
        tickets.ticket_id,
        'first_response' as sla_kind,
        tickets.created_priority as policy_priority,
        tickets.created_team_key as team_key,
        not tickets.is_agent_created as is_sla_applicable,
        -- Solved before any public reply: the first solve stops the reply clock, as Zendesk's
        -- SLAs do, and a reopen does not restart it (docs/kpis/ticket_slas.md). Only a reply
        -- that stopped the clock is credited to its agent and team.
        least(tickets.first_replied_at, tickets.first_solved_at) as completed_at,
        case when tickets.first_replied_at <= coalesce(tickets.first_solved_at, tickets.first_replied_at)
            then tickets.first_reply_agent_id end as credited_agent_id,
        case when tickets.first_replied_at <= coalesce(tickets.first_solved_at, tickets.first_replied_at)
            then tickets.first_reply_team_key end as credited_team_key
    from tickets

    union all

    select
        tickets.ticket_id,
        kind.sla_kind,
        tickets.ticket_priority as policy_priority,
        tickets.team_key,
        true as is_sla_applicable,
        tickets.final_solved_at as completed_at,
        tickets.final_solver_agent_id as credited_agent_id,
        tickets.final_solver_team_key as credited_team_key
    from tickets
    cross join (values ('agent_work'), ('full_resolution')) as kind (sla_kind)
),

clocks_measured as (
    select
        clocks.*,
        tickets.created_at as started_at,
        least(coalesce(clocks.completed_at, as_of.as_of_at), as_of.as_of_at) as measured_until_at
    from clocks
    inner join tickets
        on clocks.ticket_id = tickets.ticket_id
    cross join as_of
),

clock_starts as (
    {{ cumulative_open_minutes('clocks_measured', 'team_key', 'started_at') }}
),

clock_spans as (
    {{ cumulative_open_minutes('clock_starts', 'team_key', 'measured_until_at') }}
),

work_spans as (
    -- Agent work counts only `new` and `open` spells, each cut at the clock's end.
    select
        clocks_measured.ticket_id,
        clocks_measured.team_key,
        status_intervals.valid_from_at as span_start_at,
        least(
            coalesce(status_intervals.valid_to_at, clocks_measured.measured_until_at),
            clocks_measured.measured_until_at
        ) as span_end_at
    from clocks_measured
    inner join status_intervals
        on clocks_measured.ticket_id = status_intervals.ticket_id
        and status_intervals.is_agent_work_status
        and status_intervals.valid_from_at < clocks_measured.measured_until_at
    where clocks_measured.sla_kind = 'agent_work'
),

work_span_starts as (
    {{ cumulative_open_minutes('work_spans', 'team_key', 'span_start_at') }}
),

work_span_ends as (
    {{ cumulative_open_minutes('work_span_starts', 'team_key', 'span_end_at') }}
),

work_totals as (
    select
        ticket_id,
        'agent_work' as sla_kind,
        sum(date_diff('second', span_start_at, span_end_at)) / 60.0 as elapsed_calendar_minutes,
        sum(span_end_at_cumulative_open_minutes - span_start_at_cumulative_open_minutes) as elapsed_business_minutes
    from work_span_ends
    group by ticket_id
),

elapsed as (
    select
        clock_spans.*,
        case
            when clock_spans.sla_kind = 'agent_work' then coalesce(work_totals.elapsed_calendar_minutes, 0)
            else date_diff('second', clock_spans.started_at, clock_spans.measured_until_at) / 60.0
        end as elapsed_calendar_minutes,
        case
            when clock_spans.team_key is null then null
            when clock_spans.sla_kind = 'agent_work' then coalesce(work_totals.elapsed_business_minutes, 0)
            else clock_spans.measured_until_at_cumulative_open_minutes
                - clock_spans.started_at_cumulative_open_minutes
        end as elapsed_business_minutes
    from clock_spans
    left join work_totals
        on clock_spans.ticket_id = work_totals.ticket_id
        and clock_spans.sla_kind = work_totals.sla_kind
),

with_policy as (
    select
        elapsed.*,
        tickets.created_at,
        tickets.created_date,
        tickets.channel,
        policies.hours as policy_hours,
        case
            when not elapsed.is_sla_applicable or elapsed.sla_kind = 'full_resolution' then null
            when elapsed.sla_kind = 'first_response' then policies.first_response_target_min
            else policies.resolution_target_min
        end as target_minutes,
        case
            when not elapsed.is_sla_applicable then null
            when policies.hours = 'calendar' then elapsed.elapsed_calendar_minutes
            when policies.hours = 'business' then elapsed.elapsed_business_minutes
        end as elapsed_sla_minutes,
        elapsed.completed_at is not null and elapsed.completed_at <= as_of.as_of_at as is_completed,
        as_of.as_of_at
    from elapsed
    inner join tickets
        on elapsed.ticket_id = tickets.ticket_id
    cross join as_of
    left join policies
        on elapsed.policy_priority = policies.priority
        and tickets.channel = policies.channel
),

final as (
    select
        ticket_id,
        sla_kind,
        created_at,
        created_date,
        channel,
        policy_priority as ticket_priority,
        -- Null above means "no schedule" to the clock arithmetic; reported as the unknown team.
        {{ known_or_unknown('team_key') }} as team_key,
        policy_hours,
        is_sla_applicable,
        target_minutes,
        started_at,
        case when is_completed then completed_at end as completed_at,
        is_completed,
        elapsed_sla_minutes,
        elapsed_business_minutes,
        elapsed_calendar_minutes,
        case
            when not is_sla_applicable or sla_kind = 'full_resolution' then 'not_applicable'
            when target_minutes is null or elapsed_sla_minutes is null then null
            -- Inclusive threshold; an open clock already past its target is breached now.
            when elapsed_sla_minutes > target_minutes then 'breached'
            when is_completed then 'met'
            else 'in_flight'
        end as sla_status,
        case when is_completed and is_sla_applicable then credited_agent_id end as credited_agent_id,
        case when is_completed and is_sla_applicable then credited_team_key end as credited_team_key,
        as_of_at
    from with_policy
)

select * from final
