-- Operational and survey FCR per ISO week (from Monday, by the contact's date in the
-- reporting timezone) over every channel: the overview's `all` scope, computed from all the
-- week's contacts and responses, never from the channels' rates.
-- Formulas: macros/fcr_metrics.sql.
with

contacts as (
    -- Whether a contact was resolved on contact comes with its resolution.
    select contact_id, contact_date, channel, team_key, agent_id from {{ ref('fct_contacts') }}
),

resolutions as (
    select * from {{ ref('fct_contact_resolutions') }}
),

responses as (
    select * from {{ ref('fct_survey_responses') }}
    where is_contact_matched and is_resolved_answer is not null
),

operational as (
    -- fct_contact_resolutions holds the inbound contacts only.
    select
        date_trunc('week', contacts.contact_date)::date as week_start_date,
        {{ operational_fcr_counts() }}
    from resolutions
    inner join contacts
        on resolutions.contact_id = contacts.contact_id
    group by all
),

surveyed as (
    select
        date_trunc('week', contact_date)::date as week_start_date,
        {{ survey_fcr_counts() }}
    from responses
    group by all
),

final as (
    select
        coalesce(operational.week_start_date, surveyed.week_start_date) as week_start_date,
        {{ fcr_columns('operational', 'surveyed') }}
    from operational
    full outer join surveyed
        on operational.week_start_date = surveyed.week_start_date
)

select * from final
