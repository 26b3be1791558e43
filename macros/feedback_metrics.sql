{#- Customer feedback formulas (KPI_DEFINITIONS.md section 4), written once for every grain:
    the feedback marts (feedback_by_channel_day, feedback_by_week, feedback_by_{channel,team,
    agent}_week), feedback_themes_weekly and the people marts select them. Each macro returns
    select-expressions, never a model: the grain, the period and the joins stay in the mart.
    A response counts for the contact it was sent for; scales are never blended: CSAT top-2-box
    and mean on 1-5 surveys, a good rate on good/bad ones, NPS on 0-10, CES on 1-7. -#}

{#- The CSAT counts of a group of fct_survey_responses rows (aggregates for a `group by`).
    Top-2 is the response's `is_csat_top2`, the one place the rule is written. -#}
{% macro csat_response_counts() -%}
    count(csat_score) as csat_response_count,
    count(*) filter (where is_csat_top2) as csat_top2_response_count
{%- endmacro %}

{#- Every count of a group of fct_survey_responses rows (aggregates for a `group by`):
    `response_count` is every response, any question; each measure has its own n. Survey FCR's
    counts are fcr_metrics' own. -#}
{% macro feedback_response_counts() -%}
    count(*) as response_count,
    {{ csat_response_counts() }},
    avg(csat_score) as csat_mean_score,
    count(is_csat_good) as csat_good_bad_response_count,
    count(*) filter (where is_csat_good) as csat_good_response_count,
    count(nps_score) as nps_response_count,
    count(*) filter (where nps_score >= 9) as nps_promoter_count,
    count(*) filter (where nps_score <= 6) as nps_detractor_count,
    count(ces_score) as ces_response_count,
    avg(ces_score) as ces_mean_score,
    {{ survey_fcr_counts() }}
{%- endmacro %}

{#- The invitations of a group of fct_survey_invitations rows attributed to a contact. -#}
{% macro feedback_invitation_counts() -%}
    count(*) as attributed_invitation_count
{%- endmacro %}

{#- Whether every invitation can be attributed to a contact, over all fct_survey_invitations
    rows (an aggregate). Qualtrics' distribution history does not say which contact an
    unanswered invitation was for: while any is unanswered, no group's invitations are known,
    and a rate over the answered ones only would be a guess, so invitations and the response
    rate are then null (n/a). -#}
{% macro is_every_invitation_attributed() -%}
    count(*) filter (where not is_responded) = 0
{%- endmacro %}

{#- CSAT top-2-box rate, its Wilson 95% interval and the low-sample flag, from a group's
    counts (either may be null: no response). -#}
{% macro csat_top2_columns(top2_count='csat_top2_response_count', response_count='csat_response_count') -%}
    {{ top2_count }} / nullif({{ response_count }}, 0) as csat_top2_rate,
    -- Bounds to 6 decimals: reproducible across platforms, where the last binary digit of the
    -- square root may differ, and still finer than any percentage shown.
    round({{ wilson_interval_bound(top2_count, 'nullif(' ~ response_count ~ ', 0)', 'low') }}, 6) as csat_top2_rate_ci95_low,
    round({{ wilson_interval_bound(top2_count, 'nullif(' ~ response_count ~ ', 0)', 'high') }}, 6) as csat_top2_rate_ci95_high,
    coalesce({{ response_count }}, 0) < {{ var('min_responses') }} as is_low_sample,
    {{ var('min_responses') }}::integer as min_responses
{%- endmacro %}

{#- The feedback KPIs of a group from its `feedback_response_counts` and
    `feedback_invitation_counts` (null where the group has none of either). Response rate:
    responses / invitations sent for the same contacts, while `is_every_invitation_attributed`. -#}
{% macro feedback_kpi_columns(is_every_invitation_attributed) -%}
    case when {{ is_every_invitation_attributed }}
        then coalesce(attributed_invitation_count, 0) end as invitations_sent_count,
    coalesce(response_count, 0) as response_count,
    case when {{ is_every_invitation_attributed }}
        then coalesce(response_count, 0) / nullif(attributed_invitation_count, 0) end as response_rate,
    coalesce(csat_response_count, 0) as csat_response_count,
    coalesce(csat_top2_response_count, 0) as csat_top2_response_count,
    {{ csat_top2_columns() }},
    csat_mean_score,
    coalesce(csat_good_bad_response_count, 0) as csat_good_bad_response_count,
    csat_good_response_count / nullif(csat_good_bad_response_count, 0) as csat_good_rate,
    coalesce(nps_response_count, 0) as nps_response_count,
    100.0 * (nps_promoter_count - nps_detractor_count) / nullif(nps_response_count, 0) as nps,
    coalesce(ces_response_count, 0) as ces_response_count,
    ces_mean_score,
    coalesce(resolved_question_response_count, 0) as resolved_question_response_count,
    resolved_yes_response_count / nullif(resolved_question_response_count, 0) as survey_fcr_rate
{%- endmacro %}

{#- The rank of a row's CSAT top-2 rate among the rows of its `period_column` (1 = the lowest),
    ties broken by `key_column`. Only a rate with enough responses is ranked: a low-sample
    row's rate is mostly noise, and ranking it would put chance at the top or the bottom of
    the list. Nor is a row without a key (the contacts no agent handled): it is no agent to
    rank. Null: not ranked. -#}
{% macro csat_rank(period_column, key_column) -%}
    {%- set is_ranked -%}
        not is_low_sample and csat_top2_rate is not null and {{ key_column }} is not null
    {%- endset -%}
    case when {{ is_ranked }} then
        row_number() over (
            partition by {{ period_column }}, {{ is_ranked }}
            order by csat_top2_rate, {{ key_column }}
        )::integer
    end
{%- endmacro %}
