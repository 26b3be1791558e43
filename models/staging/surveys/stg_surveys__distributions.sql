with

first_sent as (
    -- A contact is surveyed once; a re-send keeps the first invitation's time.
    {{ keep_one_version(source('surveys', 'distributions'), "contact_system, contact_ref", 'try_cast(SentDate as timestamp) asc') }}
),

final as (
    select
        {{ utc_from_local('SentDate', var('survey_account_timezone')) }} as sent_at,
        contact_system,
        contact_ref,
        Status as distribution_status,
        _source_file,
        _landing_date
    from first_sent
)

select * from final
