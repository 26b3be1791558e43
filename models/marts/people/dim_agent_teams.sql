-- An agent's team over time is worked out once, in int_agent_team_spells; facts take the
-- team of the day of the contact from here (KPI_DEFINITIONS.md section 5).
with

spells as (
    select * from {{ ref('int_agent_team_spells') }}
),

final as (
    select
        agent_id,
        team_key,
        valid_from_date,
        valid_to_date
    from spells
)

select * from final
