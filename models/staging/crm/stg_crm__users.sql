-- A table, not a view: its identity columns come from csops's functions (csops/dbt_functions.py),
-- computed once here, and any reader of the warehouse can query them without those functions.
{{ config(materialized='table') }}

with

latest as (
    {{ keep_one_version(source('crm', 'users'), 'id', 'try_cast(updated_at as timestamptz) desc') }}
),

final as (
    select
        id as crm_user_id,
        role as user_role,
        role in ('agent', 'admin') as is_agent,
        -- Staff are named, so a manager can find an agent; customers are not (below).
        case when role in ('agent', 'admin') then name end as agent_name,
        -- The agent's sign-in: their email's local part, which is also their Amazon Connect
        -- username (`connect_username_match` in docs/kpis/agents_and_teams.md).
        case when role in ('agent', 'admin') then lower(trim(split_part(email, '@', 1))) end as agent_username,
        time_zone as user_time_zone,
        -- Who they are stops here: only keyed hashes of normalised identifiers go on.
        csops_email_key(email) as email_key,
        csops_phone_key(phone) as phone_key,
        active as is_active,
        {{ utc_from_iso('created_at') }} as created_at,
        {{ utc_from_iso('updated_at') }} as updated_at,
        _landing_date
    from latest
)

-- Customers' names, emails and phone numbers stop here: no personal data goes past staging.
select * from final
