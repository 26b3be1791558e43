-- The customer dimension, pseudonymised: no name, email or phone number, only the key the
-- contacts share across systems (int_customer_keys) and what the warehouse has seen of them.
with

contacts as (
    select * from {{ ref('fct_contacts') }} where customer_key is not null
),

final as (
    select
        customer_key,
        min(created_at) as first_contact_at,
        max(created_at) as last_contact_at,
        count(*) filter (where is_inbound) as inbound_contact_count,
        count(distinct channel) filter (where is_inbound) as channel_count,
        bool_or(source_system = 'crm') as is_known_to_crm,
        bool_or(source_system = 'telephony') as is_known_to_telephony
    from contacts
    group by customer_key
)

select * from final
