-- The second half of the agent state machine (the first, in stg_telephony__agent_events,
-- reads each event's snapshot into a state): events become intervals. Read by both queue
-- marts, each cutting it into its own periods, and by the agents' and teams' marts.
--   - An interval begins at an event whose state, contact, status name or routing profile
--     differs from the agent's previous event; events that repeat it (heartbeats, a hold, a
--     second chat joining) extend it. At equal timestamps a LOGIN comes first and a LOGOUT
--     last, and between them being free again comes before the next piece of work, so the
--     work, not a zero-length idle spell, runs on.
--   - An interval ends at the agent's next interval. Connect sends a HEART_BEAT after 120 s
--     without another event, so an agent who goes silent for longer than the timeout (2 x
--     120 s) is no longer reported: a lost LOGOUT, a stream that broke off. Their interval
--     ends at its last event + the timeout (`is_ended_by_agent_event_silence`, which the
--     quality checks warn of, naming the agent and the time), however late the next event.
--     A stream without any heartbeat bounds silences at
--     `agent_state_max_seconds_without_heartbeats` instead.
--   - The agent's latest interval, when the agent was still reported at the end of the stream
--     (within the timeout of its last event), is open (`is_open_at_as_of`): it runs to the
--     as-of time, and no further than the timeout past its last event, so a stream that stops
--     being delivered never stretches anyone's state. An OFFLINE interval with no later one
--     has no end.
{{ config(materialized='table') }}

with

agent_events as (
    select * from {{ ref('stg_telephony__agent_events') }}
),

as_of as (
    select as_of_at from {{ ref('int_as_of') }}
),

stream as (
    select
        case
            when count(*) filter (where agent_event_type = 'HEART_BEAT') > 0
                then {{ var('agent_heartbeat_timeout_seconds') }}
            else {{ var('agent_state_max_seconds_without_heartbeats') }}
        end as silence_timeout_seconds,
        max(event_at) as stream_latest_event_at
    from agent_events
),

profile_contacts as (
    select
        routing_profile,
        contact_queue_name,
        count(distinct contact_record_id) as contact_count
    from agent_events
    where agent_state = 'ON_CONTACT'
        and contact_queue_name is not null
    group by all
),

profile_queues as (
    -- An agent's idle time belongs to no contact, so it is given to the queue their routing
    -- profile mostly serves: the queue of most of the contacts that profile's agents took.
    select
        routing_profile,
        contact_queue_name as staffed_queue_name
    from profile_contacts
    qualify row_number() over (
        partition by routing_profile
        order by contact_count desc, contact_queue_name
    ) = 1
),

keyed as (
    select
        *,
        case
            when agent_state = 'OFFLINE' then ['OFFLINE']
            else [agent_state, contact_record_id, agent_status_name, routing_profile]
        end as state_key
    from agent_events
),

sequenced as (
    select
        keyed.*,
        lag(keyed.state_key) over agent_timeline as previous_state_key,
        lag(keyed.agent_state) over agent_timeline as previous_agent_state,
        lag(keyed.event_at) over agent_timeline as previous_event_at,
        row_number() over agent_timeline as event_number
    from keyed
    window agent_timeline as (
        partition by keyed.connect_agent_arn
        order by
            keyed.event_at,
            case
                when keyed.agent_event_type = 'LOGIN' then 0
                when keyed.agent_event_type = 'LOGOUT' then 6
                when keyed.agent_state = 'AVAILABLE' then 1
                when keyed.agent_state = 'BREAK' then 2
                when keyed.agent_state = 'ON_CONTACT' then 3
                when keyed.agent_state = 'AFTER_CONTACT_WORK' then 4
                else 5
            end,
            keyed.agent_event_id
    )
),

numbered as (
    select
        sequenced.*,
        sum(case
            when sequenced.previous_event_at is null then 1
            when sequenced.state_key is distinct from sequenced.previous_state_key then 1
            -- After a silence the agent was unreported in between: a new interval, even in
            -- the same state.
            when sequenced.previous_agent_state != 'OFFLINE'
                and date_diff('second', sequenced.previous_event_at, sequenced.event_at)
                    > stream.silence_timeout_seconds then 1
            else 0
        end) over (
            partition by sequenced.connect_agent_arn
            order by sequenced.event_number
            rows between unbounded preceding and current row
        ) as interval_number,
        stream.silence_timeout_seconds,
        stream.stream_latest_event_at
    from sequenced
    cross join stream
),

intervals as (
    select
        connect_agent_arn,
        interval_number,
        first(agent_event_id order by event_number) as agent_state_interval_id,
        first(connect_agent_username order by event_number) as connect_agent_username,
        first(routing_profile order by event_number) as routing_profile,
        first(agent_state order by event_number) as agent_state,
        first(agent_status_name order by event_number) as agent_status_name,
        first(contact_record_id order by event_number) as contact_record_id,
        first(contact_state order by event_number) as contact_state,
        max(connected_contact_count) as most_connected_contact_count,
        min(event_at) as state_started_at,
        max(event_at) as last_event_at,
        any_value(silence_timeout_seconds) as silence_timeout_seconds,
        any_value(stream_latest_event_at) as stream_latest_event_at
    from numbered
    group by connect_agent_arn, interval_number
),

following as (
    select
        intervals.*,
        lead(intervals.state_started_at) over (
            partition by intervals.connect_agent_arn order by intervals.interval_number
        ) as next_state_started_at,
        intervals.last_event_at + to_seconds(intervals.silence_timeout_seconds) as silence_bound_at
    from intervals
),

bounded as (
    select
        following.*,
        as_of.as_of_at,
        case
            when following.agent_state = 'OFFLINE' then false
            when following.next_state_started_at is not null
                then following.next_state_started_at > following.silence_bound_at
            -- Other agents' events went on: this agent's stopped. (Where the whole stream
            -- ends, at the end of what has landed, the agent may still be at work.)
            else following.stream_latest_event_at > following.silence_bound_at
        end as is_ended_by_agent_event_silence
    from following
    cross join as_of
),

final as (
    select
        bounded.agent_state_interval_id,
        bounded.connect_agent_arn,
        bounded.connect_agent_username,
        bounded.routing_profile,
        profile_queues.staffed_queue_name,
        bounded.agent_state,
        bounded.agent_status_name,
        bounded.contact_record_id,
        bounded.contact_state,
        bounded.most_connected_contact_count,
        bounded.state_started_at,
        bounded.last_event_at,
        case
            when bounded.agent_state = 'OFFLINE' then bounded.next_state_started_at
            when bounded.is_ended_by_agent_event_silence then bounded.silence_bound_at
            when bounded.next_state_started_at is not null then bounded.next_state_started_at
            else greatest(least(bounded.as_of_at, bounded.silence_bound_at), bounded.last_event_at)
        end as state_ended_at,
        bounded.next_state_started_at is null
            and bounded.agent_state != 'OFFLINE'
            and not bounded.is_ended_by_agent_event_silence as is_open_at_as_of,
        bounded.is_ended_by_agent_event_silence,
        date_sub('second', bounded.state_started_at, state_ended_at) as state_seconds,
        bounded.agent_state in ('ON_CONTACT', 'AFTER_CONTACT_WORK') as is_handling,
        bounded.agent_state != 'OFFLINE' as is_staffed
    from bounded
    left join profile_queues
        on bounded.routing_profile = profile_queues.routing_profile
)

select * from final
