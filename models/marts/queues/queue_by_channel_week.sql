-- Queue call metrics per ISO week (from Monday, by the call's queue date in the reporting
-- timezone) and channel: the overview's service level, ASA and abandon rate per channel.
-- A channel whose calls never queue has no row.
-- Formulas: macros/queue_metrics.sql.
with

segments as (
    select * from {{ ref('fct_queue_segments') }}
    where queue_name is not null
),

call_counts as (
    select
        date_trunc('week', queue_date)::date as week_start_date,
        channel,
        {{ queue_call_counts() }}
    from segments
    group by all
),

call_metrics as (
    select *, {{ queue_call_rates() }}
    from call_counts
),

final as (
    select
        week_start_date,
        channel,
        {{ queue_metric_columns('call_metrics') }},
        {{ var('sl_threshold_seconds') }}::integer as sl_threshold_seconds,
        {{ var('short_abandon_seconds') }}::integer as short_abandon_seconds
    from call_metrics
)

select * from final
