{#- The join condition that finds the team an agent was in on a date: `spells` rows
    (int_agent_team_spells or dim_agent_teams) hold from valid_from_date until the day before
    valid_to_date (null: still). Every "team of the day" in the project is this condition. -#}
{% macro on_agent_team_spell(spells, agent_id, on_date) -%}
    {{ agent_id }} = {{ spells }}.agent_id
        and {{ on_date }} >= {{ spells }}.valid_from_date
        and ({{ spells }}.valid_to_date is null or {{ on_date }} < {{ spells }}.valid_to_date)
{%- endmacro %}
