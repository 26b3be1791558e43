-- The KPI registry (seed kpi_registry), published with the marts: the app reads marts only.
-- The seed cannot share the mart's name (dbt refs a name to one node).
with

registry as (
    select * from {{ ref('kpi_registry') }}
),

final as (
    select
        kpi_name,
        kpi_label,
        kpi_area,
        unit,
        display_format,
        target_value,
        target_direction,
        target_source,
        week_mart,
        sample_size_column,
        definition_ref
    from registry
)

select * from final
