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

queue_counts as (
    select
        queue_name,
        queue_date,
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

ivr_counts as (
    -- Calls that ended in the IVR belong to no queue: one '(ivr)' row a day carries them,
    -- so that summing any count over a day's rows never counts them twice.
    select
        '(ivr)' as queue_name,
        queue_date,
        count(*) as ivr_self_service_calls
    from all_segments
    where queue_outcome = 'ivr_self_service'
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
    -- Each state interval cut at the reporting-day midnights it crosses: as many rows as
    -- days an agent is logged in.
    select
        staffed_queue_name as queue_name,
        agent_state,
        is_handling,
        state_started_at,
        state_ended_at,
        unnest(generate_series(
            {{ reporting_date('state_started_at') }},
            {{ reporting_date("state_ended_at - to_microseconds(1)") }},
            interval 1 day
        ))::date as queue_date
    from agent_states
    where is_staffed
        and staffed_queue_name is not null
        and state_ended_at > state_started_at
),

agent_state_days as (
    select
        *,
        {{ utc_from_local('queue_date', var('reporting_timezone')) }} as day_started_at,
        {{ utc_from_local('queue_date + 1', var('reporting_timezone')) }} as day_ended_at
    from agent_state_pieces
),

agent_state_seconds as (
    select
        queue_name,
        queue_date,
        sum(epoch(least(state_ended_at, day_ended_at) - greatest(state_started_at, day_started_at))) as seconds_in_day,
        agent_state,
        is_handling
    from agent_state_days
    group by all
),

staffing as (
    select
        queue_name,
        queue_date,
        sum(seconds_in_day) as agent_staffed_seconds,
        sum(seconds_in_day) filter (where is_handling) as agent_handling_seconds,
        sum(seconds_in_day) filter (where agent_state = 'AVAILABLE') as agent_available_seconds
    from agent_state_seconds
    group by all
),

keyed as (
    select
        coalesce(queue_counts.queue_name, staffing.queue_name, ivr_counts.queue_name) as queue_name,
        coalesce(queue_counts.queue_date, staffing.queue_date, ivr_counts.queue_date) as queue_date,
        queue_counts.* exclude (queue_name, queue_date),
        staffing.* exclude (queue_name, queue_date),
        ivr_counts.ivr_self_service_calls
    from queue_counts
    full outer join staffing
        on queue_counts.queue_name = staffing.queue_name
        and queue_counts.queue_date = staffing.queue_date
    full outer join ivr_counts
        on coalesce(queue_counts.queue_name, staffing.queue_name) = ivr_counts.queue_name
        and coalesce(queue_counts.queue_date, staffing.queue_date) = ivr_counts.queue_date
),

measured as (
    select
        keyed.queue_name,
        keyed.queue_date,
        {{ utc_from_local('keyed.queue_date', var('reporting_timezone')) }} as day_started_at,
        {{ utc_from_local('keyed.queue_date + 1', var('reporting_timezone')) }} as day_ended_at,
        coalesce(keyed.ivr_self_service_calls, 0) as ivr_self_service_calls,
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
            -- The '(ivr)' row has no agents.
            keyed.queue_name != '(ivr)'
            and day_ended_at > coverage.covered_from_at
            and day_started_at < coverage.covered_until_at,
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
        queue_date,
        ivr_self_service_calls,
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
        -- Time-weighted: agent-seconds logged in over the day's length (23 or 25 hours on
        -- the days the clocks change).
        case when has_agent_state_data then
            coalesce(agent_staffed_seconds, 0) / epoch(day_ended_at - day_started_at)
        end as staffed_agents
    from measured
),

final as (
    -- Erlang C needs an interval's load: required agents are in queue_interval_metrics.
    select
        *,
        {{ var('sl_threshold_seconds') }}::integer as sl_threshold_seconds,
        {{ var('short_abandon_seconds') }}::integer as short_abandon_seconds,
        {{ var('service_level_target') }}::double as service_level_target
    from rated
)

select * from final
