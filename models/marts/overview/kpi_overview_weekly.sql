-- The managers' overview (KPI_DEFINITIONS.md): every KPI of the registry (dim_kpis), per channel
-- and for all channels together, reshaped from the week marts that compute it (never computed
-- again here). A KPI's per-channel values come from the mart the registry names (`week_mart`),
-- its 'all' values from that mart's center-level twin, computed from all the week's facts and
-- never from the channels' rates (macro overview_week_marts). Each mart keeps its own week: the
-- contact's (FCR, CSAT, NPS), the ticket's creation week (SLA), the call's queue week.
-- The marts are referenced statically (dbt resolves refs when it parses); which of their columns
-- are KPIs the registry says as data: every numeric cell of the marts is unpivoted and joined to
-- dim_kpis by column name. Chosen over run_query on the seed at compile time: the registry is an
-- input like any other (the unit test feeds it), and no Jinja reads the warehouse.
{%- set week_marts = overview_week_marts() %}
with

kpis as (
    select * from {{ ref('dim_kpis') }}
    where week_mart is not null
),

as_of as (
    select * from {{ ref('int_as_of') }}
),

{% for channel_mart, center_mart in week_marts.items() %}
{{ channel_mart }} as (
    select
        '{{ channel_mart }}' as week_mart,
        week_start_date,
        channel as channel_scope,
        try_cast(columns(* exclude (week_start_date, channel)) as double)
    from {{ ref(channel_mart) }}
),

{{ center_mart }} as (
    select
        '{{ channel_mart }}' as week_mart,
        week_start_date,
        'all' as channel_scope,
        try_cast(columns(* exclude (week_start_date)) as double)
    from {{ ref(center_mart) }}
),

{% endfor -%}
mart_cells as (
    -- Every numeric cell of the week marts (counts and flags as numbers, text as null), one row
    -- each; a null value keeps its row, as a KPI whose input is missing still shows its n.
    {%- for channel_mart, center_mart in week_marts.items() %}
    {%- for mart in [channel_mart, center_mart] %}
    select * from {{ mart }}
    unpivot include nulls (
        column_value for column_name in (columns(* exclude (week_mart, week_start_date, channel_scope)))
    )
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

kpi_values as (
    -- Long format, one row per KPI: the registry's column is the value, its sample_size_column
    -- the n. Only the survey KPIs (area `feedback`) have a minimum sample in the contract
    -- (`min_responses`, stated for CSAT and applied to NPS, also a share of responses); the
    -- others are never low-sample.
    select
        kpi_cells.week_start_date,
        kpi_cells.channel_scope,
        kpis.kpi_name,
        kpi_cells.column_value as kpi_value,
        sample_cells.column_value as sample_size,
        kpis.kpi_area = 'feedback' and sample_cells.column_value < {{ var('min_responses') }} as is_low_sample
    from kpis
    inner join mart_cells as kpi_cells
        on kpis.week_mart = kpi_cells.week_mart
        and kpis.kpi_name = kpi_cells.column_name
    inner join mart_cells as sample_cells
        on kpis.week_mart = sample_cells.week_mart
        and kpis.sample_size_column = sample_cells.column_name
        and kpi_cells.week_start_date = sample_cells.week_start_date
        and kpi_cells.channel_scope = sample_cells.channel_scope
),

compared as (
    -- The previous ISO week exactly: a week with no row leaves the next week without a change.
    select
        this_week.*,
        last_week.kpi_value as previous_week_value,
        last_week.sample_size as previous_week_sample_size,
        last_week.is_low_sample as is_previous_week_low_sample,
        this_week.kpi_value - last_week.kpi_value as change_from_previous_week
    from kpi_values as this_week
    left join kpi_values as last_week
        on this_week.channel_scope = last_week.channel_scope
        and this_week.kpi_name = last_week.kpi_name
        and last_week.week_start_date = this_week.week_start_date - 7
),

final as (
    select
        compared.week_start_date,
        compared.channel_scope,
        compared.kpi_name,
        kpis.kpi_label,
        kpis.unit,
        compared.kpi_value,
        compared.sample_size::bigint as sample_size,
        compared.is_low_sample,
        compared.previous_week_value,
        compared.previous_week_sample_size::bigint as previous_week_sample_size,
        compared.is_previous_week_low_sample,
        compared.change_from_previous_week,
        case kpis.target_direction
            when 'at_least' then compared.change_from_previous_week > 0
            when 'at_most' then compared.change_from_previous_week < 0
        end as is_improving,
        kpis.target_value,
        kpis.target_direction,
        -- Inclusive, as every threshold of the contract; unknown when the KPI is.
        case kpis.target_direction
            when 'at_least' then compared.kpi_value >= kpis.target_value
            when 'at_most' then compared.kpi_value <= kpis.target_value
        end as is_meeting_target,
        compared.kpi_value - kpis.target_value as difference_from_target,
        -- The week is over when the as-of time has reached the next Monday's midnight.
        as_of.as_of_at >= {{ utc_from_local('compared.week_start_date + 7', var('reporting_timezone')) }} as is_complete_week,
        as_of.as_of_at,
        {{ var('sl_threshold_seconds') }}::integer as sl_threshold_seconds,
        {{ var('short_abandon_seconds') }}::integer as short_abandon_seconds,
        {{ var('fcr_window_days') }}::integer as fcr_window_days,
        {{ var('min_responses') }}::integer as min_responses
    from compared
    inner join kpis
        on compared.kpi_name = kpis.kpi_name
    cross join as_of
)

select * from final
