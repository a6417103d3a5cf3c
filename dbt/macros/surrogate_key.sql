{#
    A surrogate key: md5 of the natural key's columns, each cast to text, joined by '-'
    (the same recipe as dbt_utils.generate_surrogate_key, without the package). Keys are
    stable across rebuilds, so a fact row can be keyed from its natural key without a join
    and the relationships tests prove the dimension holds it.
#}
{% macro surrogate_key(columns) -%}
    md5(concat_ws('-'
    {%- for column in columns -%}
        , coalesce(cast({{ column }} as varchar), '_null_')
    {%- endfor -%}
    ))
{%- endmacro %}
