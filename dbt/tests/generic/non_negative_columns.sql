{#
    Counts and money are never below zero (NULLs pass: pair with not_null_columns where a
    column is required). One test node per model for all its columns, as not_null_columns:
    dbt's cost is per node, not per row. A failing result names each column with a value
    below zero and how many rows have one.
#}
{% test non_negative_columns(model, column_names) %}
    with negatives as (
        select
            {%- for column in column_names %}
                count(*) filter (
                    where {{ adapter.quote(column) }} < 0
                ) as {{ adapter.quote(column) }}{{ "," if not loop.last }}
            {%- endfor %}
        from {{ model }}
    ),

    by_column as (
        unpivot negatives on columns(*) into name column_name value negative_rows
    )

    select
        column_name,
        negative_rows
    from by_column
    where negative_rows > 0
{% endtest %}
