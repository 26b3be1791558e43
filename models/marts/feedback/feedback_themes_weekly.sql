with

comments as (
    -- Like the feedback marts: dated by the contact (reporting timezone), and only responses
    -- whose contact is in the warehouse.
    select * from {{ ref('fct_survey_comments') }}
    where is_contact_matched
),

mentions as (
    select * from {{ ref('int_survey_comment_themes') }}
),

theme_list as (
    select * from {{ ref('feedback_themes') }}
),

themes as (
    -- The lexicon's fingerprint travels with each row: an edited theme list changes it, so
    -- a week counted with other patterns is never silently compared as if it were the same.
    select
        theme_key,
        min(theme_label) as theme_label,
        count(*) as theme_pattern_count,
        md5(string_agg(pattern, chr(10) order by pattern)) as theme_lexicon_md5
    from theme_list
    where nullif(trim(pattern), '') is not null
    group by theme_key
),

dated as (
    -- ISO weeks: Monday to Sunday, as the feedback marts.
    select
        survey_response_id,
        date_trunc('week', contact_date)::date as week_start_date,
        csat_score,
        is_csat_top2,
        sentiment_score
    from comments
),

weeks as (
    select
        week_start_date,
        count(*) as comment_count
    from dated
    group by week_start_date
),

theme_weeks as (
    -- Every theme in every week with comments, so a theme nobody mentioned shows 0.
    select
        weeks.week_start_date,
        weeks.comment_count,
        themes.theme_key,
        themes.theme_label,
        themes.theme_pattern_count,
        themes.theme_lexicon_md5
    from weeks
    cross join themes
),

mentioned as (
    select
        dated.week_start_date,
        mentions.theme_key,
        count(*) as mention_count,
        {{ csat_response_counts() }},
        avg(dated.csat_score) as csat_mean_score,
        -- 6 decimals: a sum of doubles depends on the order rows arrive in (an incremental
        -- build and a full one add them in different orders); the scores themselves have 4.
        round(avg(dated.sentiment_score), 6) as sentiment_mean_score
    from dated
    inner join mentions
        on dated.survey_response_id = mentions.survey_response_id
    group by all
),

counted as (
    select
        theme_weeks.week_start_date,
        theme_weeks.theme_key,
        theme_weeks.theme_label,
        coalesce(mentioned.mention_count, 0) as mention_count,
        theme_weeks.comment_count,
        coalesce(mentioned.mention_count, 0) / theme_weeks.comment_count as comment_share_rate,
        coalesce(mentioned.csat_response_count, 0) as csat_response_count,
        coalesce(mentioned.csat_top2_response_count, 0) as csat_top2_response_count,
        mentioned.csat_mean_score,
        mentioned.sentiment_mean_score,
        theme_weeks.theme_pattern_count,
        theme_weeks.theme_lexicon_md5
    from theme_weeks
    left join mentioned
        on theme_weeks.week_start_date = mentioned.week_start_date
        and theme_weeks.theme_key = mentioned.theme_key
),

measured as (
    select
        counted.week_start_date,
        counted.theme_key,
        counted.theme_label,
        counted.mention_count,
        counted.comment_count,
        counted.comment_share_rate,
        counted.csat_response_count,
        counted.csat_top2_response_count,
        {{ csat_top2_columns('counted.csat_top2_response_count', 'counted.csat_response_count') }},
        counted.csat_mean_score,
        counted.sentiment_mean_score,
        -- Against the calendar week before; null when that week had no comments (or is
        -- before the data), since a share of no comments is undefined.
        counted.mention_count - previous.mention_count as mention_count_change,
        counted.comment_share_rate - previous.comment_share_rate as comment_share_rate_change,
        counted.theme_pattern_count,
        counted.theme_lexicon_md5
    from counted
    left join counted as previous
        on counted.theme_key = previous.theme_key
        and previous.week_start_date = counted.week_start_date - 7
),

final as (
    -- The themes in the order a manager reads them, by the rule of the other feedback marts.
    select
        *,
        {{ csat_rank('week_start_date', 'theme_key') }} as csat_rank
    from measured
)

select * from final
