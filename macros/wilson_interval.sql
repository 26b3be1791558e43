{#- Wilson score interval for a proportion successes / n (KPI_DEFINITIONS.md section 4).
    Chosen over the normal approximation because it stays inside [0, 1] and behaves at
    small n and at rates near 0 or 1, which is where low-sample teams sit. z = 1.959964 is
    the 97.5th percentile of the standard normal, for a 95% interval.
    At a rate of exactly 1 (or 0) the upper (lower) bound is exactly 1 (0) analytically,
    but computes to 0.999... in floating point and would exclude the rate itself: the
    edges are therefore returned exactly. -#}
{% macro wilson_interval_bound(successes, n, side, z=1.959964) -%}
    case
        when ({{ n }}) is null or ({{ n }}) = 0 then null
        {% if side == 'low' -%}
        when ({{ successes }}) = 0 then 0.0
        {%- else -%}
        when ({{ successes }}) = ({{ n }}) then 1.0
        {%- endif %}
        else (
            ({{ successes }})::double / ({{ n }})
            + {{ z }} * {{ z }} / (2.0 * ({{ n }}))
            {{ '-' if side == 'low' else '+' }} {{ z }} * sqrt(
                ({{ successes }})::double / ({{ n }}) * (1 - ({{ successes }})::double / ({{ n }})) / ({{ n }})
                + {{ z }} * {{ z }} / (4.0 * ({{ n }}) * ({{ n }}))
            )
        ) / (1 + {{ z }} * {{ z }} / ({{ n }}))
    end
{%- endmacro %}
