-- DfE's statistical neighbours (Source 4, the workbook in force): one row per LA and each
-- of its ten neighbours, in DfE's order (1 the closest) with DfE's closeness label. A
-- neighbour number that is no area of the warehouse (a warning at load) is left out.
with

neighbours as (

    select * from {{ ref('int_national__neighbours') }}

),

areas as (

    select * from {{ ref('dim_local_authority') }}

),

final as (

    select
        {{ surrogate_key(['neighbours.la_number', 'neighbours.neighbour_order']) }}
            as statistical_neighbour_sk,
        {{ surrogate_key(['neighbours.la_number']) }} as local_authority_sk,
        {{ surrogate_key(['neighbours.neighbour_la_number']) }} as neighbour_local_authority_sk,
        neighbours.la_number,
        neighbours.neighbour_la_number,
        cast(neighbours.neighbour_order as integer) as neighbour_order,
        neighbours.closeness

    from neighbours
    inner join areas as neighbour on neighbours.neighbour_la_number = neighbour.la_number

)

select * from final
