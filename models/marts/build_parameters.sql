with

contacts as (
    select max(created_at) as latest_contact_at from {{ ref('int_contacts_unioned') }}
),

responses as (
    select max(recorded_at) as latest_response_at from {{ ref('stg_surveys__responses') }}
),

final as (
    select
        {% if var('as_of_at') is none -%}
        greatest(contacts.latest_contact_at, responses.latest_response_at)
        {%- else -%}
        '{{ var("as_of_at") }}'::timestamp
        {%- endif %} as as_of_at,
        '{{ var("reporting_timezone") }}' as reporting_timezone,
        {{ var('min_responses') }}::integer as min_responses,
        {{ var('sl_threshold_seconds') }}::integer as sl_threshold_seconds,
        {{ var('fcr_window_days') }}::integer as fcr_window_days,
        current_timestamp at time zone 'UTC' as built_at
    from contacts
    cross join responses
)

select * from final
