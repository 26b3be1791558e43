{#- The overview's 'all channels' rows (kpi_overview_weekly) come from fcr_metrics and
    feedback_metrics grouped by week alone, the same macros that give the per-channel rows.
    Those macros group by at least one column and select `period_expression` as written, so
    the expression carries a constant `channel_scope` column beside the period for them to
    group by. If the macros ever accept an empty group list, call them with one instead. -#}
{% macro all_channels_period(period_expression) -%}
    'all' as channel_scope, {{ period_expression }}
{%- endmacro %}
