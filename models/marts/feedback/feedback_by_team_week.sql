-- Feedback per ISO week (from Monday, by the contact surveyed's date in the reporting timezone)
-- and team: the team the contact's agent was in that day (fct_contacts). The formulas are
-- macros/feedback_metrics.sql's, shared with every grain.
with

responses as (
    select * from {{ ref('fct_survey_responses') }}
    where is_contact_matched
),

invitations as (
    select * from {{ ref('fct_survey_invitations') }}
),

response_counts as (
    select
        date_trunc('week', contact_date)::date as week_start_date,
        team_key,
        {{ feedback_response_counts() }}
    from responses
    group by all
),

invitation_counts as (
    select
        date_trunc('week', contact_date)::date as week_start_date,
        team_key,
        {{ feedback_invitation_counts() }}
    from invitations
    where is_contact_matched
    group by all
),

invitation_attribution as (
    select {{ is_every_invitation_attributed() }} as is_every_invitation_attributed
    from invitations
),

counted as (
    select
        coalesce(response_counts.week_start_date, invitation_counts.week_start_date) as week_start_date,
        coalesce(response_counts.team_key, invitation_counts.team_key) as team_key,
        response_counts.* exclude (week_start_date, team_key),
        invitation_counts.* exclude (week_start_date, team_key)
    from response_counts
    full outer join invitation_counts
        on response_counts.week_start_date = invitation_counts.week_start_date
        and response_counts.team_key is not distinct from invitation_counts.team_key
),

measured as (
    select
        counted.week_start_date,
        counted.team_key,
        {{ feedback_kpi_columns('invitation_attribution.is_every_invitation_attributed') }}
    from counted
    cross join invitation_attribution
),

final as (
    select
        *,
        {{ csat_rank('week_start_date', 'team_key') }} as csat_rank
    from measured
)

select * from final
