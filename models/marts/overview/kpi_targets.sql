-- The manager's targets (seed kpi_target_settings), published with the marts: the app reads
-- marts only. The seed cannot share the mart's name (dbt refs a name to one node).
with

targets as (
    select * from {{ ref('kpi_target_settings') }}
),

final as (
    select
        kpi_name,
        kpi_label,
        target_value,
        target_direction,
        unit,
        target_source,
        definition_ref
    from targets
)

select * from final
