{#- Ticket KPI formulas (KPI_DEFINITIONS.md section 2), written once for every grain: the
    ticket marts (by creation date, channel, priority, team) and the agent and team marts. -#}

{#- Counts of fct_ticket_slas rows by status. In flight counts as neither met nor breached;
    unmeasured: no schedule to measure business minutes in. -#}
{% macro sla_status_counts() -%}
    count(*) filter (where sla_status = 'met') as met_count,
    count(*) filter (where sla_status = 'breached') as breached_count,
    count(*) filter (where sla_status = 'in_flight') as in_flight_count,
    count(*) filter (where sla_status is null) as unmeasured_count
{%- endmacro %}

{#- SLA compliance = met / (met + breached); null when nothing is settled yet. -#}
{% macro sla_compliance_rate(met_count, breached_count) -%}
    case when {{ met_count }} + {{ breached_count }} > 0 then {{ met_count }} / ({{ met_count }} + {{ breached_count }}) end
{%- endmacro %}

{#- Reopen rate = tickets reopened at least once / tickets solved at least once. -#}
{% macro reopen_rate(reopened_count, solved_at_least_once_count) -%}
    case when {{ solved_at_least_once_count }} > 0 then {{ reopened_count }} / {{ solved_at_least_once_count }} end
{%- endmacro %}

{#- Escalation rate = tickets escalated (to a higher tier or another department) / tickets. -#}
{% macro escalation_rate(escalated_count, ticket_count) -%}
    case when {{ ticket_count }} > 0 then {{ escalated_count }} / {{ ticket_count }} end
{%- endmacro %}

{#- The first-response SLA of a week, as aggregate select-expressions over fct_ticket_slas rows of
    the first-response kind: what first_response_sla_by_channel_week and its center-level twin
    first_response_sla_by_week both select, each at its own grain. A KPI of these marts is added
    here, once (with its contract columns and its registry row). -#}
{% macro first_response_week_columns() -%}
    count(*) as ticket_count,
    {{ sla_status_counts() }},
    -- The n of the rate: SLAs settled either way (in flight counts in neither).
    count(*) filter (where sla_status in ('met', 'breached')) as settled_sla_count,
    {{ sla_compliance_rate("count(*) filter (where sla_status = 'met')",
                           "count(*) filter (where sla_status = 'breached')") }} as sla_compliance_rate,
    -- The mean time to a first response in the team's business minutes (whatever the policy's
    -- hours), over responses given by the as-of time: how long customers wait, beside whether the
    -- policy was met. Tickets without a schedule have no business minutes and are left out of both.
    count(elapsed_business_minutes) filter (where is_completed) as completed_business_minutes_count,
    avg(elapsed_business_minutes) filter (where is_completed) as mean_first_response_business_minutes
{%- endmacro %}
