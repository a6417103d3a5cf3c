-- DfE's published figures in force (Source 4): the published rows of the data file in
-- force, one per (indicator, area, year as published). A row repeated with the same value
-- (a warning, not an error) is kept once: its first occurrence in the file.
with

row_values as (

    select * from {{ ref('stg_dq__national_data_values') }}

),

outcomes as (

    select * from {{ ref('stg_dq__row_outcomes') }}
    where source = 'national_data' and outcome = 'published'

),

in_force as (

    select * from {{ ref('int_national__files_in_force') }}
    where source = 'national_data'

),

joined as (

    select
        row_values.indicator_code,
        row_values.la_number,
        row_values.area_name,
        row_values.region_label,
        row_values.year_published,
        row_values.year_sort,
        row_values.year_status,
        row_values.value,
        row_values.value_symbol,
        in_force.file_id,
        in_force.file_name,
        row_values.row_number

    from row_values
    inner join in_force on row_values.file_id = in_force.file_id
    inner join outcomes
        on
            row_values.file_id = outcomes.file_id
            and row_values.row_number = outcomes.row_number

),

final as (

    select * from joined
    qualify
        row_number() over (
            partition by indicator_code, la_number, year_published order by row_number
        ) = 1

)

select * from final
