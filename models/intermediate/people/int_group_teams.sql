-- Which Zendesk group is which team; every "which team is this group" question is answered
-- here. The center's seed (seeds/group_team_map.csv) maps a group by id, else by name; a
-- group it does not list is the team whose name it has in seeds/team_schedules.csv (the
-- default, so a center whose groups are named like its teams needs no seed rows). Names
-- compare trimmed and case-insensitively. A renamed group is matched by its latest name that
-- maps, else by an earlier one: renaming "Tier 1 West" to "West (legacy)" does not take its
-- tickets' history out of the team. A removed group stays (staging keeps its last export).
{{ config(materialized='table') }}

with

groups as (
    select * from {{ ref('stg_crm__groups') }}
),

group_team_map as (
    select crm_group_id, lower(trim(crm_group_name)) as crm_group_name, team_key from {{ ref('group_team_map') }}
),

teams as (
    select distinct team_key, lower(trim(team_name)) as team_name from {{ ref('team_schedules') }}
),

group_names as (
    -- Each name the group has had (latest first: recency 1), its current name first of all.
    select crm_group_id, group_name, 0 as name_recency from groups
    union all
    select crm_group_id, unnest(group_names) as group_name, unnest(generate_series(1, len(group_names))) as name_recency
    from groups
),

name_teams as (
    select
        group_names.crm_group_id,
        arg_min(coalesce(by_name.team_key, by_team_name.team_key), group_names.name_recency)
            filter (where coalesce(by_name.team_key, by_team_name.team_key) is not null) as team_key
    from group_names
    left join group_team_map as by_name
        on by_name.crm_group_id is null
        and lower(trim(group_names.group_name)) = by_name.crm_group_name
    left join teams as by_team_name
        on lower(trim(group_names.group_name)) = by_team_name.team_name
    group by group_names.crm_group_id
),

final as (
    select
        groups.crm_group_id,
        coalesce(by_id.team_key, name_teams.team_key) as team_key
    from groups
    left join group_team_map as by_id
        on groups.crm_group_id = by_id.crm_group_id
    left join name_teams
        on groups.crm_group_id = name_teams.crm_group_id
)

select * from final
where team_key is not null
