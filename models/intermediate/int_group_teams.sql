-- A Zendesk group is a team when its name is the team's name in the schedules seed
-- (seeds/team_schedules.csv); every "which team is this group" question is answered here.
{{ config(materialized='table') }}

with

groups as (
    select * from {{ ref('stg_crm__groups') }}
),

teams as (
    select distinct team_key, team_name from {{ ref('team_schedules') }}
),

final as (
    select
        groups.crm_group_id,
        teams.team_key
    from groups
    inner join teams
        on groups.group_name = teams.team_name
)

select * from final
