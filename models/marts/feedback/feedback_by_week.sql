-- Feedback of the whole center per ISO week (from Monday, by the contact surveyed's date in the
-- reporting timezone), every channel together: the overview's `all` scope reads it. The
-- formulas are macros/feedback_metrics.sql's, the same as feedback_by_channel_week's.
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
        {{ feedback_response_counts() }}
    from responses
    group by all
),

invitation_counts as (
    select
        date_trunc('week', contact_date)::date as week_start_date,
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
        response_counts.* exclude (week_start_date),
        invitation_counts.* exclude (week_start_date)
    from response_counts
    full outer join invitation_counts
        on response_counts.week_start_date = invitation_counts.week_start_date
),

final as (
    select
        counted.week_start_date,
        {{ feedback_kpi_columns('invitation_attribution.is_every_invitation_attributed') }}
    from counted
    cross join invitation_attribution
)

select * from final
