{#
    Counts and money are never below zero (NULLs pass: pair with not_null_columns where a
    column is required). One test node per model for all its columns, as not_null_columns:
    dbt's cost is per node, not per row. A failing result names each column with a value
    below zero and how many rows have one.
#}
{% test non_negative_columns(model, column_names) %}
    {{ column_failures(model, column_names, "< 0", "negative_rows") }}
{% endtest %}
