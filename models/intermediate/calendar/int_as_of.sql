-- The build's "now" (KPI_DEFINITIONS.md: the as-of time): the `as_of_at` var when set,
-- else the latest event in the data, so a replayed history gives the same numbers every time.
-- Every model that asks "is it still open?", "is the window closed?" reads it from here.
with

-- Read from staging, not from the contacts: the ticket models (and through them the
-- contacts) stop at the as-of time, so it must not depend on them.
contacts as (
    select greatest(
        (select max(created_at) from {{ ref('stg_crm__tickets') }}),
        (select max(initiated_at) from {{ ref('stg_telephony__contact_records') }})
    ) as latest_contact_at
),

audits as (
    select max(created_at) as latest_audit_at from {{ ref('stg_crm__ticket_audits') }}
),

calls as (
    select max(disconnected_at) as latest_call_end_at from {{ ref('stg_telephony__contact_records') }}
),

responses as (
    select max(recorded_at) as latest_response_at from {{ ref('stg_surveys__responses') }}
),

final as (
    select
        {% if var('as_of_at') is none -%}
        greatest(
            contacts.latest_contact_at,
            audits.latest_audit_at,
            calls.latest_call_end_at,
            responses.latest_response_at
        )
        {%- else -%}
        '{{ var("as_of_at") }}'::timestamp
        {%- endif %} as as_of_at
    from contacts
    cross join audits
    cross join calls
    cross join responses
)

select * from final
