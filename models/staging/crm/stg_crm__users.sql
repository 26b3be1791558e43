-- A table, not a view: its identity columns come from csops's functions (csops/dbt_functions.py),
-- computed once here, and any reader of the warehouse can query them without those functions.
{{ config(materialized='table') }}

with

latest as (
    {{ keep_one_version(source('crm', 'users'), 'id', 'try_cast(updated_at as timestamptz) desc') }}
),

latest_as_agent as (
    -- Each user's last version with an agent role. A leaver is downgraded to end-user and
    -- their later versions say so; they keep the name and Connect username they worked
    -- under, so their past stays theirs (KPI_DEFINITIONS.md sections 2 and 5).
    {{ keep_one_version(
        "(select * from " ~ source('crm', 'users') ~ " where role in ('agent', 'admin'))",
        'id', 'try_cast(updated_at as timestamptz) desc') }}
),

identity_map as (
    -- The center's Connect usernames that are not the agent's email local part.
    select
        lower(trim(connect_username)) as connect_username,
        crm_user_id,
        lower(trim(crm_user_email)) as crm_user_email
    from {{ ref('agent_identity_map') }}
),

with_default_username as (
    select
        latest.*,
        latest.role in ('agent', 'admin') as is_agent_role,
        latest_as_agent.id is not null as was_agent_role,
        latest_as_agent.name as agent_version_name,
        lower(trim(latest_as_agent.email)) as agent_version_email,
        -- By default an agent's Amazon Connect username is their email's local part, compared
        -- lower-cased on both sides (Connect's usernames come in any case).
        lower(trim(split_part(latest_as_agent.email, '@', 1))) as default_agent_username
    from latest
    left join latest_as_agent
        on latest.id = latest_as_agent.id
),

final as (
    select
        users.id as crm_user_id,
        users.role as user_role,
        -- An agent (or admin) now; `was_agent`: in any version, a leaver too.
        users.is_agent_role as is_agent,
        users.was_agent_role as was_agent,
        -- Staff are named, so a manager can find an agent; customers are not (below).
        case when users.was_agent_role then users.agent_version_name end as agent_name,
        -- The agent's Amazon Connect username: the identity map's, else the default unless the
        -- map gives that name to another agent ("Which agent" in docs/kpis/feedback_and_agents.md).
        case when users.was_agent_role then coalesce(
            by_id.connect_username,
            by_email.connect_username,
            case when users.default_agent_username not in (
                select connect_username from identity_map where connect_username is not null)
                then nullif(users.default_agent_username, '') end
        ) end as agent_username,
        users.time_zone as user_time_zone,
        -- Who they are stops here: only keyed hashes of normalised identifiers go on. Text no
        -- library can read has no key; the staging checks warn with its file and line.
        csops_email_key(users.email) as email_key,
        csops_phone_key(users.phone) as phone_key,
        users.active as is_active,
        {{ utc_from_iso('users.created_at') }} as created_at,
        {{ utc_from_iso('users.updated_at') }} as updated_at,
        users._source_file,
        users._source_line,
        users._source_record,
        users._landing_date
    from with_default_username as users
    left join identity_map as by_id
        on users.id = by_id.crm_user_id
    left join identity_map as by_email
        on by_id.connect_username is null
        and by_email.crm_user_id is null
        and users.agent_version_email = by_email.crm_user_email
)

-- Customers' names, emails and phone numbers stop here: no personal data goes past staging.
select * from final
