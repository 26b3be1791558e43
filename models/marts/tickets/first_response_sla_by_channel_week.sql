-- First-response SLA compliance per ISO week (from Monday, by the ticket's creation date in
-- the reporting timezone) and channel: the overview's SLA compliance per channel.
-- The contract defines compliance per SLA kind, so kinds are never pooled: the first-response
-- SLA alone (agent-work compliance is in ticket_sla_compliance_daily). Formulas:
-- macros/ticket_metrics.sql (first_response_week_columns, shared by both week grains).
with

slas as (
    select * from {{ ref('fct_ticket_slas') }}
    where sla_kind = 'first_response' and is_sla_applicable
),

final as (
    select
        date_trunc('week', created_date)::date as week_start_date,
        channel,
        {{ first_response_week_columns() }}
    from slas
    group by all
)

select * from final
