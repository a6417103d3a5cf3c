-- The audit's reading of each row of DfE's long data (Source 4): the value is a number or
-- one of DfE's symbols, never both; dbt casts and never parses DfE's text.
with

source as (

    select * from {{ source('dq', 'national_data_values') }}

),

renamed as (

    select
        file_id,
        row_number,
        indicator_code,
        year as year_published,
        cast(year_sort as integer) as year_sort,
        year_status,
        cast(la_number as integer) as la_number,
        area_name,
        region as region_label,
        cast(value as double) as value,
        value_symbol

    from source

)

select * from renamed
