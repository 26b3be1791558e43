-- The Amazon Connect queues calls entered, with when each was first and last used.
with

segments as (
    select * from {{ ref('fct_queue_segments') }} where queue_name is not null
),

final as (
    select
        queue_name,
        min(queue_date) as first_used_date,
        max(queue_date) as last_used_date,
        count(*) filter (where is_offered) as offered_call_count
    from segments
    group by queue_name
)

select * from final
