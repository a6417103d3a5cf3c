-- The published caseload episodes (Source 5), one row per episode: the latest extract's
-- version of it. child_key is the council's keyed hash, as received; nothing here (or
-- anywhere in the warehouse) joins it to anything identifying.
with

episodes as (

    select * from {{ ref('int_episodes__published') }}

),

final as (

    select
        episode_id,
        child_key,
        {{ surrogate_key(['district']) }} as district_sk,
        {{ surrogate_key(['phase_code']) }} as phase_sk,
        case
            when closure_reason_code is not null
                then {{ surrogate_key(['closure_reason_code']) }}
        end as closure_reason_sk,
        open_date,
        close_date,
        is_open,
        closed_academic_year,
        load_id,
        file_name

    from episodes

)

select * from final
