{#
    dbt's relationships test over a part of the referenced table: every value of the column
    is a value of `field` in the rows of `to` where `to_condition` holds (NULLs pass, as in
    relationships). For a code list a seed holds with a flag, e.g. the phases a census
    counts: the list stays in the seed, not copied into an accepted_values test. The query
    is dbt's own relationships test, given the part of `to` as its parent.
    Usage (dbt 1.11 nests test inputs under `arguments:`):
        data_tests:
          - relationships_where:
              arguments:
                to: ref('phases')
                field: phase_code
                to_condition: in_census
#}
{% test relationships_where(model, column_name, to, field, to_condition) %}
    {%- set part -%}
        (select * from {{ to }} where {{ to_condition }})
    {%- endset %}
    {{ adapter.dispatch('test_relationships', 'dbt')(model, column_name, part, field) }}
{% endtest %}
