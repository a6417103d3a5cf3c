-- DfE's statistical neighbours in force (Source 4), one row per (LA, neighbour): the ten
-- neighbours of every LA in the published rows of the workbook in force, in DfE's order
-- (1 the closest) with DfE's closeness label. Rows above the header and section labels (no
-- LA number) are not LAs; a neighbour cell that is not an LA number is left out.
with

row_values as (

    select * from {{ ref('stg_dq__national_neighbours_values') }}
    where la_number is not null

),

outcomes as (

    select * from {{ ref('stg_dq__row_outcomes') }}
    where source = 'national_neighbours' and outcome = 'published'

),

in_force as (

    select * from {{ ref('int_national__files_in_force') }}
    where source = 'national_neighbours'

),

in_force_rows as (

    select row_values.*

    from row_values
    inner join in_force on row_values.file_id = in_force.file_id
    inner join outcomes
        on
            row_values.file_id = outcomes.file_id
            and row_values.row_number = outcomes.row_number
    qualify row_number() over (partition by row_values.la_number order by row_values.row_number) = 1

),

unpivoted as (

    {% for n in range(1, 11) %}
        select
            la_number,
            la_name,
            region_label,
            {{ n }} as neighbour_order,
            sn{{ n }} as neighbour_la_number,
            snp{{ n }} as closeness,
            file_id,
            row_number
        from in_force_rows
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select * from unpivoted
    where neighbour_la_number is not null

)

select * from final
