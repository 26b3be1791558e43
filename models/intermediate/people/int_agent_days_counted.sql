-- The additive counts behind the agent and team marts (KPI_DEFINITIONS.md section 5), once:
-- one row per reporting date x agent x team of the day, which every people mart sums to its own
-- grain before it applies the formulas (macros/people_performance.sql). Each activity counts in
-- the team of its day: calls and agent states in the agent's team spell (int_agent_team_spells),
-- contacts and responses in the contact's team (fct_contacts), ticket SLAs, solves and replies
-- in the team credited with them. Contacts and responses no agent handled have a null agent: they
-- count for their team only. The counts are the area macros' own aggregates: nothing is defined again.
-- Calls and states are dated by when they happened, tickets by their creation, contacts and
-- responses by the contact's date.
{{ config(materialized='table') }}

with

agents as (
    select * from {{ ref('int_agents') }}
),

team_spells as (
    select * from {{ ref('int_agent_team_spells') }}
),

segments as (
    select * from {{ ref('fct_queue_segments') }}
),

state_days as (
    select * from {{ ref('int_agent_state_days') }}
),

contacts as (
    select contact_id, contact_date, agent_id, team_key, is_inbound, is_handled from {{ ref('fct_contacts') }}
),

resolutions as (
    select * from {{ ref('fct_contact_resolutions') }}
),

ticket_slas as (
    select * from {{ ref('fct_ticket_slas') }}
),

tickets as (
    select * from {{ ref('int_tickets_summarized') }}
),

responses as (
    select * from {{ ref('fct_survey_responses') }}
    where is_contact_matched
),

calls as (
    -- Calls each agent answered (inbound queue segments), in the team of that day.
    select
        segments.queue_date as activity_date,
        agents.agent_id,
        {{ known_or_unknown('team_spells.team_key') }} as team_key,
        {{ queue_call_counts() }}
    from segments
    inner join agents
        on segments.connect_agent_username = agents.agent_username
    left join team_spells
        on {{ on_agent_team_spell('team_spells', 'agents.agent_id', 'segments.queue_date') }}
    group by all
),

state_pieces as (
    select
        states.state_date as activity_date,
        agents.agent_id,
        {{ known_or_unknown('team_spells.team_key') }} as team_key,
        states.agent_state,
        states.is_handling,
        states.seconds_in_day
    from state_days as states
    inner join agents
        on states.connect_agent_username = agents.agent_username
    left join team_spells
        on {{ on_agent_team_spell('team_spells', 'agents.agent_id', 'states.state_date') }}
),

staffing as (
    select activity_date, agent_id, team_key, {{ agent_seconds_sums('seconds_in_day') }}
    from state_pieces
    group by all
),

handled as (
    select contact_date as activity_date, agent_id, team_key, count(*) as handled_contact_count
    from contacts
    where is_inbound and is_handled and agent_id is not null
    group by all
),

ticket_sla_counts as (
    -- The SLAs of the tickets they own: credited to the agent who replied (first response) or
    -- solved (agent work), in their team of that day; by the ticket's creation date.
    select
        created_date as activity_date,
        credited_agent_id as agent_id,
        {{ known_or_unknown('credited_team_key') }} as team_key,
        sla_kind,
        {{ sla_status_counts() }}
    from ticket_slas
    where sla_kind in ('first_response', 'agent_work') and is_sla_applicable and credited_agent_id is not null
    group by all
),

solved_tickets as (
    -- Reopens count against who solved the ticket; escalations (below) against who first replied.
    select
        created_date as activity_date,
        final_solver_agent_id as agent_id,
        {{ known_or_unknown('final_solver_team_key') }} as team_key,
        count(*) filter (where solve_count > 0) as solved_at_least_once_ticket_count,
        count(*) filter (where is_reopened) as reopened_ticket_count
    from tickets
    where final_solver_agent_id is not null
    group by all
),

replied_tickets as (
    select
        created_date as activity_date,
        first_reply_agent_id as agent_id,
        {{ known_or_unknown('first_reply_team_key') }} as team_key,
        count(*) as first_replied_ticket_count,
        count(*) filter (where is_escalated) as escalated_ticket_count
    from tickets
    where first_reply_agent_id is not null
    group by all
),

fcr as (
    -- fct_contact_resolutions holds the inbound contacts only.
    select
        contacts.contact_date as activity_date,
        contacts.agent_id,
        contacts.team_key,
        {{ operational_fcr_counts() }}
    from resolutions
    inner join contacts
        on resolutions.contact_id = contacts.contact_id
    group by all
),

feedback as (
    select contact_date as activity_date, agent_id, team_key, {{ csat_response_counts() }}
    from responses
    group by all
),

activities as (
    -- A mart has a row for a period where its agent or team had any of these activities; CSAT
    -- responses alone make none (has_activity false), as in the agent and team pages' lists.
    select *, true as has_activity from calls
    union all by name
    select *, true as has_activity from staffing
    union all by name
    select *, true as has_activity from handled
    {%- for sla_kind in ['first_response', 'agent_work'] %}
    union all by name
    select
        activity_date, agent_id, team_key, true as has_activity,
        met_count as {{ sla_kind }}_met_count,
        breached_count as {{ sla_kind }}_breached_count
    from ticket_sla_counts
    where sla_kind = '{{ sla_kind }}'
    {%- endfor %}
    union all by name
    select *, true as has_activity from solved_tickets
    union all by name
    select *, true as has_activity from replied_tickets
    union all by name
    select *, true as has_activity from fcr
    union all by name
    select *, false as has_activity from feedback
),

final as (
    select
        activity_date,
        agent_id,
        team_key,
        bool_or(has_activity) as has_activity,
        -- Every count and sum of seconds, added up over the activities of the day. The call
        -- counts' percentile and longest wait do not add up and are left out.
        sum(columns(* exclude (
            activity_date, agent_id, team_key, has_activity, p90_wait_seconds, longest_wait_seconds
        )))
    from activities
    group by all
)

select * from final
