-- Every business-minute figure reads this table through the cumulative_open_minutes macro:
-- minutes between two moments = cumulative(t2) - cumulative(t1), a lookup per moment
-- instead of a walk over the days in between.
{{ config(materialized='table') }}

with

team_schedules as (
    select * from {{ ref('team_schedules') }}
),

holidays as (
    select * from {{ ref('int_holidays') }}
),

tickets as (
    select * from {{ ref('stg_crm__tickets') }}
),

as_of as (
    select * from {{ ref('int_as_of') }}
),

date_bounds as (
    -- A margin either side: a schedule's local date can be a day off its UTC date.
    select
        cast(min(tickets.created_at) as date) - 2 as first_date,
        cast(greatest(max(tickets.updated_at), max(as_of.as_of_at)) as date) + 2 as last_date
    from tickets
    cross join as_of
),

date_spine as (
    select cast(unnest(generate_series(first_date, last_date, interval 1 day)) as date) as local_date
    from date_bounds
),

open_days as (
    select
        team_schedules.team_key,
        team_schedules.team_name,
        team_schedules.timezone as schedule_timezone,
        date_spine.local_date,
        date_spine.local_date + cast(team_schedules.opens_at as time) as opens_at_local,
        date_spine.local_date + cast(team_schedules.closes_at as time) as closes_at_local
    from team_schedules
    inner join date_spine
        on isodow(date_spine.local_date) - 1 = team_schedules.weekday
    -- The team's own holidays: its country's public ones, as the team_holidays seed amends them.
    left join holidays
        on team_schedules.team_key = holidays.team_key
        and date_spine.local_date = holidays.holiday_date
    where holidays.holiday_date is null
),

intervals as (
    -- Local wall-clock times become UTC per date, so a DST switch moves the UTC opening.
    select
        team_key,
        team_name,
        schedule_timezone,
        local_date,
        opens_at_local,
        closes_at_local,
        timezone(schedule_timezone, opens_at_local) at time zone 'UTC' as opens_at,
        timezone(schedule_timezone, closes_at_local) at time zone 'UTC' as closes_at
    from open_days
),

final as (
    select
        *,
        date_diff('second', opens_at, closes_at) as open_seconds,
        cast(coalesce(
            sum(date_diff('second', opens_at, closes_at)) over (
                partition by team_key
                order by opens_at
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as bigint) as cumulative_open_seconds_before
    from intervals
)

select * from final
