-- Feedback per contact date (reporting timezone) and channel: the CSAT trend's daily grain.
-- The formulas are macros/feedback_metrics.sql's, the same as feedback_by_channel_week's.
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
        contact_date,
        channel,
        {{ feedback_response_counts() }}
    from responses
    group by all
),

invitation_counts as (
    select
        contact_date,
        channel,
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
        coalesce(response_counts.contact_date, invitation_counts.contact_date) as contact_date,
        coalesce(response_counts.channel, invitation_counts.channel) as channel,
        response_counts.* exclude (contact_date, channel),
        invitation_counts.* exclude (contact_date, channel)
    from response_counts
    full outer join invitation_counts
        on response_counts.contact_date = invitation_counts.contact_date
        and response_counts.channel is not distinct from invitation_counts.channel
),

final as (
    select
        counted.contact_date,
        counted.channel,
        {{ feedback_kpi_columns('invitation_attribution.is_every_invitation_attributed') }}
    from counted
    cross join invitation_attribution
)

select * from final
