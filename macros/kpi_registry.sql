{#- A KPI's target from the registry (seeds/kpi_registry.csv), as a scalar: null when the KPI has
    no row or no target (tests/dbt asserts the rows the marts need are there). The queue marts
    staff Erlang C for the `service_level_rate` target, so the target is written once. -#}
{% macro kpi_target(kpi_name) -%}
    (select target_value from {{ ref('kpi_registry') }} where kpi_name = '{{ kpi_name }}')
{%- endmacro %}

{#- The week-grain KPI marts the overview (kpi_overview_weekly) reads: each mart a registry row
    may name as its `week_mart` (one row per week x channel), with its center-level twin (one row
    per week, every channel together) for the `all` scope. dbt must know every ref when it
    parses, so the set of marts is fixed here; which of their columns are KPIs, and which column
    is each KPI's n, the registry says when the model runs. A new KPI on one of these grains
    therefore needs its column and its registry row, never an edit here; a new grain, one entry. -#}
{% macro overview_week_marts() %}
    {{ return({
        'queue_by_channel_week': 'queue_by_week',
        'first_response_sla_by_channel_week': 'first_response_sla_by_week',
        'fcr_by_channel_week': 'fcr_by_week',
        'feedback_by_channel_week': 'feedback_by_week',
    }) }}
{% endmacro %}
