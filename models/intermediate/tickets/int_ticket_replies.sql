-- A reply, for the first-response SLA, is a public comment by someone who was an agent when
-- they wrote it (KPI_DEFINITIONS.md section 2). Not replies: the ticket's opening message
-- (an agent opening a ticket for a customer writes it), automated acknowledgements (a
-- trigger's Notification is not a comment at all; a bot's public comment is excluded by its
-- user id, var `crm_bot_user_ids`), anything a trigger or automation posts (via `rule`),
-- and private notes. An agent's public call on a voice ticket (a VoiceComment: the call back
-- to a voicemail) is a reply like a written one.
-- A table: int_tickets_summarized and int_ticket_contacts both read it.
{{ config(materialized='table') }}

with

audit_events as (
    select * from {{ ref('int_ticket_audit_events') }}
),

user_roles as (
    select * from {{ ref('int_user_role_versions') }}
),

agent_team_spells as (
    select * from {{ ref('int_agent_team_spells') }}
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
    where event_type in ('Comment', 'VoiceComment')
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

credited as (
    select
        by_agents.*,
        agent_team_spells.team_key as credited_team_key
    from by_agents
    left join agent_team_spells
        on {{ on_agent_team_spell('agent_team_spells', 'by_agents.crm_agent_id', 'by_agents.replied_date') }}
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
