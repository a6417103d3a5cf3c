-- One row per raw census row, cells exactly as received (text). The audit's reading of
-- each row is in stg_dq__row_outcomes (key) and stg_dq__census_values (phase and counts).
with

source as (

    select * from {{ source('raw', 'census') }}

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
        district as district_as_received,
        phase as phase_as_received,
        settings as settings_as_received,
        pupils as pupils_as_received,
        sen_support as sen_support_as_received,
        ehcp as ehcp_as_received,

        extra_columns

    from source

)

select * from renamed
