-- Surveys sent, for response rates. Qualtrics' distribution history names the directory
-- contact (the customer), not the ticket or call surveyed: an invitation is attributed to its
-- contact (channel, date, agent, team) through its response's embedded data, so only once
-- answered. An unanswered invitation still says when it was sent and how far it got
-- (delivered, opened, bounced), but not for which contact.
with

invitations as (
    select * from {{ ref('stg_surveys__distribution_history') }}
),

responses as (
    select survey_response_id, contact_system, contact_ref from {{ ref('stg_surveys__responses') }}
),

contacts as (
    select * from {{ ref('fct_contacts') }}
),

answered as (
    select
        invitations.*,
        responses.contact_system,
        responses.contact_ref,
        -- Answered even when the contact reference was withheld (null): the response exists.
        responses.survey_response_id as responded_survey_response_id
    from invitations
    left join responses
        on invitations.survey_response_id = responses.survey_response_id
),

referenced as (
    {{ with_survey_contact_id('answered') }}
),

final as (
    select
        referenced.survey_invitation_id,
        referenced.contact_id,
        referenced.sent_at,
        referenced.distribution_status,
        referenced.responded_survey_response_id is not null as is_responded,
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
