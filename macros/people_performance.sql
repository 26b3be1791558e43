{#- Agents and teams (KPI_DEFINITIONS.md section 5), per `grain` (`agent_id` or `team_key`)
    and period: contacts handled, calls answered and AHT, transfer rate, occupancy, SLA
    compliance of the tickets they own, reopen and escalation rates, operational FCR, CSAT
    with n. Every formula comes from the macro that defines it for the KPI's own marts
    (queue_metrics, ticket_metrics, fcr_metrics, feedback_metrics): nothing is defined again.
    An agent moved between teams counts in the team of the day of the activity.
    `period_expression` buckets an `activity_date` (reporting timezone) into `period_column`, of
    `period_seconds` (for staffed agents, time-weighted). -#}
{% macro people_performance(grain, period_expression, period_column, period_seconds) %}
{%- set contact_period = period_expression | replace('activity_date', 'contact_date') %}
with

agents as (
    select * from {{ ref('int_agents') }}
),

team_spells as (
    select * from {{ ref('int_agent_team_spells') }}
),

segments as (
    -- Calls each agent answered (inbound queue segments), in the team of that day.
    select
        segments.*,
        agents.agent_id,
        coalesce(team_spells.team_key, 'unknown') as team_key,
        {{ period_expression | replace('activity_date', 'segments.queue_date') }} as {{ period_column }}
    from {{ ref('fct_queue_segments') }} as segments
    inner join agents
        on segments.connect_agent_username = agents.agent_username
    left join team_spells
        on {{ on_agent_team_spell('team_spells', 'agents.agent_id', 'segments.queue_date') }}
),

calls as (
    {{ queue_metrics('segments', [grain, period_column]) }}
),

state_days as (
    -- Agents' time by reporting day (int_agent_state_days), in the team of that day.
    select
        agents.agent_id,
        states.agent_state,
        states.is_handling,
        states.seconds_in_day,
        states.state_date as activity_date
    from {{ ref('int_agent_state_days') }} as states
    inner join agents
        on states.connect_agent_username = agents.agent_username
),

state_pieces as (
    select
        state_days.*,
        coalesce(team_spells.team_key, 'unknown') as team_key,
        {{ period_expression }} as {{ period_column }}
    from state_days
    left join team_spells
        on {{ on_agent_team_spell('team_spells', 'state_days.agent_id', 'state_days.activity_date') }}
),

staffing as (
    {{ queue_agent_seconds('state_pieces', [grain, period_column], 'seconds_in_day') }}
),

handled as (
    select
        {{ grain }},
        {{ contact_period }} as {{ period_column }},
        count(*) as handled_contact_count
    from {{ ref('fct_contacts') }}
    where is_inbound and is_handled and agent_id is not null
    group by all
),

slas as (
    -- The SLAs of the tickets they own: credited to the agent who replied (first response)
    -- or solved (agent work), in their team of that day; by the ticket's creation date.
    select
        {{ 'credited_agent_id' if grain == 'agent_id' else "coalesce(credited_team_key, 'unknown')" }} as {{ grain }},
        {{ period_expression | replace('activity_date', 'created_date') }} as {{ period_column }},
        sla_kind,
        {{ sla_status_counts() }}
    from {{ ref('fct_ticket_slas') }}
    where sla_kind in ('first_response', 'agent_work') and is_sla_applicable and credited_agent_id is not null
    group by all
),

solved_tickets as (
    -- Reopens count against who solved it; escalations against who first replied.
    select
        {{ 'final_solver_agent_id' if grain == 'agent_id' else "coalesce(final_solver_team_key, 'unknown')" }} as {{ grain }},
        {{ period_expression | replace('activity_date', 'created_date') }} as {{ period_column }},
        count(*) filter (where solve_count > 0) as solved_at_least_once_ticket_count,
        count(*) filter (where is_reopened) as reopened_ticket_count
    from {{ ref('int_tickets_summarized') }}
    where final_solver_agent_id is not null
    group by all
),

replied_tickets as (
    select
        {{ 'first_reply_agent_id' if grain == 'agent_id' else "coalesce(first_reply_team_key, 'unknown')" }} as {{ grain }},
        {{ period_expression | replace('activity_date', 'created_date') }} as {{ period_column }},
        count(*) as first_replied_ticket_count,
        count(*) filter (where is_escalated) as escalated_ticket_count
    from {{ ref('int_tickets_summarized') }}
    where first_reply_agent_id is not null
    group by all
),

fcr as (
    {{ fcr_metrics([grain], contact_period, period_column) }}
),

feedback as (
    {{ feedback_metrics([grain], contact_period, period_column) }}
),

keys as (
    select {{ grain }}, {{ period_column }} from calls
    union select {{ grain }}, {{ period_column }} from staffing
    union select {{ grain }}, {{ period_column }} from handled
    union select {{ grain }}, {{ period_column }} from slas
    union select {{ grain }}, {{ period_column }} from solved_tickets
    union select {{ grain }}, {{ period_column }} from replied_tickets
    union select {{ grain }}, {{ period_column }} from fcr where inbound_contact_count > 0
),

final as (
    select
        keys.{{ period_column }},
        keys.{{ grain }},
        coalesce(handled.handled_contact_count, 0) as handled_contact_count,
        coalesce(calls.answered_calls, 0) as answered_calls,
        calls.aht_seconds,
        coalesce(calls.agent_transferred_calls, 0) as agent_transferred_calls,
        calls.transfer_rate,
        staffing.agent_handling_seconds,
        staffing.agent_available_seconds,
        {{ queue_staffing_columns('staffing.' ~ grain ~ ' is not null', period_seconds) }},
        coalesce(first_response.met_count, 0) as first_response_met_count,
        coalesce(first_response.breached_count, 0) as first_response_breached_count,
        {{ sla_compliance_rate('first_response.met_count', 'first_response.breached_count') }} as first_response_compliance_rate,
        coalesce(agent_work.met_count, 0) as agent_work_met_count,
        coalesce(agent_work.breached_count, 0) as agent_work_breached_count,
        {{ sla_compliance_rate('agent_work.met_count', 'agent_work.breached_count') }} as agent_work_compliance_rate,
        coalesce(solved_tickets.solved_at_least_once_ticket_count, 0) as solved_at_least_once_ticket_count,
        coalesce(solved_tickets.reopened_ticket_count, 0) as reopened_ticket_count,
        {{ reopen_rate('solved_tickets.reopened_ticket_count', 'solved_tickets.solved_at_least_once_ticket_count') }} as reopen_rate,
        coalesce(replied_tickets.first_replied_ticket_count, 0) as first_replied_ticket_count,
        coalesce(replied_tickets.escalated_ticket_count, 0) as escalated_ticket_count,
        {{ escalation_rate('replied_tickets.escalated_ticket_count', 'replied_tickets.first_replied_ticket_count') }} as escalation_rate,
        coalesce(fcr.fcr_eligible_contact_count, 0) as fcr_eligible_contact_count,
        fcr.operational_fcr_rate,
        coalesce(feedback.csat_response_count, 0) as csat_response_count,
        feedback.csat_top2_rate,
        feedback.csat_top2_rate_ci95_low,
        feedback.csat_top2_rate_ci95_high,
        coalesce(feedback.is_low_sample, true) as is_low_sample
    from keys
    left join calls using ({{ grain }}, {{ period_column }})
    left join staffing using ({{ grain }}, {{ period_column }})
    left join handled using ({{ grain }}, {{ period_column }})
    left join slas as first_response
        on first_response.{{ grain }} = keys.{{ grain }} and first_response.{{ period_column }} = keys.{{ period_column }}
        and first_response.sla_kind = 'first_response'
    left join slas as agent_work
        on agent_work.{{ grain }} = keys.{{ grain }} and agent_work.{{ period_column }} = keys.{{ period_column }}
        and agent_work.sla_kind = 'agent_work'
    left join solved_tickets using ({{ grain }}, {{ period_column }})
    left join replied_tickets using ({{ grain }}, {{ period_column }})
    left join fcr using ({{ grain }}, {{ period_column }})
    left join feedback using ({{ grain }}, {{ period_column }})
    where keys.{{ grain }} is not null
)

select * from final
{% endmacro %}
