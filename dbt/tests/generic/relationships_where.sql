{#
    dbt's relationships test over a part of the referenced table: every value of the column
    is a value of `field` in the rows of `to` where `to_condition` holds (NULLs pass, as in
    relationships). For a code list a seed holds with a flag, e.g. the phases a census
    counts: the list stays in the seed, not copied into an accepted_values test.
    Usage (dbt 1.11 nests test inputs under `arguments:`):
        data_tests:
          - relationships_where:
              arguments:
                to: ref('phases')
                field: phase_code
                to_condition: in_census
#}
{% test relationships_where(model, column_name, to, field, to_condition) %}
    with child as (
        select {{ column_name }} as value
        from {{ model }}
        where {{ column_name }} is not null
    ),

    parent as (
        select {{ field }} as value
        from {{ to }}
        where {{ to_condition }}
    )

    select child.value
    from child
    left join parent on child.value = parent.value
    where parent.value is null
{% endtest %}
