{#- A contact flow's attribute, by the key the center's flows use for it (var connect_attribute_keys):
    Amazon Connect records carry whatever the flows set, so the key is configuration, not code. -#}
{% macro connect_attribute(attributes, name) -%}
    json_extract_string({{ attributes }}, '$."{{ var('connect_attribute_keys')[name] }}"')
{%- endmacro %}

{#- A list var as a SQL tuple of strings: ('a', 'b'). -#}
{% macro sql_list(values) -%}
    ({% for value in values %}'{{ value | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor %})
{%- endmacro %}
