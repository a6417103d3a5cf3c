-- One row per raw census row, trimmed and typed. The normalised district and census year
-- come from dq.row_outcomes.
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

        -- cells as received, trimmed
        {{ clean_text('census_year') }} as census_year_as_received,
        {{ clean_text('district') }} as district_as_received,

        -- codes and numbers
        {{ clean_code('phase') }} as phase_code,
        {{ parse_count('settings') }} as settings,
        {{ parse_count('pupils') }} as pupils,
        {{ parse_count('sen_support') }} as sen_support,
        {{ parse_count('ehcp') }} as ehcp,

        extra_columns

    from source

)

select * from renamed
