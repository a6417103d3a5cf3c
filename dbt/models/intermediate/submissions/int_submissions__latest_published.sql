-- The submission in force for each (source, district, period): the published submission
-- no later published one has superseded (int_submissions__history decides). A district-
-- period whose latest file is held keeps its earlier published figures. Downstream models
-- take rows from this submission only, so a later published submission replaces the
-- earlier one as a whole: a figure missing from it does not survive from the earlier file.
with

history as (

    select * from {{ ref('int_submissions__history') }}

),

counted as (

    select
        *,
        count(*) filter (where submission_status = 'published')
            over (partition by source, district, period) as published_submissions,
        count(*) filter (where is_still_held)
            over (partition by source, district, period) as later_held_submissions

    from history

),

final as (

    select
        submission_id,
        source,
        district,
        period,
        academic_year,
        term_number,
        census_year,
        load_id,
        file_id,
        file_name,
        received_seq,
        rows,
        published_submissions,
        later_held_submissions

    from counted
    where is_in_force

)

select * from final
