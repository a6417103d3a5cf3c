-- One row per raw termly-return row, trimmed and typed. The normalised district, year and
-- term come from dq.row_outcomes (the audit's reading), not from these as-received cells.
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

        -- cells as received, trimmed
        {{ clean_text('district') }} as district_as_received,
        {{ clean_text('academic_year') }} as academic_year_as_received,
        {{ clean_text('term') }} as term_as_received,

        -- codes and numbers
        {{ clean_code('phase') }} as phase_code,
        {{ clean_code('measure') }} as measure_code,
        {{ parse_count('value') }} as value,

        extra_columns

    from source

)

select * from renamed
