{#
    A percentage 0-100, unrounded; NULL when the denominator is 0 or missing, or the
    numerator is missing. Pooled rates pass sums: pct('sum(a)', 'sum(b)').
#}
{% macro pct(numerator, denominator) -%}
    (100.0 * cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0))
{%- endmacro %}

{# A ratio (for example money per pupil), unrounded; NULL when the denominator is 0 or missing. #}
{% macro ratio(numerator, denominator) -%}
    (cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0))
{%- endmacro %}
