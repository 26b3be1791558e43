-- A reply, for the first-response SLA, is a public comment by someone who was an agent when
-- they wrote it (KPI_DEFINITIONS.md section 2). Not replies: the ticket's opening message
-- (an agent opening a ticket for a customer writes it), automated acknowledgements (a
-- trigger's Notification is not a comment at all; a bot's public comment is excluded by its
-- user id, var `crm_bot_user_ids`), anything a trigger or automation posts (via `rule`),
-- and private notes.
with

audit_events as (
    select * from {{ ref('int_ticket_audit_events') }}
),

user_roles as (
    select * from {{ ref('int_user_role_versions') }}
),

memberships as (
    select * from {{ ref('stg_crm__group_memberships') }} where is_default_group
),

groups as (
    select * from {{ ref('stg_crm__groups') }}
),

team_schedules as (
    select distinct team_key, team_name from {{ ref('team_schedules') }}
),

public_comments as (
    select
        audit_event_id,
        audit_id,
        ticket_id,
        created_at as replied_at,
        coalesce(comment_author_id, crm_author_id) as crm_agent_id,
        {{ reporting_date('created_at') }} as replied_date
    from audit_events
    where event_type = 'Comment'
        and is_public_comment
        and not is_create_audit
        and coalesce(via_channel, '') != 'rule'
        and coalesce(comment_author_id, crm_author_id) not in ({{ var('crm_bot_user_ids') | join(', ') }})
),

by_agents as (
    select public_comments.*
    from public_comments
    asof inner join user_roles
        on public_comments.crm_agent_id = user_roles.crm_user_id
        and public_comments.replied_at >= user_roles.valid_from_at
    where user_roles.is_agent
),

agent_teams as (
    -- The team an agent is in on a day: their default membership created on or before it.
    select
        memberships.crm_user_id,
        cast(memberships.member_since_at as date) as member_since_date,
        team_schedules.team_key
    from memberships
    inner join groups
        on memberships.crm_group_id = groups.crm_group_id
    inner join team_schedules
        on groups.group_name = team_schedules.team_name
    qualify row_number() over (
        partition by memberships.crm_user_id, cast(memberships.member_since_at as date)
        order by memberships.member_since_at desc, memberships.crm_group_membership_id desc
    ) = 1
),

credited as (
    select
        by_agents.*,
        agent_teams.team_key as credited_team_key
    from by_agents
    asof left join agent_teams
        on by_agents.crm_agent_id = agent_teams.crm_user_id
        and by_agents.replied_date >= agent_teams.member_since_date
),

final as (
    select
        audit_event_id,
        audit_id,
        ticket_id,
        replied_at,
        replied_date,
        crm_agent_id,
        credited_team_key,
        row_number() over (partition by ticket_id order by replied_at, audit_event_id) as reply_sequence,
        row_number() over (partition by ticket_id order by replied_at, audit_event_id) = 1 as is_first_reply
    from credited
)

select * from final
