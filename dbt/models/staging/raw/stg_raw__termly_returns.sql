-- One row per raw termly-return row, cells exactly as received (text). What a cell means
-- (the normalised key, the code, the number) is the audit's reading: stg_dq__row_outcomes
-- and stg_dq__termly_return_values. Nothing is parsed here.
with

source as (

    select * from {{ source('raw', 'termly_return') }}

),

renamed as (

    select
        -- lineage
        load_id,
        file_id,
        file_name,
        file_checksum,
        row_number,

        -- cells as received
        district as district_as_received,
        academic_year as academic_year_as_received,
        term as term_as_received,
        phase as phase_as_received,
        measure as measure_as_received,
        value as value_as_received,

        extra_columns

    from source

)

select * from renamed
