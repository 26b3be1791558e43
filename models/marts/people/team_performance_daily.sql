-- Teams per reporting date: int_agent_days_counted's counts of the team's agents that day (an
-- agent counts in the team of the day of the activity) and of the contacts no agent handled,
-- then the people formulas (macros/people_performance.sql).
with

activity as (
    select * from {{ ref('int_agent_days_counted') }}
),

summed as (
    select
        activity_date,
        team_key,
        -- Every count and sum of seconds; a period with CSAT responses only has no row.
        sum(columns(* exclude (activity_date, agent_id, team_key, has_activity)))
    from activity
    group by all
    having bool_or(has_activity)
),

rated as (
    select *, {{ queue_call_rates() }}
    from summed
),

final as (
    select
        activity_date,
        team_key,
        {{ people_performance_columns('86400') }}
    from rated
)

select * from final
