with

contact_records as (
    select * from {{ ref('stg_telephony__contact_records') }}
),

tickets as (
    select * from {{ ref('stg_crm__tickets') }}
),

calls as (
    -- A call's chain of records (transfers, callbacks) is one customer contact, dated and
    -- channelled by its first record.
    select
        'telephony:' || initial_contact_record_id as contact_id,
        'telephony' as source_system,
        initial_contact_record_id as source_contact_ref,
        channel,
        initiated_at as created_at,
        issue_category
    from contact_records
    where initiation_method = 'INBOUND'
        and contact_record_id = initial_contact_record_id
),

ticket_contacts as (
    select
        'crm:' || ticket_id as contact_id,
        'crm' as source_system,
        ticket_id::varchar as source_contact_ref,
        channel,
        created_at,
        issue_category
    from tickets
),

unioned as (
    select * from calls
    union all
    select * from ticket_contacts
),

final as (
    select
        *,
        {{ reporting_date('created_at') }} as contact_date
    from unioned
)

select * from final
