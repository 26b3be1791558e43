{#- Use the folder's schema name as it is (staging, intermediate, marts), not dbt's
    default "<target schema>_<custom schema>": the app and the checks name these schemas. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
