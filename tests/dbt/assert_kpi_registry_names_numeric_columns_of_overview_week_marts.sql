-- kpi_overview_weekly picks each registry KPI's value and n by column name when it runs, so a
-- registry row naming a mart the overview does not read, or a column that is not a number of
-- that mart and of its center-level twin, would leave the KPI off the overview without an
-- error. Fails on every such (KPI, mart, column).
{%- set week_marts = overview_week_marts() %}
-- Run after the marts it reads the catalog of:
{%- for channel_mart, center_mart in week_marts.items() %}
-- depends_on: {{ ref(channel_mart) }}, {{ ref(center_mart) }}
{%- endfor %}
with

kpis as (
    select * from {{ ref('dim_kpis') }}
    where week_mart is not null
),

read_marts as (
    {%- for channel_mart, center_mart in week_marts.items() %}
    select '{{ channel_mart }}' as week_mart, '{{ channel_mart }}' as table_name
    union all
    select '{{ channel_mart }}', '{{ center_mart }}'
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

needed as (
    select kpis.kpi_name, kpis.week_mart, read_marts.table_name, needed_column.column_name
    from kpis
    cross join lateral (values (kpis.kpi_name), (kpis.sample_size_column)) as needed_column (column_name)
    left join read_marts
        on kpis.week_mart = read_marts.week_mart
),

numeric_columns as (
    select table_name, column_name
    from information_schema.columns
    where table_schema = '{{ ref("dim_kpis").schema }}'
        and (data_type in ('DOUBLE', 'FLOAT', 'BIGINT', 'INTEGER', 'HUGEINT', 'SMALLINT')
            or data_type like 'DECIMAL%')
)

select needed.*
from needed
left join numeric_columns
    on needed.table_name = numeric_columns.table_name
    and needed.column_name = numeric_columns.column_name
where needed.table_name is null
    or needed.column_name is null
    or numeric_columns.column_name is null
