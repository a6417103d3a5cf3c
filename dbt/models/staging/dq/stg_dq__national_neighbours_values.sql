-- The audit's reading of each row of DfE's statistical neighbours workbook (Source 4): an
-- LA's ten neighbours by DfE LA number (sn1 the closest) and their closeness labels.
with

source as (

    select * from {{ source('dq', 'national_neighbours_values') }}

),

renamed as (

    select
        file_id,
        row_number,
        cast(la_number as integer) as la_number,
        la_name,
        region as region_label,
        cast(sn1 as integer) as sn1,
        cast(sn2 as integer) as sn2,
        cast(sn3 as integer) as sn3,
        cast(sn4 as integer) as sn4,
        cast(sn5 as integer) as sn5,
        cast(sn6 as integer) as sn6,
        cast(sn7 as integer) as sn7,
        cast(sn8 as integer) as sn8,
        cast(sn9 as integer) as sn9,
        cast(sn10 as integer) as sn10,
        snp1,
        snp2,
        snp3,
        snp4,
        snp5,
        snp6,
        snp7,
        snp8,
        snp9,
        snp10

    from source

)

select * from renamed
