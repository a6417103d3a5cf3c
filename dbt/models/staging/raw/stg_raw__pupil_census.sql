-- One row per raw pupil-level census row (Source 6, child level), cells exactly as received
-- (text). The audit's reading of each row is in stg_dq__row_outcomes (district, census year)
-- and stg_dq__pupil_census_values (key, phase, SEN status).
with

source as (

    select * from {{ source('raw', 'pupil_census') }}

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
        census_year as census_year_as_received,
        child_key as child_key_as_received,
        district as district_as_received,
        phase as phase_as_received,
        sen_status as sen_status_as_received,

        extra_columns

    from source

)

select * from renamed
