-- Every email and phone a Zendesk end-user has had, across the daily users exports: a customer
-- who changes their number or address is still the caller of their past calls and the writer
-- of their past tickets (int_customer_keys). stg_crm__users keeps only the latest. Only keyed
-- hashes of the normalised identifiers go on (csops/dbt_functions.py), one row per user and
-- distinct pair; agents' versions are not customers' identifiers and are left out.
{{ config(materialized='table') }}

with

user_snapshots as (
    select * from {{ source('crm', 'users') }}
),

distinct_identifiers as (
    -- The daily exports repeat a user unchanged: hash each distinct pair once.
    select distinct
        id as crm_user_id,
        email,
        phone
    from user_snapshots
    where id is not null
        and role not in ('agent', 'admin')
),

final as (
    select distinct
        crm_user_id,
        csops_email_key(email) as email_key,
        csops_phone_key(phone) as phone_key
    from distinct_identifiers
)

select * from final
