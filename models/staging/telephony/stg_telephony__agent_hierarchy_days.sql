-- Amazon Connect places each agent in a hierarchy of up to five levels (Agent.HierarchyGroups
-- on a contact record: Level1 the widest, Level5 the narrowest), as the agent stood when they
-- handled the contact. A center that keeps its teams there rather than in Zendesk groups maps
-- the group names to teams (seeds/hierarchy_group_team_map.csv, int_agent_team_spells). Every
-- delivered version counts: each says where the agent stood that day.
with

handled_records as (
    select
        -- Identity across systems is case-insensitive (stg_crm__users).
        nullif(lower(trim(json_extract_string(Agent, '$.Username'))), '') as connect_agent_username,
        coalesce(
            {{ utc_from_iso("json_extract_string(Agent, '$.ConnectedToAgentTimestamp')") }},
            {{ utc_from_iso('InitiationTimestamp') }}
        ) as handled_at,
        -- Narrowest level first: the first one a seed maps is the agent's team.
        list_filter(
            [
                json_extract_string(Agent, '$.HierarchyGroups.Level5.GroupName'),
                json_extract_string(Agent, '$.HierarchyGroups.Level4.GroupName'),
                json_extract_string(Agent, '$.HierarchyGroups.Level3.GroupName'),
                json_extract_string(Agent, '$.HierarchyGroups.Level2.GroupName'),
                json_extract_string(Agent, '$.HierarchyGroups.Level1.GroupName')
            ],
            lambda group_name: nullif(trim(group_name), '') is not null
        ) as hierarchy_group_names
    from {{ source('telephony', 'contact_records') }}
    where json_extract(Agent, '$.HierarchyGroups') is not null
),

final as (
    select
        connect_agent_username,
        cast(handled_at as date) as activity_date,
        -- An agent moved during the day: where they stood on their last contact holds.
        arg_max(hierarchy_group_names, handled_at) as hierarchy_group_names
    from handled_records
    where connect_agent_username is not null
        and handled_at is not null
        and len(hierarchy_group_names) > 0
    group by all
)

select * from final
