{#- First contact resolution (KPI_DEFINITIONS.md section 3), written once for every grain: two
    measures side by side, never blended. Operational FCR over inbound contacts resolved on
    contact whose window has closed (fct_contact_resolutions.is_fcr_eligible); survey FCR over
    responses answering "was your issue resolved". Each FCR mart groups its own rows by its
    own grain and selects these expressions. -#}

{#- Aggregate select-expressions over rows of fct_contact_resolutions (one per inbound contact). -#}
{% macro operational_fcr_counts() -%}
    count(*) as inbound_contact_count,
    count(*) filter (where is_resolved_on_contact) as resolved_on_contact_count,
    count(*) filter (where is_fcr_eligible) as fcr_eligible_contact_count,
    count(*) filter (where is_fcr_eligible and is_first_contact_resolved) as first_contact_resolved_count,
    count(*) filter (where is_resolved_on_contact and not is_window_closed) as window_open_contact_count
{%- endmacro %}

{#- Aggregate select-expressions over matched responses of fct_survey_responses that answer the
    resolved question. -#}
{% macro survey_fcr_counts() -%}
    count(is_resolved_answer) as resolved_question_response_count,
    count(*) filter (where is_resolved_answer) as resolved_yes_response_count
{%- endmacro %}

{#- Operational FCR = first-contact resolved / eligible; null when nothing is eligible yet. -#}
{% macro operational_fcr_rate(first_contact_resolved_count, fcr_eligible_contact_count) -%}
    {{ first_contact_resolved_count }} / nullif({{ fcr_eligible_contact_count }}, 0)
{%- endmacro %}

{#- The columns of an FCR mart row from its `operational` (operational_fcr_counts) and `surveyed`
    (survey_fcr_counts) relations, outer-joined: a group with responses but no contact has counts
    of 0 and a null operational rate, and the other way round. -#}
{% macro fcr_columns(operational, surveyed) -%}
    coalesce({{ operational }}.inbound_contact_count, 0) as inbound_contact_count,
    coalesce({{ operational }}.resolved_on_contact_count, 0) as resolved_on_contact_count,
    coalesce({{ operational }}.fcr_eligible_contact_count, 0) as fcr_eligible_contact_count,
    coalesce({{ operational }}.first_contact_resolved_count, 0) as first_contact_resolved_count,
    coalesce({{ operational }}.window_open_contact_count, 0) as window_open_contact_count,
    {{ operational_fcr_rate(operational ~ '.first_contact_resolved_count', operational ~ '.fcr_eligible_contact_count') }}
        as operational_fcr_rate,
    coalesce({{ surveyed }}.resolved_question_response_count, 0) as survey_fcr_response_count,
    {{ surveyed }}.resolved_yes_response_count / nullif({{ surveyed }}.resolved_question_response_count, 0)
        as survey_fcr_rate,
    {{ var('fcr_window_days') }}::integer as fcr_window_days
{%- endmacro %}
