-- Which Zendesk group is which team; every "which team is this group" question is answered
-- here. The center's seed (seeds/group_team_map.csv) maps a group by id, else by name; a
-- group it does not list is the team whose name it has in seeds/team_schedules.csv (the
-- default, so a center whose groups are named like its teams needs no seed rows). Names
-- compare trimmed and case-insensitively.
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

final as (
    select
        groups.crm_group_id,
        coalesce(by_id.team_key, by_name.team_key, by_team_name.team_key) as team_key
    from groups
    left join group_team_map as by_id
        on groups.crm_group_id = by_id.crm_group_id
    left join group_team_map as by_name
        on by_name.crm_group_id is null
        and lower(trim(groups.group_name)) = by_name.crm_group_name
    left join teams as by_team_name
        on lower(trim(groups.group_name)) = by_team_name.team_name
)

select * from final
where team_key is not null
