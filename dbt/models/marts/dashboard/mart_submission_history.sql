-- Every submission received and what became of it, for the Data quality page and
-- `stls dq`: in force, superseded by a later published file, held back, or released (a
-- held submission that a later published file replaced). Supersession itself is decided
-- in int_submissions__history.
with

history as (

    select * from {{ ref('int_submissions__history') }}

),

final as (

    select
        history.submission_id,
        history.source,
        history.district as district_name,
        history.period,
        history.academic_year,
        history.term_number,
        history.census_year,
        history.load_id,
        history.file_name,
        history.received_seq,
        history.rows,
        history.submission_status,
        history.held_reason,
        case
            when history.is_in_force then 'in_force'
            when history.submission_status = 'published' then 'superseded'
            when history.is_still_held then 'held'
            else 'released'
        end as submission_state,
        coalesce(history.superseded_by_submission_id, history.released_by_submission_id)
            as replaced_by_submission_id,
        later.file_name as replaced_by_file_name,
        later.load_id as replaced_in_load_id

    from history
    left join history as later
        on later.submission_id = coalesce(
            history.superseded_by_submission_id, history.released_by_submission_id
        )

)

select * from final
