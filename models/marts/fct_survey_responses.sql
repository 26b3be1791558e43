with

responses as (
    select * from {{ ref('stg_surveys__responses') }}
),

contact_records as (
    select contact_record_id, initial_contact_record_id from {{ ref('stg_telephony__contact_records') }}
),

contacts as (
    select * from {{ ref('int_contacts_unioned') }}
),

referenced as (
    -- A survey names the record it was sent for; a call's record leads to its chain's contact.
    select
        responses.*,
        case responses.contact_system
            when 'telephony' then 'telephony:' || coalesce(contact_records.initial_contact_record_id, responses.contact_ref)
            else responses.contact_system || ':' || responses.contact_ref
        end as contact_id
    from responses
    left join contact_records
        on responses.contact_system = 'telephony'
        and responses.contact_ref = contact_records.contact_record_id
),

final as (
    select
        referenced.survey_response_id,
        referenced.contact_id,
        contacts.contact_id is not null as is_contact_matched,
        contacts.channel,
        contacts.contact_date,
        referenced.recorded_at,
        {{ reporting_date('referenced.recorded_at') }} as recorded_date,
        referenced.csat_score,
        referenced.nps_score,
        referenced.ces_score,
        referenced.is_resolved_answer,
        referenced.comment_text is not null as has_comment
    from referenced
    left join contacts
        on referenced.contact_id = contacts.contact_id
)

select * from final
