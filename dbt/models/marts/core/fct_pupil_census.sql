-- The published pupil-level census (Source 6), one row per (census year, child): each
-- census year from the latest file for it. child_key is the council's keyed hash, as
-- received.
with

census as (

    select * from {{ ref('int_pupil_census__published') }}

),

final as (

    select
        census_year,
        child_key,
        census_day,
        academic_year,
        {{ surrogate_key(['district']) }} as district_sk,
        {{ surrogate_key(['phase_code']) }} as phase_sk,
        {{ surrogate_key(['sen_status_code']) }} as sen_status_sk,
        load_id,
        file_name

    from census

)

select * from final
