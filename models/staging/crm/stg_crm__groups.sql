with

source as (
    select * from {{ source('crm', 'groups') }}
),

final as (
    select distinct on (id)
        id as crm_group_id,
        name as group_name,
        {{ utc_from_iso('created_at') }} as created_at,
        _landing_date
    from source
    order by id, _landing_date desc
)

select * from final
