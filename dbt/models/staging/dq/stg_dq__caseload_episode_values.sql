-- The audit's reading of each raw caseload-episode row: the episode id and child key as
-- received (trimmed; the key NULL where it is not a keyed hash), the phase and closure
-- reason codes, and the open and close dates (NULL where a cell is not a date; the close
-- date NULL while the episode is open).
with

source as (

    select * from {{ source('dq', 'caseload_episode_values') }}

),

renamed as (

    select
        file_id,
        row_number,
        episode_id,
        child_key,
        phase as phase_code,
        cast(open_date as date) as open_date,
        cast(close_date as date) as close_date,
        closure_reason as closure_reason_code

    from source

)

select * from renamed
