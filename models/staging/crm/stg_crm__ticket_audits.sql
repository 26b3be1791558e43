with

latest as (
    -- An audit never changes, but an export window may repeat one.
    {{ keep_one_version(source('crm', 'ticket_audits'), 'id', 'try_cast(created_at as timestamptz) desc') }}
),

final as (
    select
        id as audit_id,
        ticket_id,
        {{ utc_from_iso('created_at') }} as created_at,
        author_id as crm_author_id,
        json_extract_string(via, '$.channel') as via_channel,
        events as audit_events_json,
        _source_file,
        _landing_date
    from latest
)

select * from final
