{# Counts and money are never below zero (NULLs pass; pair with not_null where required). #}
{% test non_negative(model, column_name) %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} < 0
{% endtest %}
