-- Agents are Zendesk users who had the agent or admin role in any exported version, less the
-- bots that post for the account (var `crm_bot_user_ids`): a leaver, downgraded to end-user,
-- stays an agent of the past, so the contacts, replies and solves they made stay credited to
-- them and to the team they were in that day (KPI_DEFINITIONS.md sections 2 and 5). Their
-- Amazon Connect username, lower-cased, is the identity map's (seeds/agent_identity_map.csv)
-- or else their email's local part, as of their last version as an agent (stg_crm__users).
-- When they were agents comes from the role history (int_user_role_versions): `agent_from_at`
-- is the first version with an agent role, `agent_until_at` the version that took it away
-- when they are no agent now (null while they are). The one agent list: dim_agents publishes
-- it, intermediates read it here.
{{ config(materialized='table') }}

with

users as (
    select * from {{ ref('stg_crm__users') }}
),

role_versions as (
    select * from {{ ref('int_user_role_versions') }}
),

agent_periods as (
    select
        crm_user_id,
        min(valid_from_at) filter (where is_agent) as agent_from_at,
        max(valid_from_at) filter (where is_agent) as last_agent_version_at
    from role_versions
    group by crm_user_id
),

agent_ends as (
    -- The first version without an agent role after the last one with it: when they left.
    select
        agent_periods.crm_user_id,
        min(role_versions.valid_from_at) as agent_until_at
    from agent_periods
    inner join role_versions
        on agent_periods.crm_user_id = role_versions.crm_user_id
        and role_versions.valid_from_at > agent_periods.last_agent_version_at
        and not role_versions.is_agent
    group by agent_periods.crm_user_id
),

final as (
    select
        users.crm_user_id as agent_id,
        users.agent_username,
        users.agent_name,
        users.user_role as current_user_role,
        users.is_agent as is_current_agent,
        users.is_active and users.is_agent as is_active_agent,
        agent_periods.agent_from_at,
        case when not users.is_agent then agent_ends.agent_until_at end as agent_until_at
    from users
    left join agent_periods
        on users.crm_user_id = agent_periods.crm_user_id
    left join agent_ends
        on users.crm_user_id = agent_ends.crm_user_id
    where users.was_agent
        and users.crm_user_id not in ({{ var('crm_bot_user_ids') | join(', ') }})
)

select * from final
