{#- Customer feedback per period and group (KPI_DEFINITIONS.md section 4), written once for
    every grain: `period_expression` buckets a contact's date into `period_column`;
    `group_columns` are columns of fct_survey_responses (channel, team_key, agent_id).
    A response counts for the contact it was sent for; scales are never blended: CSAT
    top-2-box and mean on 1-5 surveys, a good rate on good/bad ones, NPS on 0-10, CES on 1-7.
    Response rate: responses / invitations sent for the same contacts, where every invitation
    can be attributed to a contact (see fct_survey_invitations); otherwise null. -#}
{% macro feedback_metrics(group_columns, period_expression, period_column) %}
{%- set groups = group_columns | join(', ') %}
with

responses as (
    select {{ period_expression }} as {{ period_column }}, *
    from {{ ref('fct_survey_responses') }}
    where is_contact_matched
),

invitations as (
    select {{ period_expression }} as {{ period_column }}, *
    from {{ ref('fct_survey_invitations') }}
    where is_contact_matched
),

response_counts as (
    select
        {{ period_column }},
        {{ groups }},
        count(*) as response_count,
        count(csat_score) as csat_response_count,
        count(*) filter (where csat_score >= 4) as csat_top2_response_count,
        avg(csat_score) as csat_mean_score,
        count(is_csat_good) as csat_good_bad_response_count,
        count(*) filter (where is_csat_good) as csat_good_response_count,
        count(nps_score) as nps_response_count,
        count(*) filter (where nps_score >= 9) as nps_promoter_count,
        count(*) filter (where nps_score <= 6) as nps_detractor_count,
        count(ces_score) as ces_response_count,
        avg(ces_score) as ces_mean_score,
        count(is_resolved_answer) as resolved_question_response_count,
        count(*) filter (where is_resolved_answer) as resolved_yes_response_count
    from responses
    group by all
),

invitation_counts as (
    select {{ period_column }}, {{ groups }}, count(*) as invitations_sent_count
    from invitations
    group by all
),

unattributed_invitations as (
    -- Qualtrics' distribution history does not say which contact an unanswered invitation was
    -- for: while any invitation is unanswered, no group's invitations are known, and a rate over
    -- the answered ones only would be a guess. Invitations and the rate are then null (n/a).
    select count(*) as unattributed_invitation_count
    from {{ ref('fct_survey_invitations') }}
    where not is_responded
),

counted as (
    select
        coalesce(response_counts.{{ period_column }}, invitation_counts.{{ period_column }}) as {{ period_column }},
        {%- for column in group_columns %}
        coalesce(response_counts.{{ column }}, invitation_counts.{{ column }}) as {{ column }},
        {%- endfor %}
        coalesce(invitation_counts.invitations_sent_count, 0) as attributed_invitation_count,
        coalesce(response_counts.response_count, 0) as response_count,
        response_counts.* exclude ({{ period_column }}, {{ groups }}, response_count)
    from response_counts
    full outer join invitation_counts
        on response_counts.{{ period_column }} = invitation_counts.{{ period_column }}
        {%- for column in group_columns %}
        and response_counts.{{ column }} is not distinct from invitation_counts.{{ column }}
        {%- endfor %}
),

final as (
    select
        {{ period_column }},
        {{ groups }},
        case when (select unattributed_invitation_count from unattributed_invitations) = 0
            then attributed_invitation_count end as invitations_sent_count,
        response_count,
        case when (select unattributed_invitation_count from unattributed_invitations) = 0
            then response_count / nullif(attributed_invitation_count, 0) end as response_rate,
        coalesce(csat_response_count, 0) as csat_response_count,
        coalesce(csat_top2_response_count, 0) as csat_top2_response_count,
        csat_top2_response_count / nullif(csat_response_count, 0) as csat_top2_rate,
        csat_mean_score,
        -- Bounds to 6 decimals, as in the CSAT marts: reproducible across platforms.
        round({{ wilson_interval_bound('csat_top2_response_count', 'nullif(csat_response_count, 0)', 'low') }}, 6) as csat_top2_rate_ci95_low,
        round({{ wilson_interval_bound('csat_top2_response_count', 'nullif(csat_response_count, 0)', 'high') }}, 6) as csat_top2_rate_ci95_high,
        coalesce(csat_response_count, 0) < {{ var('min_responses') }} as is_low_sample,
        coalesce(csat_good_bad_response_count, 0) as csat_good_bad_response_count,
        csat_good_response_count / nullif(csat_good_bad_response_count, 0) as csat_good_rate,
        coalesce(nps_response_count, 0) as nps_response_count,
        100.0 * (nps_promoter_count - nps_detractor_count) / nullif(nps_response_count, 0) as nps,
        coalesce(ces_response_count, 0) as ces_response_count,
        ces_mean_score,
        coalesce(resolved_question_response_count, 0) as resolved_question_response_count,
        resolved_yes_response_count / nullif(resolved_question_response_count, 0) as survey_fcr_rate,
        {{ var('min_responses') }}::integer as min_responses
    from counted
)

select * from final
{% endmacro %}
