-- The audit's reading of each raw pupil-level census row: the child key as received
-- (trimmed; NULL where it is not a keyed hash), the phase and the SEN status codes.
with

source as (

    select * from {{ source('dq', 'pupil_census_values') }}

),

renamed as (

    select
        file_id,
        row_number,
        child_key,
        phase as phase_code,
        sen_status as sen_status_code

    from source

)

select * from renamed
