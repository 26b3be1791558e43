with

latest as (
    -- Every day's export lists every group: the latest day's name wins.
    {{ keep_one_version(source('crm', 'groups'), 'id', 'try_cast(created_at as timestamptz) desc') }}
),

names_seen as (
    -- Every name a group has had, with the last landing day that showed it: a group renamed
    -- (or removed, and so in no later export) keeps the team its earlier names gave it
    -- (int_group_teams).
    select id, name, max(_landing_date) as last_seen_date
    from {{ source('crm', 'groups') }}
    where id is not null and name is not null
    group by id, name
),

name_histories as (
    select id, list(name order by last_seen_date desc, name) as group_names
    from names_seen
    group by id
),

final as (
    select
        latest.id as crm_group_id,
        latest.name as group_name,
        -- Latest first.
        coalesce(name_histories.group_names, []) as group_names,
        {{ utc_from_iso('latest.created_at') }} as created_at,
        latest._landing_date
    from latest
    left join name_histories
        on latest.id = name_histories.id
)

select * from final
