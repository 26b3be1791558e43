with

responses as (
    select * from {{ ref('stg_surveys__responses') }}
),

contacts as (
    select * from {{ ref('fct_contacts') }}
),

referenced as (
    {{ with_survey_contact_id('responses') }}
),

final as (
    select
        referenced.survey_response_id,
        referenced.contact_id,
        contacts.contact_id is not null as is_contact_matched,
        contacts.channel,
        contacts.contact_date,
        contacts.agent_id,
        contacts.team_key,
        referenced.recorded_at,
        {{ reporting_date('referenced.recorded_at') }} as recorded_date,
        referenced.csat_scale,
        referenced.csat_score,
        -- The one place the CSAT top-2-box rule is written (KPI_DEFINITIONS.md section 4): a 4
        -- or 5 on the 1-5 scale, the only scale csat_score holds. Null without a score (a
        -- good/bad survey, or no answer), so it never counts for or against the rate.
        referenced.csat_score >= 4 as is_csat_top2,
        referenced.is_csat_good,
        referenced.nps_score,
        referenced.ces_score,
        referenced.is_resolved_answer,
        referenced.comment_text is not null as has_comment
    from referenced
    left join contacts
        on referenced.contact_id = contacts.contact_id
)

select * from final
