-- SLA compliance (KPI_DEFINITIONS.md section 2) = met / (met + breached); a ticket in flight
-- counts in neither. Only the SLA kinds with a target; tickets without one (opened by an
-- agent: no first-response SLA) are left out.
with

slas as (
    select * from {{ ref('fct_ticket_slas') }}
),

targeted as (
    select
        *,
        {{ known_or_unknown('team_key') }} as reported_team_key
    from slas
    where sla_kind in ('first_response', 'agent_work')
        and is_sla_applicable
),

aggregated as (
    select
        created_date,
        channel,
        ticket_priority,
        reported_team_key as team_key,
        sla_kind,
        -- One policy per priority and channel: carried so a changed seed never rewrites history silently.
        max(policy_hours) as policy_hours,
        max(target_minutes) as target_minutes,
        count(*) as ticket_count,
        {{ sla_status_counts() }},
        avg(elapsed_sla_minutes) filter (where is_completed) as mean_completed_elapsed_sla_minutes,
        quantile_cont(elapsed_sla_minutes, 0.5) filter (where is_completed) as p50_completed_elapsed_sla_minutes,
        max(as_of_at) as as_of_at
    from targeted
    group by all
),

final as (
    select
        created_date,
        channel,
        ticket_priority,
        team_key,
        sla_kind,
        policy_hours,
        target_minutes,
        ticket_count,
        met_count,
        breached_count,
        in_flight_count,
        unmeasured_count,
        {{ sla_compliance_rate('met_count', 'breached_count') }} as sla_compliance_rate,
        mean_completed_elapsed_sla_minutes,
        p50_completed_elapsed_sla_minutes,
        as_of_at
    from aggregated
)

select * from final
