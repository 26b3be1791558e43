-- The agent list is defined once, in int_agents; this publishes it.
with

agents as (
    select * from {{ ref('int_agents') }}
),

final as (
    select
        agent_id,
        agent_username,
        agent_name,
        is_active_agent
    from agents
)

select * from final
