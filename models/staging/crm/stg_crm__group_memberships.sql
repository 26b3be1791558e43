with

latest as (
    -- Each day's export lists every membership: keep the latest state of each.
    {{ keep_one_version(source('crm', 'group_memberships'), 'id', 'try_cast(updated_at as timestamptz) desc') }}
),

final as (
    select
        id as crm_group_membership_id,
        user_id as crm_user_id,
        group_id as crm_group_id,
        "default" as is_default_group,
        {{ utc_from_iso('created_at') }} as member_since_at,
        _landing_date
    from latest
)

select * from final
