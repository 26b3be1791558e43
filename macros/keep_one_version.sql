{#- One version of each record, the first by `version_order` (an ORDER BY list: latest
    first for most sources). Vendors hand over a record again when it changes (Zendesk's
    incremental export) or more than once (Connect delivers at least once), and raw keeps
    every version; staging keeps one. Ties go to the later landing day, then file. -#}
{% macro keep_one_version(relation, key_column, version_order) %}
    select *
    from {{ relation }}
    qualify row_number() over (
        partition by {{ key_column }}
        order by {{ version_order }}, _landing_date desc, _source_file desc
    ) = 1
{% endmacro %}
