-- An agent's team over time, from their default Zendesk group membership: each membership
-- holds from the day it was created until the next one. Facts take the team of the day of
-- the contact from here (KPI_DEFINITIONS.md section 5).
with

memberships as (
    select * from {{ ref('stg_crm__group_memberships') }} where is_default_group
),

teams as (
    select * from {{ ref('dim_teams') }}
),

agents as (
    select * from {{ ref('dim_agents') }}
),

spells as (
    select
        memberships.crm_user_id as agent_id,
        teams.team_key,
        cast(memberships.member_since_at as date) as valid_from_date,
        lead(cast(memberships.member_since_at as date)) over (
            partition by memberships.crm_user_id order by memberships.member_since_at, memberships.crm_group_membership_id
        ) as valid_to_date
    from memberships
    inner join agents
        on memberships.crm_user_id = agents.agent_id
    left join teams
        on memberships.crm_group_id = teams.crm_group_id
),

final as (
    select
        agent_id,
        coalesce(team_key, 'unknown') as team_key,
        valid_from_date,
        valid_to_date
    from spells
    -- Two memberships created the same day: the later one holds.
    where valid_to_date is null or valid_to_date > valid_from_date
)

select * from final
