-- The one mart that carries comment text, deliberately, so a manager can read examples of a
-- theme next to its CSAT. The text is redacted here, before it can be published: email
-- addresses, phone numbers and any run of 6 or more digits (order, account, card numbers)
-- are replaced. Names are not: nothing in csops can find a name, so a comment that names
-- someone keeps the name.
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
    -- Emails first (an address can hold digits), then phone numbers (a number with a + and
    -- country code; a North American number with or without its area code, in any of the
    -- usual separators), then whatever run of 6+ digits is left. RE2 has no look-around, so
    -- each rule is its own pass.
    select
        survey_response_id,
        comment_text,
        regexp_replace(
            regexp_replace(
                regexp_replace(
                    regexp_replace(
                        comment_text,
                        '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+', '[email]', 'g'
                    ),
                    '\+\d{1,3}(?:[ .-]*\(?\d{1,4}\)?){2,5}', '[phone]', 'g'
                ),
                '(?:\b1[ .-])?(?:\(\d{3}\)[ .-]?|\b\d{3}[ .-])?\b\d{3}[ .-]\d{4}\b', '[phone]', 'g'
            ),
            '\d{6,}', '[number]', 'g'
        ) as comment_text_redacted
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
