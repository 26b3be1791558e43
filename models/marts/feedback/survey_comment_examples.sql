-- The one mart that carries comment text, deliberately, so a manager can read examples of a
-- theme next to its CSAT. The text is redacted here, before it can be published: email
-- addresses (any script), phone numbers (any country's way of writing them) and any run of 6
-- or more digits (order, account, card numbers) are replaced. Names are not: nothing in csops
-- can find a name, so a comment that names someone keeps the name.
with

comments as (
    select * from {{ ref('fct_survey_comments') }}
),

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

texts as (
    select survey_response_id, comment_text
    from {{ ref('stg_surveys__responses') }}
    where comment_text is not null
),

redacted as (
    -- Emails and phone numbers first (csops_redact, csops/redaction.py: libphonenumber's
    -- matcher in the ways twenty countries write a number, a Unicode-aware email pattern), then
    -- whatever run of 6+ digits is left (order, account, card numbers).
    select
        survey_response_id,
        comment_text,
        regexp_replace(csops_redact(comment_text), '\d{6,}', '[number]', 'g') as comment_text_redacted
    from texts
),

final as (
    select
        comments.survey_response_id,
        comments.contact_id,
        comments.is_contact_matched,
        comments.contact_date,
        -- ISO weeks (Monday) of the contact's date, as feedback_themes_weekly.
        date_trunc('week', comments.contact_date)::date as week_start_date,
        comments.channel,
        responses.team_key,
        responses.agent_id,
        comments.theme_keys,
        comments.theme_count,
        comments.csat_score,
        comments.sentiment_score,
        comments.sentiment_label,
        redacted.comment_text_redacted,
        redacted.comment_text_redacted <> redacted.comment_text as is_comment_redacted
    from comments
    inner join redacted
        on comments.survey_response_id = redacted.survey_response_id
    left join responses
        on comments.survey_response_id = responses.survey_response_id
)

select * from final
