-- The pivot's (measure, phase) columns (macro termly_measure_phases) must be exactly the
-- catalogue's pairs (seeds/measures.csv). Returns the pairs found on one side only.
with

catalogue as (

    select measure_code, unnest(string_split(allowed_phases, '|')) as phase_code
    from {{ ref('measures') }}

),

pivot_columns as (

    select * from (
        values
        {%- for measure, phase in termly_measure_phases() %}
        ('{{ measure }}', '{{ phase }}'){{ "," if not loop.last }}
        {%- endfor %}
    ) as pairs (measure_code, phase_code)

),

only_in_catalogue as (

    select 'missing from termly_measure_phases()' as problem, * from catalogue
    except
    select 'missing from termly_measure_phases()', * from pivot_columns

),

only_in_pivot as (

    select 'not in seeds/measures.csv' as problem, * from pivot_columns
    except
    select 'not in seeds/measures.csv', * from catalogue

)

select * from only_in_catalogue
union all
select * from only_in_pivot
