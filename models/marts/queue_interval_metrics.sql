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

queue_counts as (
    select
        queue_name,
        interval_start_at,
        count(*) filter (where is_offered) as offered_calls,
        count(*) filter (where is_offered and queue_outcome = 'answered') as answered_calls,
        count(*) filter (where is_offered and queue_outcome = 'abandoned') as abandoned_calls,
        count(*) filter (where is_offered and queue_outcome = 'short_abandon') as short_abandoned_calls,
        count(*) filter (where is_offered and queue_outcome = 'callback_requested') as callback_requested_calls,
        count(*) filter (where is_offered and queue_outcome = 'flow_transferred') as flow_transferred_calls,
        count(*) filter (where is_offered and is_answered_within_threshold) as answered_within_threshold_calls,
        count(*) filter (where is_offered and is_left_queue_within_threshold) as left_queue_within_threshold_calls,
        sum(queue_wait_seconds) filter (where is_offered and queue_outcome = 'answered') as answered_wait_seconds,
        sum(handle_seconds) filter (where is_offered) as handle_seconds,
        count(*) filter (where is_offered and is_transferred_by_agent) as agent_transferred_calls,
        count(*) filter (where initiation_method = 'CALLBACK' and queue_outcome = 'answered') as outbound_handled_calls,
        sum(handle_seconds) filter (where initiation_method = 'CALLBACK') as outbound_handle_seconds,
        quantile_cont(queue_wait_seconds, 0.9) filter (where is_offered) as p90_wait_seconds,
        max(queue_wait_seconds) filter (where is_offered) as longest_wait_seconds
    from segments
    group by all
),

day_handle_times as (
    -- Erlang C takes the queue's AHT over the reporting day, not the interval's: an interval
    -- whose few callers all hung up still has a load, and a handful of calls is too few to
    -- size staff on.
    select
        queue_name,
        queue_date as interval_date,
        sum(handle_seconds) filter (where is_offered) / nullif(count(*) filter (where is_offered and is_answered), 0)
            as erlang_aht_seconds
    from segments
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
        sum(epoch(
            least(state_ended_at, interval_start_at + to_minutes({{ interval_minutes }}))
            - greatest(state_started_at, interval_start_at)
        )) as seconds_in_interval,
        agent_state,
        is_handling
    from agent_state_pieces
    group by all
),

staffing as (
    select
        queue_name,
        interval_start_at,
        sum(seconds_in_interval) as agent_staffed_seconds,
        sum(seconds_in_interval) filter (where is_handling) as agent_handling_seconds,
        sum(seconds_in_interval) filter (where agent_state = 'AVAILABLE') as agent_available_seconds
    from agent_state_seconds
    group by all
),

keyed as (
    select
        coalesce(queue_counts.queue_name, staffing.queue_name) as queue_name,
        coalesce(queue_counts.interval_start_at, staffing.interval_start_at) as interval_start_at,
        queue_counts.* exclude (queue_name, interval_start_at),
        staffing.* exclude (queue_name, interval_start_at)
    from queue_counts
    full outer join staffing
        on queue_counts.queue_name = staffing.queue_name
        and queue_counts.interval_start_at = staffing.interval_start_at
),

measured as (
    select
        keyed.queue_name,
        keyed.interval_start_at,
        {{ reporting_date('keyed.interval_start_at') }} as interval_date,
        coalesce(keyed.offered_calls, 0) as offered_calls,
        coalesce(keyed.answered_calls, 0) as answered_calls,
        coalesce(keyed.abandoned_calls, 0) as abandoned_calls,
        coalesce(keyed.short_abandoned_calls, 0) as short_abandoned_calls,
        coalesce(keyed.callback_requested_calls, 0) as callback_requested_calls,
        coalesce(keyed.flow_transferred_calls, 0) as flow_transferred_calls,
        coalesce(keyed.answered_within_threshold_calls, 0) as answered_within_threshold_calls,
        coalesce(keyed.left_queue_within_threshold_calls, 0) as left_queue_within_threshold_calls,
        coalesce(keyed.agent_transferred_calls, 0) as agent_transferred_calls,
        coalesce(keyed.outbound_handled_calls, 0) as outbound_handled_calls,
        keyed.answered_wait_seconds,
        keyed.handle_seconds,
        keyed.outbound_handle_seconds,
        keyed.p90_wait_seconds::double as p90_wait_seconds,
        keyed.longest_wait_seconds,
        coalesce(
            keyed.interval_start_at + to_minutes({{ interval_minutes }}) > coverage.covered_from_at
            and keyed.interval_start_at < coverage.covered_until_at,
            false
        ) as has_agent_state_data,
        keyed.agent_staffed_seconds,
        keyed.agent_handling_seconds,
        keyed.agent_available_seconds
    from keyed
    cross join agent_state_coverage as coverage
),

rated as (
    select
        queue_name,
        interval_start_at,
        interval_date,
        offered_calls,
        answered_calls,
        abandoned_calls,
        short_abandoned_calls,
        callback_requested_calls,
        flow_transferred_calls,
        answered_within_threshold_calls,
        left_queue_within_threshold_calls,
        answered_within_threshold_calls
            / nullif(offered_calls - short_abandoned_calls - callback_requested_calls, 0) as service_level_rate,
        left_queue_within_threshold_calls / nullif(offered_calls, 0) as connect_service_level_rate,
        answered_wait_seconds / nullif(answered_calls, 0) as asa_seconds,
        abandoned_calls / nullif(offered_calls - short_abandoned_calls, 0) as abandon_rate,
        handle_seconds / nullif(answered_calls, 0) as aht_seconds,
        agent_transferred_calls,
        agent_transferred_calls / nullif(answered_calls, 0) as transfer_rate,
        outbound_handled_calls,
        outbound_handle_seconds / nullif(outbound_handled_calls, 0) as outbound_aht_seconds,
        p90_wait_seconds,
        longest_wait_seconds,
        case when has_agent_state_data then
            coalesce(agent_handling_seconds, 0)
            / nullif(coalesce(agent_handling_seconds, 0) + coalesce(agent_available_seconds, 0), 0)
        end as occupancy_rate,
        case when has_agent_state_data then coalesce(agent_staffed_seconds, 0) end as agent_staffed_seconds,
        case when has_agent_state_data then
            coalesce(agent_staffed_seconds, 0) / ({{ interval_minutes }} * 60)
        end as staffed_agents
    from measured
),

staffed_for as (
    select
        rated.*,
        day_handle_times.erlang_aht_seconds,
        rated.offered_calls * day_handle_times.erlang_aht_seconds / ({{ interval_minutes }} * 60) as traffic_erlangs,
        -- No calls need no agents (a known 0, not a missing value); a day with no answered
        -- call leaves the AHT, so the load, unknown: null.
        case when rated.offered_calls = 0 then 0 else
            csops_erlang_c_agents(
                rated.offered_calls, day_handle_times.erlang_aht_seconds, {{ interval_minutes }} * 60,
                {{ var('service_level_target') }}, {{ var('sl_threshold_seconds') }}
            )
        end as required_agents
    from rated
    left join day_handle_times
        on rated.queue_name = day_handle_times.queue_name
        and rated.interval_date = day_handle_times.interval_date
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
        {{ var('short_abandon_seconds') }}::integer as short_abandon_seconds,
        {{ var('service_level_target') }}::double as service_level_target
    from staffed_for
)

select * from final
