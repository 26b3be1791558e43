{#- The contact a survey (a response, or an invitation through its response) was sent for:
    `relation`'s rows plus `contact_id` (null where `contact_system` is). A response names the
    record it was sent for in its embedded data; a call's record leads to its chain's contact
    (fct_contacts' key). -#}
{% macro with_survey_contact_id(relation) %}
    select
        surveys.*,
        case surveys.contact_system
            when 'telephony' then 'telephony:' || coalesce(contact_records.initial_contact_record_id, surveys.contact_ref)
            else surveys.contact_system || ':' || surveys.contact_ref
        end as contact_id
    from {{ relation }} as surveys
    left join {{ ref('stg_telephony__contact_records') }} as contact_records
        on surveys.contact_system = 'telephony'
        and surveys.contact_ref = contact_records.contact_record_id
{% endmacro %}
