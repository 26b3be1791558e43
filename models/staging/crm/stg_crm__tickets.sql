with

latest as (
    -- The incremental export hands over a ticket each time it changes: keep its latest state.
    {{ keep_one_version(source('crm', 'tickets'), 'id', 'try_cast(updated_at as timestamptz) desc') }}
),

channel_map as (
    -- An empty channel is the seed's decision that the spelling names no customer contact.
    select
        source_channel,
        nullif(channel, '') as channel
    from {{ ref('channel_map') }}
    where source_system = 'crm'
),

categories as (
    -- Zendesk sends every custom field of the ticket's form, often `[]` or with a null value:
    -- no category field (or no value) leaves the category null, never an error. The field id
    -- is read as a number or as text alike, so one odd record cannot fail the model.
    select
        latest.id as ticket_id,
        any_value(json_extract_string(field, '$.value')) as issue_category
    from latest
    cross join unnest(from_json(latest.custom_fields, '["json"]')) as fields (field)
    where try_cast(json_extract_string(field, '$.id') as bigint) = {{ var('crm_category_field_id', 360000001) }}
        and json_extract_string(field, '$.value') is not null
    group by all
),

final as (
    select
        latest.id as ticket_id,
        {{ utc_from_iso('latest.created_at') }} as created_at,
        {{ utc_from_iso('latest.updated_at') }} as updated_at,
        latest.status as ticket_status,
        -- Zendesk leaves both null on most tickets; the SLA models read a missing priority as `none`.
        latest.priority as ticket_priority,
        latest.type as ticket_type,
        json_extract_string(latest.via, '$.channel') as via_channel,
        -- How a voice ticket came in: `voicemail`, `inbound` or `outbound` (a trigger's ticket: `trigger`).
        json_extract_string(latest.via, '$.source.rel') as via_source_rel,
        channel_map.channel,
        -- Not a contact only by the seed's explicit decision (a spelling it maps to no channel:
        -- Zendesk's sample tickets, side conversations' child tickets, ...).
        not coalesce(channel_map.source_channel is not null and channel_map.channel is null, false)
            as is_customer_contact,
        -- Deleted in its latest exported state (the SLA models ask the audit trail for the as-of time).
        coalesce(latest.status = 'deleted', false) as is_deleted,
        latest.requester_id as crm_requester_id,
        latest.submitter_id as crm_submitter_id,
        latest.assignee_id as crm_assignee_id,
        latest.group_id as crm_group_id,
        categories.issue_category,
        latest._source_file,
        latest._landing_date
    from latest
    left join channel_map
        on json_extract_string(latest.via, '$.channel') = channel_map.source_channel
    left join categories
        on latest.id = categories.ticket_id
)

select * from final
