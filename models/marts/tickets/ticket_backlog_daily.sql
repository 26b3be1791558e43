-- Backlog (KPI_DEFINITIONS.md section 2): tickets unsolved at the end of each day in the
-- reporting timezone; the as-of day ends at the as-of time. A ticket counts in the team of
-- its latest group, on every day of its life, so each team's backlog reconciles with its
-- created, solved and reopened counts.
with

tickets as (
    select * from {{ ref('int_tickets_summarized') }}
),

status_intervals as (
    select * from {{ ref('int_ticket_status_intervals') }}
),

as_of as (
    select * from {{ ref('int_as_of') }}
),

date_spine as (
    select
        cast(unnest(generate_series(
            min(tickets.created_date),
            {{ reporting_date('max(as_of.as_of_at)') }},
            interval 1 day
        )) as date) as backlog_date
    from tickets
    cross join as_of
),

days as (
    select
        date_spine.backlog_date,
        least(
            timezone('{{ var("reporting_timezone") }}', cast(date_spine.backlog_date + 1 as timestamp)) at time zone 'UTC',
            as_of.as_of_at
        ) as measured_at,
        -- Exclusive bound: a change at midnight belongs to the next day; on the as-of day,
        -- everything up to and including the as-of time is known.
        least(
            timezone('{{ var("reporting_timezone") }}', cast(date_spine.backlog_date + 1 as timestamp)) at time zone 'UTC',
            as_of.as_of_at + interval 1 microsecond
        ) as cutoff_at
    from date_spine
    cross join as_of
),

segments as (
    select distinct
        {{ known_or_unknown('team_key') }} as team_key,
        channel
    from tickets
),

unsolved_spells as (
    select
        status_intervals.ticket_id,
        status_intervals.valid_from_at,
        status_intervals.valid_to_at,
        tickets.created_at,
        {{ known_or_unknown('tickets.team_key') }} as team_key,
        tickets.channel
    from status_intervals
    inner join tickets
        on status_intervals.ticket_id = tickets.ticket_id
    where status_intervals.is_unsolved_status
),

backlog as (
    -- Day grain range join: a ticket is in the backlog of each day whose end falls in an unsolved spell.
    select
        days.backlog_date,
        unsolved_spells.team_key,
        unsolved_spells.channel,
        count(*) as backlog_ticket_count,
        quantile_cont(date_diff('second', unsolved_spells.created_at, days.measured_at) / 3600.0, 0.5)
            as backlog_age_p50_hours,
        quantile_cont(date_diff('second', unsolved_spells.created_at, days.measured_at) / 3600.0, 0.9)
            as backlog_age_p90_hours
    from days
    inner join unsolved_spells
        on unsolved_spells.valid_from_at < days.cutoff_at
        and (unsolved_spells.valid_to_at is null or unsolved_spells.valid_to_at >= days.cutoff_at)
    group by all
),

transitions as (
    select
        {{ reporting_date('status_intervals.valid_from_at') }} as backlog_date,
        {{ known_or_unknown('tickets.team_key') }} as team_key,
        tickets.channel,
        count(*) filter (where status_intervals.status_sequence = 1) as created_ticket_count,
        count(*) filter (where status_intervals.is_solve) as solve_count,
        count(*) filter (where status_intervals.is_reopen) as reopen_count
    from status_intervals
    inner join tickets
        on status_intervals.ticket_id = tickets.ticket_id
    cross join as_of
    where status_intervals.valid_from_at <= as_of.as_of_at
    group by all
),

final as (
    select
        days.backlog_date,
        segments.team_key,
        segments.channel,
        days.measured_at,
        coalesce(backlog.backlog_ticket_count, 0) as backlog_ticket_count,
        backlog.backlog_age_p50_hours,
        backlog.backlog_age_p90_hours,
        coalesce(transitions.created_ticket_count, 0) as created_ticket_count,
        coalesce(transitions.solve_count, 0) as solve_count,
        coalesce(transitions.reopen_count, 0) as reopen_count,
        '{{ var("reporting_timezone") }}' as reporting_timezone
    from days
    cross join segments
    left join backlog
        on days.backlog_date = backlog.backlog_date
        and segments.team_key = backlog.team_key
        and segments.channel = backlog.channel
    left join transitions
        on days.backlog_date = transitions.backlog_date
        and segments.team_key = transitions.team_key
        and segments.channel = transitions.channel
)

select * from final
