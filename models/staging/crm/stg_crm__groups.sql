with

latest as (
    -- Every day's export lists every group: the latest day's name wins.
    {{ keep_one_version(source('crm', 'groups'), 'id', 'try_cast(created_at as timestamptz) desc') }}
),

final as (
    select
        id as crm_group_id,
        name as group_name,
        {{ utc_from_iso('created_at') }} as created_at,
        _landing_date
    from latest
)

select * from final
