with

latest as (
    -- A daily pull of the distribution history hands an invitation over again each time its
    -- status moves on (sent, opened, finished): the furthest along wins.
    {{ keep_one_version(source('surveys', 'distribution_history'), '"distributionID", "contactId"',
                        'try_cast(coalesce(responseCompletedAt, responseStartedAt, openedAt, sentAt) as timestamptz) desc nulls last') }}
),

final as (
    select
        "distributionID" || ':' || "contactId" as survey_invitation_id,
        "distributionID" as distribution_id,
        -- The customer in Qualtrics' directory: not the ticket or call surveyed, which only the
        -- response's embedded data names.
        "contactId" as qualtrics_contact_id,
        status as distribution_status,
        {{ utc_from_iso('sentAt') }} as sent_at,
        {{ utc_from_iso('openedAt') }} as opened_at,
        {{ utc_from_iso('responseStartedAt') }} as response_started_at,
        {{ utc_from_iso('responseCompletedAt') }} as response_completed_at,
        -- "Anonymous" when the survey anonymises its responses: no response to link to.
        case when "responseId" like 'R\_%' escape '\' then "responseId" end as survey_response_id,
        _source_file,
        _landing_date
    from latest
)

select * from final
