-- Teams are the schedules of seeds/team_schedules.csv; a Zendesk group is a team when its
-- name is the team's name there.
with

schedules as (
    select distinct team_key, team_name, timezone, holiday_country from {{ ref('team_schedules') }}
),

groups as (
    select * from {{ ref('stg_crm__groups') }}
),

final as (
    select
        schedules.team_key,
        schedules.team_name,
        schedules.timezone as team_timezone,
        schedules.holiday_country,
        groups.crm_group_id
    from schedules
    left join groups
        on groups.group_name = schedules.team_name
)

select * from final
