{#
    Every column named is filled in every row. One test node per model for all its
    required columns: a not_null test per column is a node each, and dbt's cost is per
    node (tens of milliseconds each), not per row. A failing result names each empty
    column and how many rows leave it empty.
#}
{% test not_null_columns(model, column_names) %}
    {{ column_failures(model, column_names, "is null", "null_rows") }}
{% endtest %}
