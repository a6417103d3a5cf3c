{#
    Academic years are written 'YYYY-YY' (2023-24). The January census of calendar year Y
    belongs to academic year (Y-1)-Y, so academic year 2023-24 has census year 2024.
#}
{% macro academic_year_label(start_year) -%}
    (cast({{ start_year }} as varchar) || '-' || lpad(cast(({{ start_year }} + 1) % 100 as varchar), 2, '0'))
{%- endmacro %}

{% macro academic_year_start(academic_year) -%}
    cast(left({{ academic_year }}, 4) as integer)
{%- endmacro %}

{% macro academic_year_for_census(census_year) -%}
    {{ academic_year_label('(' ~ census_year ~ ') - 1') }}
{%- endmacro %}
