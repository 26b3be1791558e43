with

source as (
    select * from {{ source('surveys', 'distributions') }}
),

final as (
    select distinct on (contact_system, contact_ref)
        contact_system || ':' || contact_ref as contact_id,
        {{ utc_from_local('SentDate', var('survey_account_timezone')) }} as sent_at,
        contact_system,
        contact_ref,
        Status as distribution_status,
        _source_file,
        _landing_date
    from source
    order by contact_system, contact_ref, _landing_date
)

select * from final
