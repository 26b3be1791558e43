-- Teams are the schedules of seeds/team_schedules.csv, each with its Zendesk group
-- (int_group_teams says which group is which team), and the unknown member: facts whose team is
-- not known carry its key (macro known_or_unknown), so every fact joins to a row here.
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

known_teams as (
    select
        schedules.team_key,
        schedules.team_name,
        schedules.timezone as team_timezone,
        schedules.holiday_country,
        group_teams.crm_group_id
    from schedules
    left join group_teams
        on schedules.team_key = group_teams.team_key
),

unknown_team as (
    -- No schedule, so no timezone, holidays or group: business minutes are not measured for it.
    select
        {{ unknown_member_key() }} as team_key,
        'Unknown team' as team_name,
        null::varchar as team_timezone,
        null::varchar as holiday_country,
        null::bigint as crm_group_id
),

final as (
    select * from known_teams
    union all
    select * from unknown_team
)

select * from final
