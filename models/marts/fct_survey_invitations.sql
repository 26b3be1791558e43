-- Surveys sent, each attributed to its contact like the responses, for response rates.
with

distributions as (
    select * from {{ ref('stg_surveys__distributions') }}
),

contacts as (
    select * from {{ ref('fct_contacts') }}
),

referenced as (
    {{ with_survey_contact_id('distributions') }}
),

final as (
    select
        referenced.contact_id,
        referenced.sent_at,
        contacts.contact_id is not null as is_contact_matched,
        contacts.channel,
        contacts.contact_date,
        contacts.agent_id,
        contacts.team_key
    from referenced
    left join contacts
        on referenced.contact_id = contacts.contact_id
)

select * from final
