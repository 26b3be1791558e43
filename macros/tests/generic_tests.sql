{#- The few generic tests csops needs beyond dbt's own, written here because the dbt
    package hub cannot be reached from where csops builds (no dbt_utils). -#}

{% test csops_unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as row_count
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}

{% test csops_between(model, column_name, min_value, max_value) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}

{% test csops_row_count(model, expected) %}
select count(*) as row_count
from {{ model }}
having count(*) != {{ expected }}
{% endtest %}
