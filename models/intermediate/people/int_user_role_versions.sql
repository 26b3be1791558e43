-- Whether a comment's author "was an agent at the time" (KPI_DEFINITIONS.md section 2) needs
-- the role history: each version holds from its updated_at until the next one.
with

user_versions as (
    select * from {{ ref('stg_crm__user_versions') }}
),

final as (
    select
        crm_user_id,
        user_role,
        user_role in ('agent', 'admin') as is_agent,
        updated_at as valid_from_at,
        lead(updated_at) over (partition by crm_user_id order by updated_at) as valid_to_at
    from user_versions
    -- A version seen with two roles at the same instant would be ambiguous: the agent one wins.
    qualify row_number() over (partition by crm_user_id, updated_at order by is_agent desc) = 1
)

select * from final
