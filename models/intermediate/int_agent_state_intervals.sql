-- Read by both queue marts, each cutting it into its own periods.
{{ config(materialized='table') }}

with

agent_events as (
    select * from {{ ref('stg_telephony__agent_events') }}
),

contact_records as (
    select * from {{ ref('stg_telephony__contact_records') }}
),

as_of as (
    select as_of_at from {{ ref('int_as_of') }}
),

profile_contacts as (
    select
        agent_events.routing_profile,
        contact_records.queue_name,
        count(*) as contact_count
    from agent_events
    inner join contact_records
        on agent_events.contact_record_id = contact_records.contact_record_id
    where agent_events.agent_state = 'ON_CONTACT'
        and contact_records.queue_name is not null
    group by all
),

profile_queues as (
    -- An agent's idle time belongs to no contact, so it is given to the queue their routing
    -- profile mostly serves: the queue of most of the contacts that profile's agents took.
    select
        routing_profile,
        queue_name as staffed_queue_name
    from profile_contacts
    qualify row_number() over (
        partition by routing_profile
        order by contact_count desc, queue_name
    ) = 1
),

sequenced as (
    select
        agent_events.*,
        lead(agent_events.event_at) over agent_timeline as next_event_at
    from agent_events
    window agent_timeline as (
        partition by agent_events.connect_agent_username
        -- The vendor stamps "free again" and the next piece of work with the same second:
        -- AVAILABLE first, so the work, not a zero-length idle spell, runs on.
        order by
            agent_events.event_at,
            case agent_events.agent_state
                when 'AVAILABLE' then 0
                when 'BREAK' then 1
                when 'ON_CONTACT' then 2
                when 'AFTER_CONTACT_WORK' then 3
                else 4
            end,
            agent_events.agent_event_id
    )
),

final as (
    select
        sequenced.agent_event_id as agent_state_interval_id,
        sequenced.connect_agent_username,
        sequenced.routing_profile,
        profile_queues.staffed_queue_name,
        sequenced.agent_state,
        sequenced.contact_record_id,
        sequenced.event_at as state_started_at,
        -- The agent's latest state runs on to the as-of time; being offline ends nowhere.
        case
            when sequenced.next_event_at is not null then sequenced.next_event_at
            when sequenced.agent_state != 'OFFLINE' then greatest(as_of.as_of_at, sequenced.event_at)
        end as state_ended_at,
        sequenced.next_event_at is null as is_open_at_as_of,
        date_sub('second', sequenced.event_at, state_ended_at) as state_seconds,
        sequenced.agent_state in ('ON_CONTACT', 'AFTER_CONTACT_WORK') as is_handling,
        sequenced.agent_state != 'OFFLINE' as is_staffed
    from sequenced
    cross join as_of
    left join profile_queues
        on sequenced.routing_profile = profile_queues.routing_profile
)

select * from final
