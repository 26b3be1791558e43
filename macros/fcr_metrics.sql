{#- First contact resolution per period and group (KPI_DEFINITIONS.md section 3), both
    measures side by side and never blended: operational FCR over inbound contacts resolved
    on contact whose window has closed, and survey FCR over responses answering "was your
    issue resolved". `group_columns` are columns of fct_contacts (channel, team_key, agent_id). -#}
{% macro fcr_metrics(group_columns, period_expression, period_column) %}
{%- set groups = group_columns | join(', ') %}
with

contacts as (
    select {{ period_expression }} as {{ period_column }}, contacts.*, repeats.* exclude (contact_id, is_resolved_on_contact)
    from {{ ref('fct_contacts') }} as contacts
    inner join {{ ref('fct_contact_resolutions') }} as repeats
        on contacts.contact_id = repeats.contact_id
),

responses as (
    select {{ period_expression }} as {{ period_column }}, *
    from {{ ref('fct_survey_responses') }}
    where is_contact_matched and is_resolved_answer is not null
),

operational as (
    select
        {{ period_column }},
        {{ groups }},
        count(*) as inbound_contact_count,
        count(*) filter (where is_resolved_on_contact) as resolved_on_contact_count,
        count(*) filter (where is_resolved_on_contact and is_window_closed) as fcr_eligible_contact_count,
        count(*) filter (where is_first_contact_resolved and is_window_closed) as first_contact_resolved_count,
        count(*) filter (where is_resolved_on_contact and not is_window_closed) as window_open_contact_count
    from contacts
    group by all
),

surveyed as (
    select
        {{ period_column }},
        {{ groups }},
        count(*) as resolved_question_response_count,
        count(*) filter (where is_resolved_answer) as resolved_yes_response_count
    from responses
    group by all
),

final as (
    select
        coalesce(operational.{{ period_column }}, surveyed.{{ period_column }}) as {{ period_column }},
        {%- for column in group_columns %}
        coalesce(operational.{{ column }}, surveyed.{{ column }}) as {{ column }},
        {%- endfor %}
        coalesce(operational.inbound_contact_count, 0) as inbound_contact_count,
        coalesce(operational.resolved_on_contact_count, 0) as resolved_on_contact_count,
        coalesce(operational.fcr_eligible_contact_count, 0) as fcr_eligible_contact_count,
        coalesce(operational.first_contact_resolved_count, 0) as first_contact_resolved_count,
        coalesce(operational.window_open_contact_count, 0) as window_open_contact_count,
        operational.first_contact_resolved_count / nullif(operational.fcr_eligible_contact_count, 0) as operational_fcr_rate,
        coalesce(surveyed.resolved_question_response_count, 0) as survey_fcr_response_count,
        surveyed.resolved_yes_response_count / nullif(surveyed.resolved_question_response_count, 0) as survey_fcr_rate,
        {{ var('fcr_window_days') }}::integer as fcr_window_days
    from operational
    full outer join surveyed
        on operational.{{ period_column }} = surveyed.{{ period_column }}
        {%- for column in group_columns %}
        and operational.{{ column }} is not distinct from surveyed.{{ column }}
        {%- endfor %}
)

select * from final
{% endmacro %}
