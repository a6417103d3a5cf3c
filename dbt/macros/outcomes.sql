{#
    The outcome definitions' calendar (shared/contracts.md, "Outcome definitions"): the
    census day of census year Y is 15 January Y; an academic year runs from 1 September to
    31 August; a horizon of h months ends h calendar months after its start (a month-end
    start ends on the month-end: 31 August + 6 months is 28 or 29 February).
#}
{% macro census_day(census_year) -%}
    make_date(cast({{ census_year }} as integer), 1, 15)
{%- endmacro %}

{% macro academic_year_of(day) -%}
    {{ academic_year_label(
        'case when month(' ~ day ~ ') >= 9 then year(' ~ day ~ ') else year(' ~ day ~ ') - 1 end'
    ) }}
{%- endmacro %}

{% macro months_after(day, months) -%}
    cast({{ day }} + to_months(cast({{ months }} as integer)) as date)
{%- endmacro %}

{% macro whole_months_between(start_day, end_day) -%}
    (
        (year({{ end_day }}) - year({{ start_day }})) * 12
        + month({{ end_day }}) - month({{ start_day }})
        - case when day({{ end_day }}) < day({{ start_day }}) then 1 else 0 end
    )
{%- endmacro %}
