{#
    How many rows of a model meet a condition in each of the columns named, in one scan:
    one row per column with any (`column_name` and the count, named by `count_name`). The
    body of the one-node-per-model generic tests (tests/generic/not_null_columns.sql,
    non_negative_columns.sql): dbt's cost is per node, not per row.
#}
{% macro column_failures(model, column_names, condition, count_name) %}
    with counts as (
        select
            {%- for column in column_names %}
                count(*) filter (
                    where {{ adapter.quote(column) }} {{ condition }}
                ) as {{ adapter.quote(column) }}{{ "," if not loop.last }}
            {%- endfor %}
        from {{ model }}
    ),

    by_column as (
        unpivot counts on columns(*) into name column_name value {{ count_name }}
    )

    select
        column_name,
        {{ count_name }}
    from by_column
    where {{ count_name }} > 0
{% endmacro %}
