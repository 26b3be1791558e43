-- feedback_by_week (the center, every channel together) counts the responses that
-- feedback_by_channel_week counts per channel, week by week: every matched response has one
-- channel, so each count of the week is the sum of its channels'. A week whose figures were not
-- computed over the same responses fails here. Fails on every week where a count differs.
with

weeks as (
    select * from {{ ref('feedback_by_week') }}
),

channel_weeks as (
    select
        week_start_date,
        sum(response_count) as response_count,
        sum(csat_response_count) as csat_response_count,
        sum(csat_top2_response_count) as csat_top2_response_count,
        sum(nps_response_count) as nps_response_count,
        sum(ces_response_count) as ces_response_count
    from {{ ref('feedback_by_channel_week') }}
    group by week_start_date
),

final as (
    select
        coalesce(weeks.week_start_date, channel_weeks.week_start_date) as week_start_date,
        weeks.csat_response_count as week_csat_response_count,
        channel_weeks.csat_response_count as summed_channels_csat_response_count
    from weeks
    full outer join channel_weeks
        on weeks.week_start_date = channel_weeks.week_start_date
    where weeks.response_count is distinct from channel_weeks.response_count
        or weeks.csat_response_count is distinct from channel_weeks.csat_response_count
        or weeks.csat_top2_response_count is distinct from channel_weeks.csat_top2_response_count
        or weeks.nps_response_count is distinct from channel_weeks.nps_response_count
        or weeks.ces_response_count is distinct from channel_weeks.ces_response_count
)

select * from final
