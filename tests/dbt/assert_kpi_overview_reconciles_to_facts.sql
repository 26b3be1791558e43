-- kpi_overview_weekly's 'all' n reconciles to the fact tables (KPI_DEFINITIONS.md section 7),
-- week by week: CSAT n to the matched 1-5 responses of fct_survey_responses, SLA compliance n
-- to the settled first-response SLAs of fct_ticket_slas, and ASA n to the answered queue
-- segments of fct_queue_segments. Fails on every (week, KPI) that differs.
with

overview as (
    select * from {{ ref('kpi_overview_weekly') }}
    where channel_scope = 'all'
),

csat_responses as (
    select date_trunc('week', contact_date)::date as week_start_date, 'csat_top2_rate' as kpi_name, count(*) as sample_size
    from {{ ref('fct_survey_responses') }}
    where is_contact_matched and csat_score is not null
    group by all
),

settled_slas as (
    select date_trunc('week', created_date)::date as week_start_date, 'sla_compliance_rate' as kpi_name, count(*) as sample_size
    from {{ ref('fct_ticket_slas') }}
    where sla_kind = 'first_response' and sla_status in ('met', 'breached')
    group by all
),

answered_calls as (
    select date_trunc('week', queue_date)::date as week_start_date, 'asa_seconds' as kpi_name, count(*) as sample_size
    from {{ ref('fct_queue_segments') }}
    where is_offered and queue_outcome = 'answered'
    group by all
),

facts as (
    select * from csat_responses
    union all
    select * from settled_slas
    union all
    select * from answered_calls
),

final as (
    select
        coalesce(overview.week_start_date, facts.week_start_date) as week_start_date,
        coalesce(overview.kpi_name, facts.kpi_name) as kpi_name,
        overview.sample_size as overview_sample_size,
        facts.sample_size as facts_sample_size
    from (select * from overview where kpi_name in (select kpi_name from facts)) as overview
    full outer join facts
        on overview.week_start_date = facts.week_start_date
        and overview.kpi_name = facts.kpi_name
    -- A week with only zero-n rows (invitations but no 1-5 response) has no fact row.
    where coalesce(overview.sample_size, 0) != coalesce(facts.sample_size, 0)
)

select * from final
