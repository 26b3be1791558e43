{#- The theme list (seed feedback_themes, one row per theme x pattern) is read when the model
    runs and written into the SQL as one constant regular expression per theme. DuckDB
    compiles a constant pattern once; a pattern taken from a joined column is compiled again
    for every row (about 10 microseconds each: minutes over millions of comments x themes).
    A pattern matches from the start of a word (after the start of the text or a non-word
    character), so "refund" also finds "refunds" and "refunded" but not "nonrefundable". -#}
-- depends_on: {{ ref('feedback_themes') }}
{{ config(materialized='table') }}

{%- set theme_query -%}
    select
        theme_key,
        '(?:^|\W)((?:' || string_agg(pattern, ')|(?:' order by pattern) || ')\w*)' as theme_regex
    from {{ ref('feedback_themes') }}
    where nullif(trim(pattern), '') is not null
    group by theme_key
    order by theme_key
{%- endset -%}
{%- set themes = run_query(theme_query).rows if execute else [] %}

with

comments as (
    select survey_response_id, comment_match_text
    from {{ ref('int_survey_comments_scored') }}
),

matched as (
    {%- for theme in themes %}
    select
        survey_response_id,
        '{{ theme[0] | replace("'", "''") }}' as theme_key,
        -- The words that matched (from the lexicon's reach, in masked text): shows a manager
        -- why a comment got the theme when tuning the list.
        regexp_extract(comment_match_text, '{{ theme[1] | replace("'", "''") }}', 1) as matched_phrase
    from comments
    where regexp_matches(comment_match_text, '{{ theme[1] | replace("'", "''") }}')
    {% if not loop.last %}union all{% endif %}
    {%- else %}
    -- An empty theme list matches nothing.
    select survey_response_id, null::varchar as theme_key, null::varchar as matched_phrase
    from comments
    where false
    {%- endfor %}
),

final as (
    select
        survey_response_id,
        theme_key,
        matched_phrase
    from matched
)

select * from final
