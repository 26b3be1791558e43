-- Erlang C (queue_interval_metrics.required_agents) staffs for the registry's service-level
-- target: without a row for `service_level_rate` with a target strictly between 0 and 1 every
-- required-agents figure would be null or meaningless. Returns a row when it is missing.
select count(*) as service_level_target_row_count
from {{ ref('kpi_registry') }}
where kpi_name = 'service_level_rate'
    and target_value > 0
    and target_value < 1
having count(*) != 1
