-- First-response SLA compliance per ISO week (from Monday, by the ticket's creation date in
-- the reporting timezone) and channel: the overview's SLA compliance per channel.
-- The contract defines compliance per SLA kind, so kinds are never pooled: the first-response
-- SLA alone (agent-work compliance is in ticket_sla_compliance_daily). Formulas:
-- macros/ticket_metrics.sql.
with

slas as (
    select * from {{ ref('fct_ticket_slas') }}
    where sla_kind = 'first_response' and is_sla_applicable
),

counted as (
    select
        date_trunc('week', created_date)::date as week_start_date,
        channel,
        count(*) as ticket_count,
        {{ sla_status_counts() }}
    from slas
    group by all
),

final as (
    select
        week_start_date,
        channel,
        ticket_count,
        met_count,
        breached_count,
        in_flight_count,
        unmeasured_count,
        -- The n of the rate: SLAs settled either way (in flight counts in neither).
        met_count + breached_count as settled_sla_count,
        {{ sla_compliance_rate('met_count', 'breached_count') }} as sla_compliance_rate
    from counted
)

select * from final
