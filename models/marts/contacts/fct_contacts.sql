-- The contact fact (KPI_DEFINITIONS.md sections 1, 3, 5): each contact with its customer
-- (matched across systems), the agent who handled it and the team that agent was in on the
-- contact's date. Volume, FCR and per-agent figures all count contacts from here.
with

contacts as (
    select * from {{ ref('int_contacts_unioned') }}
),

customer_keys as (
    select * from {{ ref('int_customer_keys') }}
),

agents as (
    select * from {{ ref('dim_agents') }}
),

agent_teams as (
    select * from {{ ref('dim_agent_teams') }}
),

teams as (
    select * from {{ ref('dim_teams') }}
),

with_agents as (
    select
        contacts.*,
        coalesce(agents_by_id.agent_id, agents_by_username.agent_id) as handling_agent_id
    from contacts
    left join agents as agents_by_id
        on contacts.agent_id = agents_by_id.agent_id
    left join agents as agents_by_username
        on contacts.agent_username = agents_by_username.agent_username
),

final as (
    select
        with_agents.contact_id,
        with_agents.source_system,
        with_agents.source_contact_ref,
        with_agents.channel,
        with_agents.created_at,
        with_agents.contact_date,
        with_agents.ended_at,
        with_agents.issue_category,
        coalesce(by_crm_user.customer_key, by_phone.customer_key,
                 'phone:' || with_agents.customer_phone_key) as customer_key,
        with_agents.handling_agent_id as agent_id,
        -- The agent's team that day; a ticket no agent handled counts in its group's team.
        {{ known_or_unknown('coalesce(agent_teams.team_key, group_teams.team_key)') }} as team_key,
        with_agents.is_inbound,
        with_agents.is_handled,
        with_agents.is_resolved_on_contact
    from with_agents
    left join customer_keys as by_crm_user
        on by_crm_user.identifier_type = 'crm_user_id'
        and by_crm_user.identifier = with_agents.crm_requester_id::varchar
    left join customer_keys as by_phone
        on by_phone.identifier_type = 'phone_key'
        and by_phone.identifier = with_agents.customer_phone_key
    left join agent_teams
        on {{ on_agent_team_spell('agent_teams', 'with_agents.handling_agent_id', 'with_agents.contact_date') }}
    left join teams as group_teams
        on with_agents.crm_group_id = group_teams.crm_group_id
)

select * from final
