with

all_segments as (
    select * from {{ ref('fct_queue_segments') }}
),

segments as (
    select * from all_segments
    where queue_name is not null
),

agent_states as (
    select * from {{ ref('int_agent_state_intervals') }}
),

targets as (
    -- The registry's service-level target (seeds/kpi_registry.csv), carried beside the rates.
    select {{ kpi_target('service_level_rate') }} as service_level_target
),

call_counts as (
    select queue_name, queue_date, {{ queue_call_counts() }}
    from segments
    group by all
),

call_metrics as (
    select *, {{ queue_call_rates() }}
    from call_counts
),

ivr_counts as (
    -- Calls that ended in the IVR belong to no queue: one '(ivr)' row a day carries them,
    -- so that summing any count over a day's rows never counts them twice.
    select
        '(ivr)' as queue_name,
        queue_date,
        count(*) filter (where queue_outcome = 'ivr_self_service') as ivr_self_service_calls,
        count(*) filter (where queue_outcome = 'ivr_closed') as ivr_closed_calls
    from all_segments
    where queue_outcome in ('ivr_self_service', 'ivr_closed')
    group by all
),

agent_state_coverage as (
    -- Outside the span the agent events cover, staffing and occupancy are unknown (null),
    -- not zero.
    select
        min(state_started_at) as covered_from_at,
        max(state_ended_at) as covered_until_at
    from agent_states
),

agent_state_seconds as (
    select
        staffed_queue_name as queue_name,
        state_date as queue_date,
        agent_state,
        is_handling,
        seconds_in_day
    from {{ ref('int_agent_state_days') }}
    where staffed_queue_name is not null
),

staffing as (
    select queue_name, queue_date, {{ agent_seconds_sums('seconds_in_day') }}
    from agent_state_seconds
    group by all
),

keyed as (
    select
        coalesce(call_metrics.queue_name, staffing.queue_name, ivr_counts.queue_name) as queue_name,
        coalesce(call_metrics.queue_date, staffing.queue_date, ivr_counts.queue_date) as queue_date,
        coalesce(ivr_counts.ivr_self_service_calls, 0) as ivr_self_service_calls,
        coalesce(ivr_counts.ivr_closed_calls, 0) as ivr_closed_calls,
        {{ queue_metric_columns('call_metrics') }},
        staffing.agent_staffed_seconds,
        staffing.agent_handling_seconds,
        staffing.agent_available_seconds
    from call_metrics
    full outer join staffing
        on call_metrics.queue_name = staffing.queue_name
        and call_metrics.queue_date = staffing.queue_date
    full outer join ivr_counts
        on coalesce(call_metrics.queue_name, staffing.queue_name) = ivr_counts.queue_name
        and coalesce(call_metrics.queue_date, staffing.queue_date) = ivr_counts.queue_date
),

measured as (
    select
        keyed.*,
        {{ utc_from_local('keyed.queue_date', var('reporting_timezone')) }} as day_started_at,
        {{ utc_from_local('keyed.queue_date + 1', var('reporting_timezone')) }} as day_ended_at,
        coalesce(
            -- The '(ivr)' row has no agents.
            keyed.queue_name != '(ivr)'
            and day_ended_at > coverage.covered_from_at
            and day_started_at < coverage.covered_until_at,
            false
        ) as has_agent_state_data
    from keyed
    cross join agent_state_coverage as coverage
),

rated as (
    select
        * exclude (
            day_started_at, day_ended_at, has_agent_state_data,
            agent_staffed_seconds, agent_handling_seconds, agent_available_seconds
        ),
        -- Time-weighted over the day's length (23 or 25 hours on the days the clocks change).
        {{ queue_staffing_columns('has_agent_state_data', 'epoch(day_ended_at - day_started_at)') }}
    from measured
),

final as (
    -- Erlang C needs an interval's load: required agents are in queue_interval_metrics.
    select
        rated.*,
        {{ var('sl_threshold_seconds') }}::integer as sl_threshold_seconds,
        {{ var('short_abandon_seconds') }}::integer as short_abandon_seconds,
        targets.service_level_target
    from rated
    cross join targets
)

select * from final
