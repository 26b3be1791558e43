-- Teams are the schedules of seeds/team_schedules.csv, each with its Zendesk group
-- (int_group_teams says which group is which team).
with

schedules as (
    select distinct team_key, team_name, timezone, holiday_country from {{ ref('team_schedules') }}
),

group_teams as (
    -- A center may map several Zendesk groups to one team (seeds/group_team_map.csv): the team
    -- keeps one row, with the lowest of its groups' ids.
    select team_key, min(crm_group_id) as crm_group_id
    from {{ ref('int_group_teams') }}
    group by team_key
),

final as (
    select
        schedules.team_key,
        schedules.team_name,
        schedules.timezone as team_timezone,
        schedules.holiday_country,
        group_teams.crm_group_id
    from schedules
    left join group_teams
        on schedules.team_key = group_teams.team_key
)

select * from final
