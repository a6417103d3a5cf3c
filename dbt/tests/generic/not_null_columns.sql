{#
    Every column named is filled in every row. One test node per model for all its
    required columns: a not_null test per column is a node each, and dbt's cost is per
    node (tens of milliseconds each), not per row. A failing result names each empty
    column and how many rows leave it empty.
#}
{% test not_null_columns(model, column_names) %}
    with nulls as (
        select
            {%- for column in column_names %}
                count(*) filter (
                    where {{ adapter.quote(column) }} is null
                ) as {{ adapter.quote(column) }}{{ "," if not loop.last }}
            {%- endfor %}
        from {{ model }}
    ),

    by_column as (
        unpivot nulls on columns(*) into name column_name value null_rows
    )

    select
        column_name,
        null_rows
    from by_column
    where null_rows > 0
{% endtest %}
