{#- The queue metrics of KPI_DEFINITIONS.md section 1, written once for every grain
    (queue_interval_metrics: queue x interval; queue_daily_metrics: queue x reporting date;
    the Erlang C AHT: queue x reporting date again). -#}

{#- Call metrics of fct_queue_segments rows (`segments`, queue segments only), one row per
    `grain_columns`: the counts and every call formula (service level, Connect service level,
    ASA, abandon rate, AHT, transfer rate, outbound AHT, p90 and longest wait). -#}
{% macro queue_metrics(segments, grain_columns) %}
{%- set grain = grain_columns | join(', ') %}
    with

    counted as (
        select
            {{ grain }},
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
            quantile_cont(queue_wait_seconds, 0.9) filter (where is_offered)::double as p90_wait_seconds,
            max(queue_wait_seconds) filter (where is_offered) as longest_wait_seconds
        from {{ segments }}
        group by {{ grain }}
    )

    select
        {{ grain }},
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
        longest_wait_seconds
    from counted
{% endmacro %}

{#- The call columns of a mart row, from a `queue_metrics` relation outer-joined to the
    staffing: a period with agents but no call has counts of 0 and null rates and waits. -#}
{% macro queue_metric_columns(relation) -%}
    coalesce({{ relation }}.offered_calls, 0) as offered_calls,
    coalesce({{ relation }}.answered_calls, 0) as answered_calls,
    coalesce({{ relation }}.abandoned_calls, 0) as abandoned_calls,
    coalesce({{ relation }}.short_abandoned_calls, 0) as short_abandoned_calls,
    coalesce({{ relation }}.callback_requested_calls, 0) as callback_requested_calls,
    coalesce({{ relation }}.flow_transferred_calls, 0) as flow_transferred_calls,
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

{#- Agent-seconds per `grain_columns` from agent-state pieces already cut at the period
    boundaries (`state_pieces`: agent_state, is_handling and the piece's length in
    `seconds_column`). Breaks count as staffed, neither handling nor available. -#}
{% macro queue_agent_seconds(state_pieces, grain_columns, seconds_column) %}
{%- set grain = grain_columns | join(', ') %}
    select
        {{ grain }},
        sum({{ seconds_column }}) as agent_staffed_seconds,
        sum({{ seconds_column }}) filter (where is_handling) as agent_handling_seconds,
        sum({{ seconds_column }}) filter (where agent_state = 'AVAILABLE') as agent_available_seconds
    from {{ state_pieces }}
    group by {{ grain }}
{% endmacro %}

{#- Occupancy and staffing of a mart row from its `queue_agent_seconds` columns: null where
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
