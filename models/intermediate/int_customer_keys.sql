-- One customer across systems (KPI_DEFINITIONS.md section 3): Zendesk knows a customer by
-- their user id, phone and email; Connect by the calling number. Identifiers arrive here
-- already normalised and pseudonymised (keyed hashes, stg_crm__users). A customer is the
-- lowest Zendesk user id among the users sharing their phone or email (one hop: two
-- Zendesk accounts with the same phone are one customer); a caller Zendesk does not know
-- is known by their number alone.
with

crm_customers as (
    select crm_user_id, phone_key, email_key from {{ ref('stg_crm__users') }} where not is_agent
),

lowest_by_phone as (
    select phone_key, min(crm_user_id) as crm_user_id from crm_customers where phone_key is not null group by all
),

lowest_by_email as (
    select email_key, min(crm_user_id) as crm_user_id from crm_customers where email_key is not null group by all
),

canonical as (
    select
        crm_customers.crm_user_id,
        crm_customers.phone_key,
        crm_customers.email_key,
        'crm:' || least(
            crm_customers.crm_user_id,
            coalesce(lowest_by_phone.crm_user_id, crm_customers.crm_user_id),
            coalesce(lowest_by_email.crm_user_id, crm_customers.crm_user_id)
        ) as customer_key
    from crm_customers
    left join lowest_by_phone using (phone_key)
    left join lowest_by_email using (email_key)
),

phone_keys as (
    select phone_key as identifier, min(customer_key) as customer_key from canonical where phone_key is not null group by all
),

email_keys as (
    select email_key as identifier, min(customer_key) as customer_key from canonical where email_key is not null group by all
),

final as (
    select 'crm_user_id' as identifier_type, crm_user_id::varchar as identifier, customer_key from canonical
    union all
    select 'phone_key', identifier, customer_key from phone_keys
    union all
    select 'email_key', identifier, customer_key from email_keys
)

select * from final
