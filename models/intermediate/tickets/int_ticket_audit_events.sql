-- The audits' events JSON is unpacked once, here; every ticket model reads the rows.
-- Incremental: an audit never changes once written, so a build unpacks only the audits it
-- has not seen (the largest table of a center's history). `dbt build --full-refresh` (or
-- `csops run --full-refresh`) rebuilds it whole, which is also how an audit withdrawn from a
-- reloaded export leaves it; tests/marts/test_incremental.py checks both paths agree.
{{ config(materialized='incremental', unique_key='audit_id', incremental_strategy='delete+insert') }}

with

audits as (
    select * from {{ ref('stg_crm__ticket_audits') }}
    {% if is_incremental() -%}
    where audit_id not in (select audit_id from {{ this }})
    {%- endif %}
),

unnested as (
    select
        audits.audit_id,
        audits.ticket_id,
        audits.created_at,
        audits.crm_author_id,
        audits.via_channel,
        unnest(from_json(audits.audit_events_json, '["json"]')) as event_json
    from audits
),

events as (
    select
        json_extract(event_json, '$.id')::bigint as audit_event_id,
        audit_id,
        ticket_id,
        created_at,
        crm_author_id,
        via_channel,
        json_extract_string(event_json, '$.type') as event_type,
        json_extract_string(event_json, '$.field_name') as field_name,
        json_extract_string(event_json, '$.value') as field_value,
        json_extract_string(event_json, '$.previous_value') as previous_field_value,
        json_extract(event_json, '$.public')::boolean as is_public_comment,
        json_extract(event_json, '$.author_id')::bigint as comment_author_id
    from unnested
),

final as (
    select
        *,
        -- The audit that created the ticket: its comment is the opening message, never a reply.
        bool_or(event_type = 'Create') over (partition by audit_id) as is_create_audit
    from events
    -- A VoiceComment is Zendesk Talk's comment: a voicemail (the customer's, opening a voice
    -- ticket) or an agent's call on the ticket (a call back answers a voicemail). Other event
    -- types (about 35, and more to come) are ignored, as Zendesk asks.
    where event_type in ('Create', 'Change', 'Comment', 'VoiceComment', 'Notification')
)

select * from final
