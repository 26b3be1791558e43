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
        current_timestamp at time zone 'UTC' as built_at
    from as_of
)

select * from final
