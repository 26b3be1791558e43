{#- CSAT per channel per period (KPI_DEFINITIONS.md section 4), written once for every
    period grain: `period_expression` buckets a contact's date, `period_column` names it.
    Responses are attributed to their contact's channel and date, read on the 1-5 scale
    only; responses whose contact is not in the warehouse are left out. -#}
{% macro csat_by_channel(period_expression, period_column) %}
with

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

scored as (
    select
        {{ period_expression }} as {{ period_column }},
        channel,
        csat_score
    from responses
    where csat_score is not null
        and is_contact_matched
),

counted as (
    select
        {{ period_column }},
        channel,
        count(*) as response_count,
        count(*) filter (where csat_score >= 4) as top2_response_count,
        avg(csat_score) as csat_mean_score
    from scored
    group by all
),

final as (
    select
        {{ period_column }},
        channel,
        response_count,
        top2_response_count,
        top2_response_count / response_count as csat_top2_rate,
        csat_mean_score,
        -- Bounds to 6 decimals: reproducible across platforms, where the last binary digit
        -- of the square root may differ, and still finer than any percentage shown.
        round({{ wilson_interval_bound('top2_response_count', 'response_count', 'low') }}, 6) as csat_top2_rate_ci95_low,
        round({{ wilson_interval_bound('top2_response_count', 'response_count', 'high') }}, 6) as csat_top2_rate_ci95_high,
        response_count < {{ var('min_responses') }} as is_low_sample,
        {{ var('min_responses') }}::integer as min_responses
    from counted
)

select * from final
{% endmacro %}
