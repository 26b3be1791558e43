{#- Open minutes of a team's schedule from the start of the business calendar up to each
    moment: `relation`'s rows, plus a column `<at_column>_cumulative_open_minutes`.
    Business minutes between t1 and t2 = cumulative(t2) - cumulative(t1): every SLA uses
    this one implementation. An ASOF join finds the interval that contains or precedes the
    moment (its opening at or before it); a moment before the calendar's first interval has
    0 minutes before it; a row without a schedule gets null, never a guess. -#}
{% macro cumulative_open_minutes(relation, schedule_key_column, at_column) %}
    select
        moments.*,
        case
            when moments.{{ schedule_key_column }} is null or moments.{{ at_column }} is null then null
            else coalesce(
                (
                    business_calendar.cumulative_open_seconds_before
                    + least(
                        date_diff('second', business_calendar.opens_at, moments.{{ at_column }}),
                        business_calendar.open_seconds
                    )
                ) / 60.0,
                0
            )
        end as {{ at_column }}_cumulative_open_minutes
    from {{ relation }} as moments
    asof left join {{ ref('int_business_calendar') }} as business_calendar
        on moments.{{ schedule_key_column }} = business_calendar.team_key
        and moments.{{ at_column }} >= business_calendar.opens_at
{% endmacro %}

{#- Minutes an SLA clock ran between two moments, as its policy counts them: business
    minutes (difference of the cumulative open minutes) or calendar minutes, to the second. -#}
{% macro sla_elapsed_minutes(policy_hours, start_at, end_at, start_cumulative, end_cumulative) -%}
    case
        when {{ policy_hours }} = 'calendar' then date_diff('second', {{ start_at }}, {{ end_at }}) / 60.0
        when {{ policy_hours }} = 'business' then {{ end_cumulative }} - {{ start_cumulative }}
    end
{%- endmacro %}
