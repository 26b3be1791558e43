{#- A vendor timestamp as a UTC timestamp without zone (how csops stores every moment).
    ISO strings with a zone (Zendesk, Connect: ...Z) are converted; naive local strings
    (Qualtrics exports in the account's timezone) are read in `local_timezone`. -#}
{% macro utc_from_iso(column) -%}
    (try_cast({{ column }} as timestamptz) at time zone 'UTC')
{%- endmacro %}

{% macro utc_from_local(column, local_timezone) -%}
    (timezone('{{ local_timezone }}', try_cast({{ column }} as timestamp)) at time zone 'UTC')
{%- endmacro %}

{#- The reporting-timezone calendar date of a UTC timestamp. -#}
{% macro reporting_date(column) -%}
    cast(timezone('{{ var("reporting_timezone") }}', timezone('UTC', {{ column }})) as date)
{%- endmacro %}
