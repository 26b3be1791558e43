-- Operational and survey FCR per contact date (reporting timezone) and channel.
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
        contact_date as contact_date,
        contacts.channel,
        {{ operational_fcr_counts() }}
    from resolutions
    inner join contacts
        on resolutions.contact_id = contacts.contact_id
    group by all
),

surveyed as (
    select
        contact_date as contact_date,
        channel,
        {{ survey_fcr_counts() }}
    from responses
    group by all
),

final as (
    select
        coalesce(operational.contact_date, surveyed.contact_date) as contact_date,
        coalesce(operational.channel, surveyed.channel) as channel,
        {{ fcr_columns('operational', 'surveyed') }}
    from operational
    full outer join surveyed
        on operational.contact_date = surveyed.contact_date
        and operational.channel is not distinct from surveyed.channel
)

select * from final
