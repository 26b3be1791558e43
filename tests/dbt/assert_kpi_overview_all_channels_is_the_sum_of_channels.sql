-- kpi_overview_weekly: each week's 'all' row of a KPI exists exactly when some channel has
-- one, and its n is the sum of the channels' n (every fact belongs to one channel, so an
-- 'all' value that was not computed over the same facts would break it). Fails on every
-- (week, KPI) where either does not hold.
with

overview as (
    select * from {{ ref('kpi_overview_weekly') }}
),

all_channels as (
    select week_start_date, kpi_name, sample_size
    from overview
    where channel_scope = 'all'
),

summed_channels as (
    select week_start_date, kpi_name, sum(sample_size) as sample_size
    from overview
    where channel_scope != 'all'
    group by all
),

final as (
    select
        coalesce(all_channels.week_start_date, summed_channels.week_start_date) as week_start_date,
        coalesce(all_channels.kpi_name, summed_channels.kpi_name) as kpi_name,
        all_channels.sample_size as all_channels_sample_size,
        summed_channels.sample_size as summed_channels_sample_size
    from all_channels
    full outer join summed_channels
        on all_channels.week_start_date = summed_channels.week_start_date
        and all_channels.kpi_name = summed_channels.kpi_name
    where all_channels.sample_size is distinct from summed_channels.sample_size
)

select * from final
