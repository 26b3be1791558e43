with

as_of as (
    select * from {{ ref('int_as_of') }}
),

final as (
    select
        as_of.as_of_at,
        '{{ var("reporting_timezone") }}' as reporting_timezone,
        {{ var('min_responses') }}::integer as min_responses,
        {{ var('sl_threshold_seconds') }}::integer as sl_threshold_seconds,
        {{ var('fcr_window_days') }}::integer as fcr_window_days,
        {{ var('short_abandon_seconds') }}::integer as short_abandon_seconds,
        -- The registry's target, the one Erlang C staffs for (seeds/kpi_registry.csv).
        {{ kpi_target('service_level_rate') }} as service_level_target,
        {{ var('queue_interval_minutes') }}::integer as queue_interval_minutes,
        {{ var('training_window_weeks') }}::integer as training_window_weeks,
        {{ var('training_min_agents') }}::integer as training_min_agents,
        {{ var('sentiment_neutral_band') }}::double as sentiment_neutral_band,
        '{{ var("crm_bot_user_ids") | join(",") }}' as crm_bot_user_ids,
        current_timestamp at time zone 'UTC' as built_at
    from as_of
)

select * from final
