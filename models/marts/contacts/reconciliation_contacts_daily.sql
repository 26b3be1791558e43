-- What an auditor checks (KPI_DEFINITIONS.md section 7): the contacts of each day and
-- channel counted three times, independently: from the staged sources (a chain's first
-- record that came in; a ticket a customer opened), in the contact fact, and in the FCR mart.
-- Every row must reconcile; a dbt test fails the build when one does not.
with

staged_chains as (
    -- Each inbound call chain from its records: dated and channelled by its first record, a
    -- contact when any of its records entered a queue (KPI_DEFINITIONS.md section 1: a call
    -- that ended in the IVR is counted apart, never as a contact).
    select
        {{ reporting_date('first_records.initiated_at') }} as contact_date,
        first_records.channel,
        bool_or(chain_records.queue_name is not null) as has_entered_queue
    from {{ ref('stg_telephony__contact_records') }} as first_records
    inner join {{ ref('stg_telephony__contact_records') }} as chain_records
        on first_records.contact_record_id = chain_records.initial_contact_record_id
    where first_records.contact_record_id = first_records.initial_contact_record_id
        and first_records.initiation_method = 'INBOUND'
        and first_records.is_customer_contact is not false
    group by first_records.contact_record_id, first_records.initiated_at, first_records.channel
),

staged_calls as (
    select
        contact_date,
        channel,
        count(*) filter (where has_entered_queue) as staged_contact_count,
        count(*) filter (where not has_entered_queue) as ivr_only_call_count
    from staged_chains
    group by contact_date, channel
),

staged_tickets as (
    select {{ reporting_date('tickets.created_at') }} as contact_date, tickets.channel, count(*) as staged_contact_count
    from {{ ref('stg_crm__tickets') }} as tickets
    -- "Opened by an agent" is one rule (int_tickets_summarized: the submitter's role then).
    inner join {{ ref('int_tickets_summarized') }} as lifecycles
        on tickets.ticket_id = lifecycles.ticket_id
    where not lifecycles.is_agent_created
    group by all
),

staged as (
    select contact_date, channel, sum(staged_contact_count) as staged_contact_count,
        sum(ivr_only_call_count) as ivr_only_call_count
    from (
        select * from staged_calls
        union all by name
        select *, 0 as ivr_only_call_count from staged_tickets
    )
    group by all
),

facts as (
    select contact_date, channel, count(*) as fact_contact_count
    from {{ ref('fct_contacts') }}
    where is_inbound
    group by all
),

marts as (
    select contact_date, channel, inbound_contact_count as mart_contact_count
    from {{ ref('fcr_by_channel_day') }}
    where inbound_contact_count > 0
),

reconciled as (
    select
        coalesce(staged.contact_date, facts.contact_date, marts.contact_date) as contact_date,
        coalesce(staged.channel, facts.channel, marts.channel) as channel,
        coalesce(staged.staged_contact_count, 0)::bigint as staged_contact_count,
        coalesce(facts.fact_contact_count, 0) as fact_contact_count,
        coalesce(marts.mart_contact_count, 0) as mart_contact_count,
        coalesce(staged.ivr_only_call_count, 0)::bigint as ivr_only_call_count,
        coalesce(staged.staged_contact_count, 0) = coalesce(facts.fact_contact_count, 0)
            and coalesce(facts.fact_contact_count, 0) = coalesce(marts.mart_contact_count, 0) as is_reconciled
    from staged
    full outer join facts
        on staged.contact_date = facts.contact_date and staged.channel = facts.channel
    full outer join marts
        on coalesce(staged.contact_date, facts.contact_date) = marts.contact_date
        and coalesce(staged.channel, facts.channel) = marts.channel
),

trailing_volume as (
    -- A day's volume against the same weekday of the 4 weeks before (days of this mart only:
    -- a weekday with no row is no day of evidence), for the volume check of
    -- csops/orchestration/quality.py: a sudden drop or spike is a load gone wrong more often
    -- than a real change.
    select
        *,
        avg(mart_contact_count) over same_weekdays_before as trailing_4_weeks_same_weekday_mean_contact_count,
        count(*) over same_weekdays_before as trailing_same_weekday_days
    from reconciled
    window same_weekdays_before as (
        partition by channel, isodow(contact_date)
        order by contact_date
        range between interval 28 day preceding and interval 1 day preceding
    )
),

final as (
    select
        *,
        -- Only against a full 4 weeks of history and a mean big enough for a ratio to mean
        -- something (dbt var volume_min_trailing_mean_contacts); null otherwise.
        case when trailing_same_weekday_days = 4
                and trailing_4_weeks_same_weekday_mean_contact_count >= {{ var('volume_min_trailing_mean_contacts') }}
            then round(mart_contact_count / trailing_4_weeks_same_weekday_mean_contact_count, 3)
        end as volume_ratio_to_trailing_mean
    from trailing_volume
)

select * from final
