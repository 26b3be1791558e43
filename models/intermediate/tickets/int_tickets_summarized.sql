-- A ticket's lifecycle as it stood at the as-of time (int_as_of): events after it are not
-- known yet, so a replayed history with an earlier as-of gives the numbers of that moment.
-- Only the tickets every ticket KPI counts: a ticket deleted at the as-of time (a restored
-- one counts, as restored) and one the channel_map seed says is no customer contact
-- (Zendesk's sample tickets, side conversations' child tickets) are left out here, once, so
-- they leave every mart; they stay in staging (stg_crm__tickets: `is_deleted`,
-- `is_customer_contact`) and in the audit models, where an auditor finds them.
-- Zendesk leaves priority null on most tickets: it is `none` here, the sla_policies seed's
-- row for a ticket without one.
{{ config(materialized='table') }}

with

tickets as (
    select * from {{ ref('stg_crm__tickets') }}
),

audit_events as (
    select * from {{ ref('int_ticket_audit_events') }}
),

status_intervals as (
    select * from {{ ref('int_ticket_status_intervals') }}
),

replies as (
    select * from {{ ref('int_ticket_replies') }}
),

user_roles as (
    select * from {{ ref('int_user_role_versions') }}
),

group_teams as (
    select * from {{ ref('int_group_teams') }}
),

agent_team_spells as (
    select * from {{ ref('int_agent_team_spells') }}
),

as_of as (
    select * from {{ ref('int_as_of') }}
),

known_events as (
    select audit_events.*
    from audit_events
    cross join as_of
    where audit_events.created_at <= as_of.as_of_at
),

field_history as (
    select
        ticket_id,
        -- A priority event with a null value is a ticket without priority (`none`), not a missing event.
        max(coalesce(field_value, 'none')) filter (where event_type = 'Create' and field_name = 'priority')
            as created_priority,
        -- Without a Create event for it, the priority a ticket was created with is what its first change replaced.
        arg_min(coalesce(previous_field_value, 'none'), (created_at, audit_event_id))
            filter (where event_type = 'Change' and field_name = 'priority') as priority_before_first_change,
        arg_max(coalesce(field_value, 'none'), (created_at, audit_event_id)) filter (where field_name = 'priority')
            as latest_priority,
        max(field_value) filter (where event_type = 'Create' and field_name = 'group_id') as created_group_id,
        arg_max(field_value, (created_at, audit_event_id)) filter (where field_name = 'group_id') as latest_group_id,
        arg_max(crm_author_id, (created_at, audit_event_id))
            filter (where field_name = 'status' and field_value = 'solved') as last_solver_agent_id
    from known_events
    group by ticket_id
),

escalations as (
    -- Escalated: moved to a group of another team (tier 2, billing) after it was created.
    select
        known_events.ticket_id,
        min(known_events.created_at) as escalated_at
    from known_events
    inner join field_history
        on known_events.ticket_id = field_history.ticket_id
    left join group_teams as to_team
        on try_cast(known_events.field_value as bigint) = to_team.crm_group_id
    left join group_teams as from_team
        on try_cast(field_history.created_group_id as bigint) = from_team.crm_group_id
    where known_events.event_type = 'Change'
        and known_events.field_name = 'group_id'
        and known_events.field_value is distinct from field_history.created_group_id
        and to_team.team_key is distinct from from_team.team_key
    group by known_events.ticket_id
),

status_summary as (
    select
        status_intervals.ticket_id,
        count(*) filter (where status_intervals.is_solve) as solve_count,
        count(*) filter (where status_intervals.is_reopen) as reopen_count,
        min(status_intervals.valid_from_at) filter (where status_intervals.is_solve) as first_solved_at,
        max(status_intervals.valid_from_at) filter (where status_intervals.is_solve) as last_solved_at,
        arg_max(status_intervals.ticket_status, status_intervals.status_sequence) as status_at_as_of,
        max(status_intervals.valid_from_at) as last_status_changed_at
    from status_intervals
    cross join as_of
    where status_intervals.valid_from_at <= as_of.as_of_at
    group by status_intervals.ticket_id
),

first_replies as (
    select replies.*
    from replies
    cross join as_of
    where replies.replied_at <= as_of.as_of_at
    qualify row_number() over (partition by replies.ticket_id order by replies.reply_sequence) = 1
),

joined as (
    select
        tickets.ticket_id,
        tickets.created_at,
        {{ reporting_date('tickets.created_at') }} as created_date,
        tickets.channel,
        coalesce(field_history.created_priority, field_history.priority_before_first_change, tickets.ticket_priority,
                 'none') as created_priority,
        coalesce(field_history.latest_priority, tickets.ticket_priority, 'none') as ticket_priority,
        coalesce(try_cast(field_history.created_group_id as bigint), tickets.crm_group_id) as created_crm_group_id,
        coalesce(try_cast(field_history.latest_group_id as bigint), tickets.crm_group_id) as crm_group_id,
        tickets.crm_submitter_id,
        coalesce(status_summary.status_at_as_of, tickets.ticket_status) as status_at_as_of,
        -- Deleted at the as-of time: by the latest word on it, the exported ticket when it is newer
        -- than its last status audit (Zendesk may not hand over a deleted ticket's audits), else the
        -- audit trail.
        case
            when tickets.updated_at <= as_of.as_of_at
                and (status_summary.last_status_changed_at is null
                     or tickets.updated_at > status_summary.last_status_changed_at)
                then tickets.is_deleted
            else coalesce(status_summary.status_at_as_of = 'deleted', tickets.is_deleted)
        end as is_deleted,
        tickets.is_customer_contact,
        coalesce(status_summary.solve_count, 0) as solve_count,
        coalesce(status_summary.reopen_count, 0) as reopen_count,
        status_summary.first_solved_at,
        -- The final solve counts only while the ticket is still solved (or closed) at the as-of time.
        case
            when coalesce(status_summary.status_at_as_of, tickets.ticket_status) in ('solved', 'closed')
                then status_summary.last_solved_at
        end as final_solved_at,
        case
            when coalesce(status_summary.status_at_as_of, tickets.ticket_status) in ('solved', 'closed')
                then field_history.last_solver_agent_id
        end as final_solver_agent_id,
        escalations.escalated_at,
        first_replies.replied_at as first_replied_at,
        first_replies.crm_agent_id as first_reply_agent_id,
        first_replies.credited_team_key as first_reply_team_key
    from tickets
    cross join as_of
    left join field_history
        on tickets.ticket_id = field_history.ticket_id
    left join status_summary
        on tickets.ticket_id = status_summary.ticket_id
    left join escalations
        on tickets.ticket_id = escalations.ticket_id
    left join first_replies
        on tickets.ticket_id = first_replies.ticket_id
    where tickets.created_at <= as_of.as_of_at
),

counted as (
    select * from joined
    where not joined.is_deleted
        and joined.is_customer_contact
),

with_submitter_role as (
    select
        counted.*,
        coalesce(user_roles.is_agent, false) as is_agent_created
    from counted
    asof left join user_roles
        on counted.crm_submitter_id = user_roles.crm_user_id
        and counted.created_at >= user_roles.valid_from_at
),

with_solver_team as (
    select
        with_submitter_role.*,
        agent_team_spells.team_key as final_solver_team_key
    from with_submitter_role
    left join agent_team_spells
        on {{ on_agent_team_spell('agent_team_spells', 'with_submitter_role.final_solver_agent_id',
                                  reporting_date('with_submitter_role.final_solved_at')) }}
),

final as (
    select
        with_solver_team.ticket_id,
        with_solver_team.created_at,
        with_solver_team.created_date,
        with_solver_team.channel,
        with_solver_team.created_priority,
        with_solver_team.ticket_priority,
        with_solver_team.created_crm_group_id,
        created_team.team_key as created_team_key,
        with_solver_team.crm_group_id,
        current_team.team_key as team_key,
        with_solver_team.crm_submitter_id,
        with_solver_team.is_agent_created,
        with_solver_team.first_replied_at,
        with_solver_team.first_reply_agent_id,
        with_solver_team.first_reply_team_key,
        with_solver_team.status_at_as_of,
        with_solver_team.final_solved_at is not null as is_solved,
        with_solver_team.solve_count,
        with_solver_team.reopen_count,
        -- Reopened: solved at least once, then moved back to an unsolved status; counted once.
        with_solver_team.solve_count > 0 and with_solver_team.reopen_count > 0 as is_reopened,
        with_solver_team.first_solved_at,
        with_solver_team.final_solved_at,
        with_solver_team.final_solver_agent_id,
        with_solver_team.final_solver_team_key,
        with_solver_team.escalated_at is not null as is_escalated,
        with_solver_team.escalated_at
    from with_solver_team
    left join group_teams as created_team
        on with_solver_team.created_crm_group_id = created_team.crm_group_id
    left join group_teams as current_team
        on with_solver_team.crm_group_id = current_team.crm_group_id
)

select * from final
