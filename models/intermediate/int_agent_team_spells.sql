-- An agent's team over time, from their default Zendesk group membership: each membership
-- holds from the day it was created until the next one. Replies, solves and contacts take
-- the team of their day from here (KPI_DEFINITIONS.md sections 2 and 5).
{{ config(materialized='table') }}

with

memberships as (
    select * from {{ ref('stg_crm__group_memberships') }} where is_default_group
),

group_teams as (
    select * from {{ ref('int_group_teams') }}
),

agents as (
    select * from {{ ref('int_agents') }}
),

spells as (
    select
        memberships.crm_user_id as agent_id,
        group_teams.team_key,
        cast(memberships.member_since_at as date) as valid_from_date,
        lead(cast(memberships.member_since_at as date)) over (
            partition by memberships.crm_user_id order by memberships.member_since_at, memberships.crm_group_membership_id
        ) as valid_to_date
    from memberships
    inner join agents
        on memberships.crm_user_id = agents.agent_id
    left join group_teams
        on memberships.crm_group_id = group_teams.crm_group_id
),

final as (
    select
        agent_id,
        -- A default group that is no team of the schedules seed: the agent is in no known team.
        coalesce(team_key, 'unknown') as team_key,
        valid_from_date,
        valid_to_date
    from spells
    -- Two memberships created the same day: the later one holds.
    where valid_to_date is null or valid_to_date > valid_from_date
)

select * from final
