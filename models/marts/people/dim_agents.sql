-- The agent list is defined once, in int_agents; this publishes it. Every person who was ever
-- an agent is here, a leaver too (is_current_agent false, agent_until_at set): their past
-- stays credited to them. Their roles over time are dim_agent_roles, their teams dim_agent_teams.
with

agents as (
    select * from {{ ref('int_agents') }}
),

final as (
    select
        agent_id,
        agent_username,
        agent_name,
        current_user_role,
        is_current_agent,
        is_active_agent,
        agent_from_at,
        agent_until_at
    from agents
)

select * from final
