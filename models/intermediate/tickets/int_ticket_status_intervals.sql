-- Status spells from the audit trail, so SLA clocks can skip `pending` and `hold` and the
-- backlog can ask which status a ticket was in at any moment.
-- `deleted` is a spell too: Zendesk records a deletion as a status Change (and a restore as
-- the Change back). A deleted ticket is neither unsolved (not in the backlog) nor worked on
-- (the agent work clock stops), and a restore returns the ticket to where it was: solves
-- and reopens compare a spell with the status before it, a deleted spell skipped, so
-- solved -> deleted -> solved is one solve, and open -> deleted -> open no reopen.
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
        row_number() over by_time as status_sequence,
        ticket_status,
        lag(ticket_status) over by_time as previous_status,
        -- The status before, a deleted spell skipped (the status a restore returns to).
        lag(case when ticket_status != 'deleted' then ticket_status end ignore nulls) over by_time
            as previous_kept_status,
        created_at as valid_from_at,
        lead(created_at) over by_time as valid_to_at
    from status_events
    window by_time as (partition by ticket_id order by created_at, audit_event_id)
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
        ticket_status in ('new', 'open', 'pending', 'hold') as is_unsolved_status,
        ticket_status = 'deleted' as is_deleted_status,
        ticket_status = 'solved' and coalesce(previous_kept_status, '') not in ('solved', 'closed') as is_solve,
        ticket_status in ('new', 'open', 'pending', 'hold')
            and coalesce(previous_kept_status in ('solved', 'closed'), false) as is_reopen
    from sequenced
)

select * from final
