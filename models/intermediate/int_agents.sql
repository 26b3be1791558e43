-- Agents are Zendesk users with the agent or admin role, less the bots that post for the
-- account (var `crm_bot_user_ids`); their Amazon Connect username, lower-cased, is the
-- identity map's (seeds/agent_identity_map.csv) or else their email's local part
-- (stg_crm__users). The one agent list: dim_agents publishes it, intermediates read it here.
{{ config(materialized='table') }}

with

users as (
    select * from {{ ref('stg_crm__users') }}
),

final as (
    select
        crm_user_id as agent_id,
        agent_username,
        agent_name,
        is_active as is_active_agent
    from users
    where is_agent
        and crm_user_id not in ({{ var('crm_bot_user_ids') | join(', ') }})
)

select * from final
