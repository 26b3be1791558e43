-- The service-level target lives in two places: the `service_level_target` var (what Erlang C
-- staffs queue_interval_metrics for) and the kpi_target_settings seed (what the overview judges
-- against). Fails when they differ, so neither is changed alone.
select kpi_name, target_value
from {{ ref('kpi_targets') }}
where kpi_name = 'service_level_rate'
    and target_value != {{ var('service_level_target') }}
