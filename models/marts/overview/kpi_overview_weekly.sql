-- The managers' overview (KPI_DEFINITIONS.md): every KPI computed from the facts by the macro
-- that defines it for its own mart, per channel and for all channels together. An 'all' row
-- is computed from all the week's facts, never from the channels' rates.
-- Weeks are ISO weeks from Monday, of the reporting-timezone date the KPI's own marts use:
-- the contact's date (FCR, CSAT, NPS), the ticket's creation date (SLA), the call's queue date.
{%- set contact_week = "date_trunc('week', contact_date)::date" %}
with

queued_segments as (
    select * from {{ ref('fct_queue_segments') }}
    where queue_name is not null
),

ticket_slas as (
    select * from {{ ref('fct_ticket_slas') }}
),

targets as (
    select * from {{ ref('kpi_targets') }}
),

as_of as (
    select * from {{ ref('int_as_of') }}
),

scoped_segments as (
    -- Queue KPIs exist only where calls queue: a channel without queue segments gets no row.
    select *, date_trunc('week', queue_date)::date as week_start_date, channel as channel_scope
    from queued_segments
    union all
    select *, date_trunc('week', queue_date)::date as week_start_date, 'all' as channel_scope
    from queued_segments
),

queue_kpis as (
    {{ queue_metrics('scoped_segments', ['week_start_date', 'channel_scope']) }}
),

first_response_slas as (
    -- The contract defines compliance per SLA kind: the overview shows the first-response SLA
    -- alone, pooling no kinds (agent-work compliance stays in the ticket marts).
    select *, date_trunc('week', created_date)::date as week_start_date
    from ticket_slas
    where sla_kind = 'first_response' and is_sla_applicable
),

scoped_slas as (
    select *, channel as channel_scope from first_response_slas
    union all
    select *, 'all' as channel_scope from first_response_slas
),

sla_counts as (
    select
        week_start_date,
        channel_scope,
        {{ sla_status_counts() }}
    from scoped_slas
    group by all
),

sla_kpis as (
    select
        *,
        {{ sla_compliance_rate('met_count', 'breached_count') }} as sla_compliance_rate
    from sla_counts
),

channel_fcr as (
    {{ fcr_metrics(['channel'], contact_week, 'week_start_date') }}
),

all_channels_fcr as (
    {{ fcr_metrics(['channel_scope'], all_channels_period(contact_week), 'week_start_date') }}
),

fcr_kpis as (
    select week_start_date, channel as channel_scope, operational_fcr_rate, fcr_eligible_contact_count
    from channel_fcr
    union all
    select week_start_date, channel_scope, operational_fcr_rate, fcr_eligible_contact_count
    from all_channels_fcr
),

channel_feedback as (
    {{ feedback_metrics(['channel'], contact_week, 'week_start_date') }}
),

all_channels_feedback as (
    {{ feedback_metrics(['channel_scope'], all_channels_period(contact_week), 'week_start_date') }}
),

feedback_kpis as (
    select week_start_date, channel as channel_scope, csat_top2_rate, csat_response_count, is_low_sample, nps, nps_response_count
    from channel_feedback
    union all
    select week_start_date, channel_scope, csat_top2_rate, csat_response_count, is_low_sample, nps, nps_response_count
    from all_channels_feedback
),

kpi_values as (
    -- Long format, one row per KPI. sample_size is the n of the KPI's denominator. Only the
    -- survey KPIs have a minimum sample in the contract (`min_responses`, stated for CSAT and
    -- applied to NPS, also a share of responses); the others are never low-sample.
    select
        week_start_date, channel_scope, 'service_level_rate' as kpi_name, service_level_rate as kpi_value,
        offered_calls - short_abandoned_calls - callback_requested_calls as sample_size, false as is_low_sample
    from queue_kpis
    union all
    select
        week_start_date, channel_scope, 'asa_seconds', asa_seconds,
        answered_calls, false
    from queue_kpis
    union all
    select
        week_start_date, channel_scope, 'abandon_rate', abandon_rate,
        offered_calls - short_abandoned_calls, false
    from queue_kpis
    union all
    select
        week_start_date, channel_scope, 'sla_compliance_rate', sla_compliance_rate,
        met_count + breached_count, false
    from sla_kpis
    union all
    select
        week_start_date, channel_scope, 'operational_fcr_rate', operational_fcr_rate,
        fcr_eligible_contact_count, false
    from fcr_kpis
    union all
    select
        week_start_date, channel_scope, 'csat_top2_rate', csat_top2_rate,
        csat_response_count, is_low_sample
    from feedback_kpis
    union all
    select
        week_start_date, channel_scope, 'nps', nps,
        nps_response_count, nps_response_count < {{ var('min_responses') }}
    from feedback_kpis
),

compared as (
    -- The previous ISO week exactly: a week with no row leaves the next week without a change.
    select
        this_week.*,
        last_week.kpi_value as previous_week_value,
        last_week.sample_size as previous_week_sample_size,
        last_week.is_low_sample as is_previous_week_low_sample,
        this_week.kpi_value - last_week.kpi_value as change_from_previous_week
    from kpi_values as this_week
    left join kpi_values as last_week
        on this_week.channel_scope = last_week.channel_scope
        and this_week.kpi_name = last_week.kpi_name
        and last_week.week_start_date = this_week.week_start_date - 7
),

final as (
    select
        compared.week_start_date,
        compared.channel_scope,
        compared.kpi_name,
        targets.kpi_label,
        targets.unit,
        compared.kpi_value,
        compared.sample_size::bigint as sample_size,
        compared.is_low_sample,
        compared.previous_week_value,
        compared.previous_week_sample_size::bigint as previous_week_sample_size,
        compared.is_previous_week_low_sample,
        compared.change_from_previous_week,
        case targets.target_direction
            when 'at_least' then compared.change_from_previous_week > 0
            when 'at_most' then compared.change_from_previous_week < 0
        end as is_improving,
        targets.target_value,
        targets.target_direction,
        -- Inclusive, as every threshold of the contract; unknown when the KPI is.
        case targets.target_direction
            when 'at_least' then compared.kpi_value >= targets.target_value
            when 'at_most' then compared.kpi_value <= targets.target_value
        end as is_meeting_target,
        compared.kpi_value - targets.target_value as difference_from_target,
        -- The week is over when the as-of time has reached the next Monday's midnight.
        as_of.as_of_at >= {{ utc_from_local('compared.week_start_date + 7', var('reporting_timezone')) }} as is_complete_week,
        as_of.as_of_at,
        {{ var('sl_threshold_seconds') }}::integer as sl_threshold_seconds,
        {{ var('short_abandon_seconds') }}::integer as short_abandon_seconds,
        {{ var('fcr_window_days') }}::integer as fcr_window_days,
        {{ var('min_responses') }}::integer as min_responses
    from compared
    left join targets
        on compared.kpi_name = targets.kpi_name
    cross join as_of
)

select * from final
