-- Carries no comment text: real comments can hold names, phone numbers and emails, and this
-- table is published to the app. The text stays in staging and, masked, in intermediate.
with

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

scored as (
    select * from {{ ref('int_survey_comments_scored') }}
),

mentions as (
    select * from {{ ref('int_survey_comment_themes') }}
),

themes_per_response as (
    select
        survey_response_id,
        list(theme_key order by theme_key) as theme_keys
    from mentions
    group by survey_response_id
),

final as (
    select
        scored.survey_response_id,
        responses.contact_id,
        responses.is_contact_matched,
        responses.channel,
        responses.contact_date,
        responses.csat_score,
        responses.is_csat_top2,
        coalesce(themes_per_response.theme_keys, []::varchar[]) as theme_keys,
        coalesce(len(themes_per_response.theme_keys), 0)::integer as theme_count,
        scored.sentiment_score,
        scored.sentiment_label,
        scored.sentiment_neutral_band,
        scored.comment_character_count::integer as comment_character_count
    from scored
    inner join responses
        on scored.survey_response_id = responses.survey_response_id
    left join themes_per_response
        on scored.survey_response_id = themes_per_response.survey_response_id
)

select * from final
