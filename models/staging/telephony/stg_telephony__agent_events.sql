-- What each agent event says the agent was doing: the first half of the agent state machine
-- (the second, int_agent_state_intervals, turns these states into intervals). Connect sends
-- the agent's whole snapshot with every event; the state it is in, in csops's terms:
--   1. LOGOUT, or an event without a snapshot (a LOGIN: no status chosen yet): OFFLINE;
--   2. a contact CONNECTED or CONNECTED_ONHOLD: ON_CONTACT, with that contact (of several at
--      once, a chat agent's, the one connected first), whatever the status (an agent on a
--      custom status may still place a call);
--   3. a contact ENDED while the status is routable (seeds/agent_status_map.csv: AVAILABLE):
--      AFTER_CONTACT_WORK (Connect keeps the status "Available" during after-contact work);
--   4. a status the seed maps to BREAK or OFFLINE: that state; an unmapped name: BREAK
--      (logged in, not productive; the staging checks warn with the name);
--   5. routable, with a contact MISSED, REJECTED or in ERROR: BREAK, with that contact (the
--      agent takes no contact until they clear it: neither handling nor idle);
--   6. otherwise AVAILABLE (idle; a contact still INCOMING, PENDING or CONNECTING included:
--      handle time starts at the connection, as in the contact record).
-- A table, not a view as the rest of staging: the snapshots (the largest raw table) are parsed
-- once, not again by each test and each reader.
{{ config(materialized='table') }}

with

latest as (
    -- An event delivered twice is the same event.
    {{ keep_one_version(
        source('telephony', 'agent_events'), 'EventId', 'try_cast(EventTimestamp as timestamptz) desc'
    ) }}
),

status_map as (
    select
        lower(trim(agent_status_name)) as status_key,
        agent_state as status_agent_state
    from {{ ref('agent_status_map') }}
),

snapshots as (
    select
        EventId as agent_event_id,
        AgentARN as connect_agent_arn,
        EventType as agent_event_type,
        {{ utc_from_iso('EventTimestamp') }} as event_at,
        json_transform(CurrentAgentSnapshot, '{
            "AgentStatus": {"Name": "VARCHAR"},
            "Configuration": {"Username": "VARCHAR", "RoutingProfile": {"Name": "VARCHAR"}},
            "Contacts": [{"ContactId": "VARCHAR", "State": "VARCHAR", "ConnectedToAgentTimestamp": "VARCHAR",
                          "StateStartTimestamp": "VARCHAR", "Queue": {"Name": "VARCHAR"}}]
        }') as snapshot,
        _source_file,
        _source_line,
        _landing_date
    from latest
),

snapshot_contacts as (
    select
        agent_event_id,
        unnest(snapshot.Contacts) as contact
    from snapshots
),

contacts_in_hand as (
    -- Per event, the contact that decides the state, by kind: connected (the earliest
    -- connection first), in after-contact work, missed.
    select
        agent_event_id,
        count(*) filter (where contact.State in ('CONNECTED', 'CONNECTED_ONHOLD')) as connected_contact_count,
        first(contact order by {{ utc_from_iso('contact.ConnectedToAgentTimestamp') }}, contact.ContactId)
            filter (where contact.State in ('CONNECTED', 'CONNECTED_ONHOLD')) as connected_contact,
        first(contact order by {{ utc_from_iso('contact.StateStartTimestamp') }}, contact.ContactId)
            filter (where contact.State = 'ENDED') as wrapping_up_contact,
        first(contact order by {{ utc_from_iso('contact.StateStartTimestamp') }}, contact.ContactId)
            filter (where contact.State in ('MISSED', 'REJECTED', 'ERROR')) as missed_contact
    from snapshot_contacts
    group by agent_event_id
),

read_events as (
    select
        snapshots.*,
        snapshots.snapshot.AgentStatus.Name as agent_status_name,
        lower(trim(snapshots.snapshot.Configuration.Username)) as snapshot_username,
        snapshots.snapshot.Configuration.RoutingProfile.Name as routing_profile,
        status_map.status_agent_state,
        coalesce(contacts_in_hand.connected_contact_count, 0) as connected_contact_count,
        contacts_in_hand.connected_contact,
        contacts_in_hand.wrapping_up_contact,
        contacts_in_hand.missed_contact
    from snapshots
    left join status_map
        on lower(trim(snapshots.snapshot.AgentStatus.Name)) = status_map.status_key
    left join contacts_in_hand
        on snapshots.agent_event_id = contacts_in_hand.agent_event_id
),

stated as (
    select
        *,
        case
            when agent_event_type = 'LOGOUT' or agent_status_name is null then 'OFFLINE'
            when connected_contact is not null then 'ON_CONTACT'
            when wrapping_up_contact is not null and status_agent_state = 'AVAILABLE' then 'AFTER_CONTACT_WORK'
            when status_agent_state in ('BREAK', 'OFFLINE') then status_agent_state
            when status_agent_state is null then 'BREAK'
            when missed_contact is not null then 'BREAK'
            else 'AVAILABLE'
        end as agent_state,
        case agent_state
            when 'ON_CONTACT' then connected_contact
            when 'AFTER_CONTACT_WORK' then wrapping_up_contact
            when 'BREAK' then missed_contact
        end as deciding_contact
    from read_events
),

final as (
    select
        agent_event_id,
        connect_agent_arn,
        -- Identity across systems is case-insensitive. LOGIN and LOGOUT carry no snapshot,
        -- so no username: the agent's (ARN's) nearest event names them.
        coalesce(
            snapshot_username,
            last_value(snapshot_username ignore nulls) over agent_before,
            first_value(snapshot_username ignore nulls) over agent_after
        ) as connect_agent_username,
        agent_event_type,
        event_at,
        agent_status_name,
        status_agent_state is not null or agent_status_name is null as is_agent_status_mapped,
        routing_profile,
        agent_state,
        deciding_contact.ContactId as contact_record_id,
        deciding_contact.State as contact_state,
        deciding_contact.Queue.Name as contact_queue_name,
        connected_contact_count,
        _source_file,
        _source_line,
        _landing_date
    from stated
    window
        agent_before as (
            partition by connect_agent_arn order by event_at
            rows between unbounded preceding and current row
        ),
        agent_after as (
            partition by connect_agent_arn order by event_at
            rows between current row and unbounded following
        )
)

select * from final
