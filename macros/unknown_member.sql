{#- The unknown member of a dimension, as GitLab's data team keys theirs: a fact whose team is
    not known (an agent in no team that day, a ticket's group mapped to none) carries the key
    'unknown' instead of null, and dim_teams has a row with that key ("Unknown team"). The fact
    then still joins to its dimension and is counted, in its own visible row, rather than
    dropped by an inner join or grouped under a null nobody can filter on. Every fact column that
    holds a team key is filled through this macro, so the member's key is written once. -#}
{% macro unknown_member_key() -%}
    'unknown'
{%- endmacro %}

{% macro known_or_unknown(column) -%}
    coalesce({{ column }}, {{ unknown_member_key() }})
{%- endmacro %}
