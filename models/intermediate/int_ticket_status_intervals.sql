-- Status spells from the audit trail, so SLA clocks can skip `pending` and `hold` and the
-- backlog can ask which status a ticket was in at any moment.
{{ config(materialized='table') }}

with

audit_events as (
    select * from {{ ref('int_ticket_audit_events') }}
),

status_events as (
    select
        ticket_id,
        audit_event_id,
        created_at,
        field_value as ticket_status
    from audit_events
    where field_name = 'status'
        and event_type in ('Create', 'Change')
),

sequenced as (
    select
        ticket_id,
        row_number() over (partition by ticket_id order by created_at, audit_event_id) as status_sequence,
        ticket_status,
        lag(ticket_status) over (partition by ticket_id order by created_at, audit_event_id) as previous_status,
        created_at as valid_from_at,
        lead(created_at) over (partition by ticket_id order by created_at, audit_event_id) as valid_to_at
    from status_events
),

final as (
    select
        ticket_id,
        status_sequence,
        ticket_status,
        previous_status,
        valid_from_at,
        valid_to_at,
        ticket_status in ('new', 'open') as is_agent_work_status,
        ticket_status not in ('solved', 'closed') as is_unsolved_status,
        ticket_status = 'solved' and coalesce(previous_status, '') not in ('solved', 'closed') as is_solve,
        ticket_status not in ('solved', 'closed') and coalesce(previous_status in ('solved', 'closed'), false) as is_reopen
    from sequenced
)

select * from final
