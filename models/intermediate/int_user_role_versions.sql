-- Whether a comment's author "was an agent at the time" (KPI_DEFINITIONS.md section 2) needs
-- the role history, and stg_crm__users keeps only each user's latest version. Until staging
-- exposes the versions, they are read here from the raw daily exports: only id, role and
-- updated_at, no personal data.
with

user_snapshots as (
    select * from {{ source('crm', 'users') }}
),

versions as (
    select distinct
        id as crm_user_id,
        role as user_role,
        {{ utc_from_iso('updated_at') }} as valid_from_at
    from user_snapshots
    where id is not null
        and updated_at is not null
),

final as (
    select
        crm_user_id,
        user_role,
        user_role in ('agent', 'admin') as is_agent,
        valid_from_at,
        lead(valid_from_at) over (partition by crm_user_id order by valid_from_at) as valid_to_at
    from versions
    -- A version seen with two roles at the same instant would be ambiguous: the agent one wins.
    qualify row_number() over (partition by crm_user_id, valid_from_at order by is_agent desc) = 1
)

select * from final
