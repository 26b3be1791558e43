-- A table, not a view: its identity columns come from csops's functions (csops/dbt_functions.py),
-- computed once here, and any reader of the warehouse can query them without those functions.
{{ config(materialized='table') }}

with

deduplicated as (
    -- An export window can overlap the previous one: a response id counts once.
    {{ keep_one_version(source('surveys', 'responses'), 'ResponseId', 'try_cast(RecordedDate as timestamp) desc') }}
),

csat_scale as (
    -- Each survey's CSAT scale is declared in seeds/survey_scales.csv: 1-5, or good/bad
    -- (the legacy Zendesk rating); the two are reported apart, never blended.
    select scale as csat_scale from {{ ref('survey_scales') }} where survey_source = 'qualtrics' and measure = 'csat'
),

final as (
    select
        ResponseId as survey_response_id,
        {{ utc_from_local('RecordedDate', var('survey_account_timezone')) }} as recorded_at,
        lower(Finished) = 'true' as is_finished,
        -- Each question is read on its own scale; a value off the scale is null here and
        -- is caught by the load's checks, never averaged in.
        csat_scale.csat_scale,
        case when csat_scale.csat_scale = '1-5' and try_cast(Q1 as integer) between 1 and 5 then try_cast(Q1 as integer) end as csat_score,
        case when csat_scale.csat_scale = 'good_bad' then case Q1 when '1' then true when '2' then false end end as is_csat_good,
        case when try_cast(Q2 as integer) between 0 and 10 then try_cast(Q2 as integer) end as nps_score,
        case when try_cast(Q3 as integer) between 1 and 7 then try_cast(Q3 as integer) end as ces_score,
        case Q4 when '1' then true when '2' then false end as is_resolved_answer,
        nullif(trim(Q5_TEXT), '') as comment_text,
        csops_email_key(RecipientEmail) as recipient_email_key,
        contact_system,
        contact_ref,
        _source_file,
        _landing_date
    from deduplicated
    left join csat_scale on true
)

select * from final
