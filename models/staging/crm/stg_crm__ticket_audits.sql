with

source as (
    select * from {{ source('crm', 'ticket_audits') }}
),

final as (
    select distinct on (id)
        id as audit_id,
        ticket_id,
        {{ utc_from_iso('created_at') }} as created_at,
        author_id as crm_author_id,
        json_extract_string(via, '$.channel') as via_channel,
        events as audit_events_json,
        _source_file,
        _landing_date
    from source
    order by id, _landing_date desc
)

select * from final
