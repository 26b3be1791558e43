{#- The queue metrics of KPI_DEFINITIONS.md section 1, written once for every grain
    (queue_interval_metrics: queue x interval; queue_daily_metrics: queue x reporting date, and
    again for the Erlang C AHT; queue_by_channel_week and queue_by_week for the overview; the
    people marts). Each mart groups its own rows and selects these expressions. -#}

{#- Aggregate select-expressions over fct_queue_segments rows (queue segments only): the call
    counts every queue mart groups by its own grain. service_level_calls and abandon_rate_calls
    are the n of the two rates: offered calls less short abandons and callbacks requested, and
    offered calls less short abandons. -#}
{% macro queue_call_counts() -%}
    count(*) filter (where is_offered) as offered_calls,
    count(*) filter (where is_offered and queue_outcome = 'answered') as answered_calls,
    count(*) filter (where is_offered and queue_outcome = 'abandoned') as abandoned_calls,
    count(*) filter (where is_offered and queue_outcome = 'short_abandon') as short_abandoned_calls,
    count(*) filter (where is_offered and queue_outcome = 'callback_requested') as callback_requested_calls,
    count(*) filter (where is_offered and queue_outcome = 'flow_transferred') as flow_transferred_calls,
    count(*) filter (
        where is_offered and queue_outcome not in ('short_abandon', 'callback_requested')
    ) as service_level_calls,
    count(*) filter (where is_offered and queue_outcome != 'short_abandon') as abandon_rate_calls,
    count(*) filter (where is_offered and is_answered_within_threshold) as answered_within_threshold_calls,
    count(*) filter (where is_offered and is_left_queue_within_threshold) as left_queue_within_threshold_calls,
    sum(queue_wait_seconds) filter (where is_offered and queue_outcome = 'answered') as answered_wait_seconds,
    sum(handle_seconds) filter (where is_offered) as handle_seconds,
    count(*) filter (where is_offered and is_transferred_by_agent) as agent_transferred_calls,
    count(*) filter (where initiation_method = 'CALLBACK' and queue_outcome = 'answered') as outbound_handled_calls,
    sum(handle_seconds) filter (where initiation_method = 'CALLBACK') as outbound_handle_seconds,
    quantile_cont(queue_wait_seconds, 0.9) filter (where is_offered)::double as p90_wait_seconds,
    max(queue_wait_seconds) filter (where is_offered) as longest_wait_seconds
{%- endmacro %}

{#- Select-expressions over a row of queue_call_counts: every call formula (service level,
    Connect service level, ASA, abandon rate, AHT, transfer rate, outbound AHT). -#}
{% macro queue_call_rates() -%}
    answered_within_threshold_calls / nullif(service_level_calls, 0) as service_level_rate,
    left_queue_within_threshold_calls / nullif(offered_calls, 0) as connect_service_level_rate,
    answered_wait_seconds / nullif(answered_calls, 0) as asa_seconds,
    abandoned_calls / nullif(abandon_rate_calls, 0) as abandon_rate,
    handle_seconds / nullif(answered_calls, 0) as aht_seconds,
    agent_transferred_calls / nullif(answered_calls, 0) as transfer_rate,
    outbound_handle_seconds / nullif(outbound_handled_calls, 0) as outbound_aht_seconds
{%- endmacro %}

{#- The call columns a queue mart publishes, from a `relation` of queue_call_counts and
    queue_call_rates (the sums of seconds behind the averages stay inside). Outer-joined to the
    staffing, a period with agents but no call has counts of 0 and null rates and waits. -#}
{% macro queue_metric_columns(relation) -%}
    coalesce({{ relation }}.offered_calls, 0) as offered_calls,
    coalesce({{ relation }}.answered_calls, 0) as answered_calls,
    coalesce({{ relation }}.abandoned_calls, 0) as abandoned_calls,
    coalesce({{ relation }}.short_abandoned_calls, 0) as short_abandoned_calls,
    coalesce({{ relation }}.callback_requested_calls, 0) as callback_requested_calls,
    coalesce({{ relation }}.flow_transferred_calls, 0) as flow_transferred_calls,
    coalesce({{ relation }}.service_level_calls, 0) as service_level_calls,
    coalesce({{ relation }}.abandon_rate_calls, 0) as abandon_rate_calls,
    coalesce({{ relation }}.answered_within_threshold_calls, 0) as answered_within_threshold_calls,
    coalesce({{ relation }}.left_queue_within_threshold_calls, 0) as left_queue_within_threshold_calls,
    {{ relation }}.service_level_rate,
    {{ relation }}.connect_service_level_rate,
    {{ relation }}.asa_seconds,
    {{ relation }}.abandon_rate,
    {{ relation }}.aht_seconds,
    coalesce({{ relation }}.agent_transferred_calls, 0) as agent_transferred_calls,
    {{ relation }}.transfer_rate,
    coalesce({{ relation }}.outbound_handled_calls, 0) as outbound_handled_calls,
    {{ relation }}.outbound_aht_seconds,
    {{ relation }}.p90_wait_seconds,
    {{ relation }}.longest_wait_seconds
{%- endmacro %}

{#- Aggregate select-expressions over agent-state pieces already cut at the period boundaries
    (agent_state, is_handling and the piece's length in `seconds_column`): agent-seconds staffed,
    handling and available. Breaks count as staffed, neither handling nor available. -#}
{% macro agent_seconds_sums(seconds_column) -%}
    sum({{ seconds_column }}) as agent_staffed_seconds,
    sum({{ seconds_column }}) filter (where is_handling) as agent_handling_seconds,
    sum({{ seconds_column }}) filter (where agent_state = 'AVAILABLE') as agent_available_seconds
{%- endmacro %}

{#- Occupancy and staffing of a mart row from its `agent_seconds_sums` columns: null where
    `has_agent_state_data` is false (outside the span the agent events cover), as a missing
    input is never 0; staffed agents are time-weighted over `period_seconds`. -#}
{% macro queue_staffing_columns(has_agent_state_data, period_seconds) -%}
    case when {{ has_agent_state_data }} then
        coalesce(agent_handling_seconds, 0)
        / nullif(coalesce(agent_handling_seconds, 0) + coalesce(agent_available_seconds, 0), 0)
    end as occupancy_rate,
    case when {{ has_agent_state_data }} then coalesce(agent_staffed_seconds, 0) end as agent_staffed_seconds,
    case when {{ has_agent_state_data }} then
        coalesce(agent_staffed_seconds, 0) / ({{ period_seconds }})
    end as staffed_agents
{%- endmacro %}
