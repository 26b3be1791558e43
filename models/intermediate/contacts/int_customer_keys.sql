-- A table, not a view: its keys come from csops's functions (csops/dbt_functions.py), computed
-- once here, and any reader of the warehouse can query them without those functions.
{{ config(materialized='table') }}

-- One customer across systems (KPI_DEFINITIONS.md section 3): Zendesk knows a customer by
-- their user id, phone and email; Connect by the calling number. Identifiers arrive here
-- already normalised and pseudonymised (keyed hashes, stg_crm__user_identifiers), every one a
-- customer has had: one who changed their number is still the caller of their past calls. A
-- customer is the lowest Zendesk user id among the users sharing any of their phones or emails
-- (one hop: two Zendesk accounts with the same phone are one customer); a caller Zendesk does
-- not know is known by their number alone. People who were ever agents are no customers.
-- The customer's key is a keyed hash of that lowest user id (`crm:<hash>`, csops_crm_user_key),
-- never the id itself: Zendesk's user id is the vendor's handle on the person. The hash is
-- taken last, so the matching above works on ids, as before.
with

customers as (
    select crm_user_id from {{ ref('stg_crm__users') }} where not was_agent
),

identifiers as (
    select identifiers.crm_user_id, identifiers.phone_key, identifiers.email_key
    from {{ ref('stg_crm__user_identifiers') }} as identifiers
    inner join customers
        on identifiers.crm_user_id = customers.crm_user_id
),

lowest_by_phone as (
    select phone_key, min(crm_user_id) as crm_user_id from identifiers where phone_key is not null group by all
),

lowest_by_email as (
    select email_key, min(crm_user_id) as crm_user_id from identifiers where email_key is not null group by all
),

canonical as (
    select
        customers.crm_user_id,
        least(
            customers.crm_user_id,
            min(lowest_by_phone.crm_user_id),
            min(lowest_by_email.crm_user_id)
        ) as customer_crm_user_id
    from customers
    left join identifiers
        on customers.crm_user_id = identifiers.crm_user_id
    left join lowest_by_phone
        on identifiers.phone_key = lowest_by_phone.phone_key
    left join lowest_by_email
        on identifiers.email_key = lowest_by_email.email_key
    group by customers.crm_user_id
),

phone_keys as (
    select identifiers.phone_key as identifier, min(canonical.customer_crm_user_id) as customer_crm_user_id
    from identifiers
    inner join canonical
        on identifiers.crm_user_id = canonical.crm_user_id
    where identifiers.phone_key is not null
    group by all
),

email_keys as (
    select identifiers.email_key as identifier, min(canonical.customer_crm_user_id) as customer_crm_user_id
    from identifiers
    inner join canonical
        on identifiers.crm_user_id = canonical.crm_user_id
    where identifiers.email_key is not null
    group by all
),

identifiers_with_customer as (
    select 'crm_user_id' as identifier_type, crm_user_id::varchar as identifier, customer_crm_user_id from canonical
    union all
    select 'phone_key', identifier, customer_crm_user_id from phone_keys
    union all
    select 'email_key', identifier, customer_crm_user_id from email_keys
),

final as (
    select
        identifier_type,
        identifier,
        'crm:' || csops_crm_user_key(customer_crm_user_id::varchar) as customer_key
    from identifiers_with_customer
)

select * from final
