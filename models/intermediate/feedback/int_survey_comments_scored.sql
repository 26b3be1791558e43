-- The sentiment comes from a Python function (csops_sentiment, csops/dbt_functions.py),
-- computed here once per response and read by the theme model and the marts. Incremental:
-- a response's comment does not change, so a build scores only the responses it has not
-- seen (VADER scores ~16k comments/s: a minute per million). `--full-refresh` rescores all,
-- as after a change of the sentiment method; tests/marts/test_incremental.py checks both agree.
{{ config(materialized='incremental', unique_key='survey_response_id', incremental_strategy='delete+insert') }}

with

responses as (
    select survey_response_id, comment_text
    from {{ ref('stg_surveys__responses') }}
    where comment_text is not null
    {% if is_incremental() -%}
        and survey_response_id not in (select survey_response_id from {{ this }})
    {%- endif %}
),

normalised as (
    select
        survey_response_id,
        csops_sentiment(comment_text) as sentiment_score,
        -- The text the theme lexicon matches: lower case, plain apostrophes, no accents, and
        -- masked so it holds no email address, phone number or other digits (a customer's
        -- name can remain: nothing here finds names). Digits become '#' one for one, so a
        -- pattern can still say "#+ hours".
        regexp_replace(
            regexp_replace(
                regexp_replace(
                    strip_accents(lower(replace(replace(comment_text, '’', ''''), '‘', ''''))),
                    '[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]+', '<email>', 'g'
                ),
                '[0-9]', '#', 'g'
            ),
            '\s+', ' ', 'g'
        ) as comment_match_text,
        length(comment_text) as comment_character_count
    from responses
),

final as (
    select
        survey_response_id,
        comment_match_text,
        comment_character_count,
        sentiment_score,
        case
            when sentiment_score > {{ var('sentiment_neutral_band') }} then 'positive'
            when sentiment_score < -{{ var('sentiment_neutral_band') }} then 'negative'
            else 'neutral'
        end as sentiment_label,
        {{ var('sentiment_neutral_band') }}::double as sentiment_neutral_band
    from normalised
)

select * from final
