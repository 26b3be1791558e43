{#- Agents and teams (KPI_DEFINITIONS.md section 5): the columns of a people mart row
    (agent_performance_*, team_performance_*) from int_agent_days_counted's counts summed to
    the mart's grain. Every formula is the one its KPI's own marts use (queue_metrics,
    ticket_metrics, fcr_metrics, feedback_metrics): nothing is defined again. Counts are
    bigint, as a count of rows; staffed agents are time-weighted over `period_seconds`. -#}
{% macro people_performance_columns(period_seconds) -%}
    coalesce(handled_contact_count, 0)::bigint as handled_contact_count,
    coalesce(answered_calls, 0)::bigint as answered_calls,
    aht_seconds,
    coalesce(agent_transferred_calls, 0)::bigint as agent_transferred_calls,
    transfer_rate,
    agent_handling_seconds,
    agent_available_seconds,
    {{ queue_staffing_columns('agent_staffed_seconds is not null', period_seconds) }},
    coalesce(first_response_met_count, 0)::bigint as first_response_met_count,
    coalesce(first_response_breached_count, 0)::bigint as first_response_breached_count,
    {{ sla_compliance_rate('first_response_met_count', 'first_response_breached_count') }} as first_response_compliance_rate,
    coalesce(agent_work_met_count, 0)::bigint as agent_work_met_count,
    coalesce(agent_work_breached_count, 0)::bigint as agent_work_breached_count,
    {{ sla_compliance_rate('agent_work_met_count', 'agent_work_breached_count') }} as agent_work_compliance_rate,
    coalesce(solved_at_least_once_ticket_count, 0)::bigint as solved_at_least_once_ticket_count,
    coalesce(reopened_ticket_count, 0)::bigint as reopened_ticket_count,
    {{ reopen_rate('reopened_ticket_count', 'solved_at_least_once_ticket_count') }} as reopen_rate,
    coalesce(first_replied_ticket_count, 0)::bigint as first_replied_ticket_count,
    coalesce(escalated_ticket_count, 0)::bigint as escalated_ticket_count,
    {{ escalation_rate('escalated_ticket_count', 'first_replied_ticket_count') }} as escalation_rate,
    coalesce(fcr_eligible_contact_count, 0)::bigint as fcr_eligible_contact_count,
    {{ operational_fcr_rate('first_contact_resolved_count', 'fcr_eligible_contact_count') }} as operational_fcr_rate,
    coalesce(csat_response_count, 0)::bigint as csat_response_count,
    {{ csat_top2_columns() }}
{%- endmacro %}
