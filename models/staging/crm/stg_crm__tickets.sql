with

latest as (
    -- The incremental export hands over a ticket each day it changes: keep its latest state.
    {{ keep_one_version(source('crm', 'tickets'), 'id', 'try_cast(updated_at as timestamptz) desc') }}
),

channel_map as (
    select * from {{ ref('channel_map') }} where source_system = 'crm'
),

final as (
    select
        latest.id as ticket_id,
        {{ utc_from_iso('latest.created_at') }} as created_at,
        {{ utc_from_iso('latest.updated_at') }} as updated_at,
        latest.status as ticket_status,
        latest.priority as ticket_priority,
        latest.type as ticket_type,
        json_extract_string(latest.via, '$.channel') as via_channel,
        channel_map.channel,
        latest.requester_id as crm_requester_id,
        latest.submitter_id as crm_submitter_id,
        latest.assignee_id as crm_assignee_id,
        latest.group_id as crm_group_id,
        (
            select json_extract_string(field, '$.value')
            from (select unnest(from_json(latest.custom_fields, '["json"]')) as field)
            where json_extract(field, '$.id')::bigint = {{ var('crm_category_field_id', 360000001) }}
        ) as issue_category,
        latest._source_file,
        latest._landing_date
    from latest
    left join channel_map
        on json_extract_string(latest.via, '$.channel') = channel_map.source_channel
)

select * from final
