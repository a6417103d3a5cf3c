-- One row per raw caseload-episode row (Source 5, child level), cells exactly as received
-- (text). The audit's reading of each row is in stg_dq__row_outcomes (district) and
-- stg_dq__caseload_episode_values (id, key, phase, dates, closure reason).
with

source as (

    select * from {{ source('raw', 'caseload_episode') }}

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
        episode_id as episode_id_as_received,
        child_key as child_key_as_received,
        district as district_as_received,
        phase as phase_as_received,
        open_date as open_date_as_received,
        close_date as close_date_as_received,
        closure_reason as closure_reason_as_received,

        extra_columns

    from source

)

select * from renamed
