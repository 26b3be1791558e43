-- Agent-state intervals cut at the reporting-day midnights they cross (23- and 25-hour days
-- included), so every daily figure of agents' time (the queues' staffing and occupancy, the
-- agents' and teams') adds the same seconds. Staffed states only: offline is not time at work.
{{ config(materialized='table') }}

with

states as (
    select * from {{ ref('int_agent_state_intervals') }}
    where is_staffed and state_ended_at > state_started_at
),

pieces as (
    select
        *,
        unnest(generate_series(
            {{ reporting_date('state_started_at') }},
            {{ reporting_date("state_ended_at - to_microseconds(1)") }},
            interval 1 day
        ))::date as state_date
    from states
),

bounded as (
    select
        *,
        {{ utc_from_local('state_date', var('reporting_timezone')) }} as day_started_at,
        {{ utc_from_local('state_date + 1', var('reporting_timezone')) }} as day_ended_at
    from pieces
),

final as (
    select
        agent_state_interval_id,
        connect_agent_username,
        staffed_queue_name,
        agent_state,
        is_handling,
        state_date,
        epoch(least(state_ended_at, day_ended_at) - greatest(state_started_at, day_started_at)) as seconds_in_day
    from bounded
)

select * from final
