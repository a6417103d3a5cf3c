{#
    The grain test: no two rows share the same values of these columns (NULLs compare equal).
    Usage (dbt 1.11 nests test inputs under `arguments:`):
        data_tests:
          - unique_combination_of_columns:
              arguments:
                combination_of_columns: [district_sk, term_sk]
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    {%- set columns = combination_of_columns | join(', ') %}
    select {{ columns }}, count(*) as rows_with_this_key
    from {{ model }}
    group by {{ columns }}
    having count(*) > 1
{% endtest %}
