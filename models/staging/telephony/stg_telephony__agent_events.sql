with

latest as (
    -- An event delivered twice is the same event.
    {{ keep_one_version(source('telephony', 'agent_events'), 'EventId', 'try_cast(EventTimestamp as timestamptz) desc') }}
),

final as (
    select
        EventId as agent_event_id,
        json_extract_string(Agent, '$.Username') as connect_agent_username,
        json_extract_string(Agent, '$.RoutingProfile') as routing_profile,
        {{ utc_from_iso('EventTimestamp') }} as event_at,
        State as agent_state,
        ContactId as contact_record_id,
        _source_file,
        _landing_date
    from latest
)

select * from final
