-- Every version of each user's role, for "was an agent at the time" (KPI_DEFINITIONS.md
-- section 2): stg_crm__users keeps only the latest one. The daily exports repeat a user
-- unchanged, so a version is a distinct updated_at (and role). Only the id, the role and
-- the version's time go on: no personal data.
with

user_snapshots as (
    select * from {{ source('crm', 'users') }}
),

final as (
    select distinct
        id as crm_user_id,
        role as user_role,
        {{ utc_from_iso('updated_at') }} as updated_at
    from user_snapshots
    where id is not null
        and updated_at is not null
)

select * from final
