-- An agent's Zendesk role over time, a slowly changing dimension: one row per spell of one role
-- (`agent`, `admin`, then `end-user` once they left), valid from one version's time until the
-- next role's (null: still holds). Consecutive exports with the same role are one spell. Whether
-- a comment's author "was an agent at the time" reads the same history (int_user_role_versions).
with

role_versions as (
    select * from {{ ref('int_user_role_versions') }}
),

agents as (
    select agent_id from {{ ref('int_agents') }}
),

role_changes as (
    select
        role_versions.crm_user_id as agent_id,
        role_versions.user_role,
        role_versions.is_agent,
        role_versions.valid_from_at,
        role_versions.user_role is distinct from lag(role_versions.user_role) over (
            partition by role_versions.crm_user_id order by role_versions.valid_from_at
        ) as is_role_change
    from role_versions
    inner join agents
        on role_versions.crm_user_id = agents.agent_id
),

final as (
    select
        agent_id,
        user_role,
        is_agent,
        valid_from_at,
        lead(valid_from_at) over (partition by agent_id order by valid_from_at) as valid_to_at
    from role_changes
    where is_role_change
)

select * from final
