-- A table, not a view: its identity columns come from csops's functions (csops/dbt_functions.py),
-- computed once here, and any reader of the warehouse can query them without those functions.
{{ config(materialized='table') }}

with

deduplicated as (
    -- An export window can overlap the previous one: a response id counts once. The legacy
    -- layout has no RecordedDate: EndDate is when the response was submitted.
    {{ keep_one_version(source('surveys', 'responses'), 'ResponseId',
                        'try_cast(coalesce(RecordedDate, EndDate) as timestamp) desc') }}
),

response_statuses as (
    select * from {{ ref('survey_response_statuses') }}
),

question_map as (
    select * from {{ ref('survey_question_map') }}
),

scale_answers as (
    -- Labels match ignoring case and spacing, as the load checked them.
    select scale, lower(regexp_replace(trim(answer), '\s+', ' ', 'g')) as folded_answer, answer_value
    from {{ ref('survey_scales') }}
),

counted as (
    -- Previews, tests and spam (Status 1, 2, 8, 9, 12, 17 or their labels) sit beside real
    -- responses in an export; they stay in raw for the audit trail and stop here, so no KPI
    -- can count them. A status the seed does not know was rejected by the load.
    select deduplicated.*
    from deduplicated
    left join response_statuses
        on lower(trim(deduplicated.Status)) in (response_statuses.status_code::varchar, lower(response_statuses.status_label))
    where coalesce(response_statuses.is_counted, true)
),

mapped_answers as (
    -- Each mapped measure's answer, from its column by name or else by ImportId
    -- (seeds/survey_question_map.csv), as exported: a value or a choice-text label.
    select
        counted.ResponseId,
        question_map.measure,
        question_map.scale,
        question_map.contact_system,
        nullif(trim(coalesce(
            json_extract_string(counted.answers, '$."' || question_map.column_name || '"'),
            json_extract_string(counted.answers_by_import_id, '$."' || question_map.import_id || '"')
        )), '') as answer_text
    from counted
    inner join question_map
        on counted.survey_key = question_map.survey_key
),

scored_answers as (
    -- A label is read as its scale's value (seeds/survey_scales.csv); an answer off its scale
    -- was rejected by the load, so none is left unread here.
    select
        mapped_answers.*,
        scale_answers.answer_value
    from mapped_answers
    left join scale_answers
        on mapped_answers.scale = scale_answers.scale
        and lower(regexp_replace(mapped_answers.answer_text, '\s+', ' ', 'g')) = scale_answers.folded_answer
),

measures as (
    select
        ResponseId,
        any_value(scale) filter (where measure = 'csat') as csat_scale,
        any_value(answer_value) filter (where measure = 'csat') as csat_value,
        any_value(answer_value) filter (where measure = 'nps') as nps_score,
        any_value(answer_value) filter (where measure = 'ces') as ces_score,
        any_value(answer_value) filter (where measure = 'resolved') as resolved_value,
        any_value(answer_text) filter (where measure = 'comment') as comment_text,
        -- The load made sure a counted response names exactly one contact.
        any_value(contact_system) filter (where measure = 'contact_ref' and answer_text is not null) as contact_system,
        any_value(answer_text) filter (where measure = 'contact_ref' and answer_text is not null) as contact_ref
    from scored_answers
    group by ResponseId
),

shaped_measures as (
    -- The contact surveyed is kept only when it has the shape of one: a Zendesk ticket id
    -- (digits) or an Amazon Connect ContactId (a UUID). Anything else in the field was typed
    -- by someone (an email, a phone number, a sentence) and is withheld here, so it cannot
    -- reach a mart through the contact id: the response stays, matched to no contact, and the
    -- warn-level not_null test on contact_ref counts them.
    select
        *,
        contact_ref is not null and not coalesce(case contact_system
            when 'crm' then regexp_full_match(contact_ref, '[0-9]{1,19}')
            when 'telephony' then regexp_full_match(
                contact_ref, '[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}')
        end, false) as is_contact_ref_withheld
    from measures
),

final as (
    select
        counted.ResponseId as survey_response_id,
        counted.survey_key,
        -- Qualtrics writes dates in the zone its ImportId row names, else the account's.
        timezone(
            coalesce(counted.export_timezone, '{{ var("survey_account_timezone") }}'),
            try_cast(coalesce(counted.RecordedDate, counted.EndDate) as timestamp)
        ) at time zone 'UTC' as recorded_at,
        timezone(
            coalesce(counted.export_timezone, '{{ var("survey_account_timezone") }}'),
            try_cast(counted.StartDate as timestamp)
        ) at time zone 'UTC' as started_at,
        lower(trim(counted.Finished)) in ('1', 'true') as is_finished,
        measures.csat_scale,
        case when measures.csat_scale = '1-5' then measures.csat_value::integer end as csat_score,
        -- good/bad: the legacy Zendesk rating, 1 good and 2 bad; reported apart from 1-5 scores.
        case when measures.csat_scale = 'good_bad' then measures.csat_value = 1 end as is_csat_good,
        measures.nps_score::integer as nps_score,
        measures.ces_score::integer as ces_score,
        -- "Was your issue resolved?": 1 yes, 2 no.
        measures.resolved_value = 1 as is_resolved_answer,
        measures.comment_text,
        csops_email_key(counted.RecipientEmail) as recipient_email_key,
        measures.contact_system,
        case when not measures.is_contact_ref_withheld then measures.contact_ref end as contact_ref,
        measures.is_contact_ref_withheld,
        counted._source_file,
        counted._source_line,
        counted._landing_date
    from counted
    inner join shaped_measures as measures
        on counted.ResponseId = measures.ResponseId
)

select * from final
