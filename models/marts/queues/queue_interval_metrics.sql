{%- set interval_minutes = var('queue_interval_minutes') | int -%}
{%- if interval_minutes not in [15, 30, 60] -%}
    {{ exceptions.raise_compiler_error("queue_interval_minutes must be 15, 30 or 60, not " ~ interval_minutes) }}
{%- endif -%}

with

segments as (
    select * from {{ ref('fct_queue_segments') }}
    where queue_name is not null
),

agent_states as (
    select * from {{ ref('int_agent_state_intervals') }}
),

targets as (
    -- The service level Erlang C staffs for is the registry's target (seeds/kpi_registry.csv).
    select {{ kpi_target('service_level_rate') }} as service_level_target
),

call_counts as (
    select queue_name, interval_start_at, {{ queue_call_counts() }}
    from segments
    group by all
),

call_metrics as (
    select *, {{ queue_call_rates() }}
    from call_counts
),

day_call_metrics as (
    -- Erlang C takes the queue's AHT over the reporting day, not the interval's: an interval
    -- whose few callers all hung up still has a load, and a handful of calls is too few to
    -- size staff on.
    select *, {{ queue_call_rates() }}
    from (
        select queue_name, queue_date, {{ queue_call_counts() }}
        from segments
        group by all
    )
),

agent_state_coverage as (
    -- Outside the span the agent events cover, staffing and occupancy are unknown (null),
    -- not zero.
    select
        min(state_started_at) as covered_from_at,
        max(state_ended_at) as covered_until_at
    from agent_states
),

agent_state_pieces as (
    -- Each state interval cut at the interval boundaries it crosses: as many rows as
    -- intervals an agent is logged in, never one per minute.
    select
        staffed_queue_name as queue_name,
        agent_state,
        is_handling,
        state_started_at,
        state_ended_at,
        unnest(generate_series(
            time_bucket(to_minutes({{ interval_minutes }}), state_started_at),
            state_ended_at - to_microseconds(1),
            to_minutes({{ interval_minutes }})
        )) as interval_start_at
    from agent_states
    where is_staffed
        and staffed_queue_name is not null
        and state_ended_at > state_started_at
),

agent_state_seconds as (
    select
        queue_name,
        interval_start_at,
        agent_state,
        is_handling,
        epoch(
            least(state_ended_at, interval_start_at + to_minutes({{ interval_minutes }}))
            - greatest(state_started_at, interval_start_at)
        ) as seconds_in_interval
    from agent_state_pieces
),

staffing as (
    select queue_name, interval_start_at, {{ agent_seconds_sums('seconds_in_interval') }}
    from agent_state_seconds
    group by all
),

keyed as (
    select
        coalesce(call_metrics.queue_name, staffing.queue_name) as queue_name,
        coalesce(call_metrics.interval_start_at, staffing.interval_start_at) as interval_start_at,
        {{ queue_metric_columns('call_metrics') }},
        staffing.agent_staffed_seconds,
        staffing.agent_handling_seconds,
        staffing.agent_available_seconds
    from call_metrics
    full outer join staffing
        on call_metrics.queue_name = staffing.queue_name
        and call_metrics.interval_start_at = staffing.interval_start_at
),

measured as (
    select
        keyed.*,
        {{ reporting_date('keyed.interval_start_at') }} as interval_date,
        coalesce(
            keyed.interval_start_at + to_minutes({{ interval_minutes }}) > coverage.covered_from_at
            and keyed.interval_start_at < coverage.covered_until_at,
            false
        ) as has_agent_state_data
    from keyed
    cross join agent_state_coverage as coverage
),

rated as (
    select
        queue_name,
        interval_start_at,
        interval_date,
        * exclude (
            queue_name, interval_start_at, interval_date, has_agent_state_data,
            agent_staffed_seconds, agent_handling_seconds, agent_available_seconds
        ),
        {{ queue_staffing_columns('has_agent_state_data', interval_minutes ~ ' * 60') }}
    from measured
),

staffed_for as (
    select
        rated.*,
        day_call_metrics.aht_seconds as erlang_aht_seconds,
        rated.offered_calls * day_call_metrics.aht_seconds / ({{ interval_minutes }} * 60) as traffic_erlangs,
        -- No calls need no agents (a known 0, not a missing value); a day with no answered
        -- call leaves the AHT, so the load, unknown: null.
        case when rated.offered_calls = 0 then 0 else
            csops_erlang_c_agents(
                rated.offered_calls, day_call_metrics.aht_seconds, {{ interval_minutes }} * 60,
                targets.service_level_target, {{ var('sl_threshold_seconds') }}
            )
        end as required_agents,
        targets.service_level_target
    from rated
    cross join targets
    left join day_call_metrics
        on rated.queue_name = day_call_metrics.queue_name
        and rated.interval_date = day_call_metrics.queue_date
),

final as (
    select
        *,
        case when offered_calls > 0 then
            csops_erlang_c_service_level(
                required_agents, offered_calls, erlang_aht_seconds, {{ interval_minutes }} * 60,
                {{ var('sl_threshold_seconds') }}
            )
        end as required_agents_service_level_rate,
        {{ interval_minutes }}::integer as queue_interval_minutes,
        {{ var('sl_threshold_seconds') }}::integer as sl_threshold_seconds,
        -- Fewer agents logged in than Erlang C requires; unknown inputs are no evidence (false).
        coalesce(staffed_agents < required_agents, false) as is_understaffed,
        {{ var('short_abandon_seconds') }}::integer as short_abandon_seconds
    from staffed_for
)

select * from final
