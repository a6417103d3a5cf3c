-- The audit's reading of each raw termly-return row (warehouse/core/values.py parses every
-- number once, for the checks and for this table): phase and measure codes trimmed and
-- lower-cased, the value as a whole number (NULL where the cell is not one).
with

source as (

    select * from {{ source('dq', 'termly_return_values') }}

),

renamed as (

    select
        file_id,
        row_number,
        phase as phase_code,
        measure as measure_code,
        cast(value as bigint) as value

    from source

)

select * from renamed
