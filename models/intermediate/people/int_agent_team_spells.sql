-- An agent's team over time. Replies, solves and contacts take the team of their day from
-- here (KPI_DEFINITIONS.md sections 2 and 5). Two sources, in this order:
-- 1. their default Zendesk group membership: each holds from the day it was created until
--    the next one, in the team int_group_teams gives the group;
-- 2. for an agent no Zendesk group ever places in a team (no membership, or only groups
--    that are no team), the Connect hierarchy groups of the contacts they handled: each day,
--    the narrowest group seeds/hierarchy_group_team_map.csv maps; a spell runs from the first
--    day seen in a team until the first day seen in another.
-- An agent with neither is in `unknown` while a membership says nothing more. Agents are
-- everyone who was ever one (int_agents), so a leaver keeps the spells of their past.
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

hierarchy_days as (
    select * from {{ ref('stg_telephony__agent_hierarchy_days') }}
),

hierarchy_group_teams as (
    select lower(trim(connect_hierarchy_group_name)) as hierarchy_group_name, team_key
    from {{ ref('hierarchy_group_team_map') }}
),

membership_spells as (
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

agents_with_a_zendesk_team as (
    select distinct agent_id from membership_spells where team_key is not null
),

hierarchy_group_levels as (
    -- Each group the agent stood in that day, with its depth (1: the narrowest given).
    select
        agents.agent_id,
        hierarchy_days.activity_date,
        unnest(hierarchy_days.hierarchy_group_names) as hierarchy_group_name,
        unnest(generate_series(1, len(hierarchy_days.hierarchy_group_names))) as narrowness_rank
    from hierarchy_days
    inner join agents
        on hierarchy_days.connect_agent_username = agents.agent_username
    where agents.agent_id not in (select agent_id from agents_with_a_zendesk_team)
),

hierarchy_team_days as (
    select
        hierarchy_group_levels.agent_id,
        hierarchy_group_levels.activity_date,
        arg_min(hierarchy_group_teams.team_key, hierarchy_group_levels.narrowness_rank) as team_key
    from hierarchy_group_levels
    inner join hierarchy_group_teams
        on lower(trim(hierarchy_group_levels.hierarchy_group_name)) = hierarchy_group_teams.hierarchy_group_name
    group by all
),

hierarchy_team_changes as (
    -- The days on which an agent is seen in another team than on their previous day seen.
    select
        agent_id,
        team_key,
        activity_date,
        team_key is distinct from lag(team_key) over (partition by agent_id order by activity_date) as is_team_change
    from hierarchy_team_days
),

hierarchy_spells as (
    select
        agent_id,
        team_key,
        activity_date as valid_from_date,
        lead(activity_date) over (partition by agent_id order by activity_date) as valid_to_date
    from hierarchy_team_changes
    where is_team_change
),

spells as (
    select * from membership_spells
    -- An agent placed by their hierarchy groups keeps none of their team-less memberships.
    where agent_id not in (select agent_id from hierarchy_spells)
    union all
    select * from hierarchy_spells
),

leavers as (
    -- A leaver's last team holds through the day they stopped being an agent (the work of
    -- their last morning is that team's) and no further: valid_to_date is exclusive.
    select agent_id, {{ reporting_date('agent_until_at') }} + 1 as left_after_date
    from agents
    where agent_until_at is not null
),

ended_spells as (
    -- Zendesk deletes a downgraded agent's memberships, and the export that last listed one
    -- keeps it open in staging: a leaver's spells end when they left.
    select
        spells.agent_id,
        spells.team_key,
        spells.valid_from_date,
        case
            when leavers.agent_id is null then spells.valid_to_date
            else least(coalesce(spells.valid_to_date, leavers.left_after_date), leavers.left_after_date)
        end as valid_to_date
    from spells
    left join leavers
        on spells.agent_id = leavers.agent_id
),

final as (
    select
        agent_id,
        -- A default group that is no team of the schedules seed: the agent is in no known team.
        {{ known_or_unknown('team_key') }} as team_key,
        valid_from_date,
        valid_to_date
    from ended_spells
    -- Two memberships created the same day: the later one holds. A spell that would begin
    -- after its agent left is none.
    where valid_to_date is null or valid_to_date > valid_from_date
)

select * from final
