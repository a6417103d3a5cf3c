-- Every district for every term that at least one district has sent a termly return for
-- (published or held): whether its figures are published, held back or missing. This is
-- the one place that says which district-terms count: the figure mart counts a
-- district-term only where has_published_return, and lists the others with the reason.
--   published       the submission in force is published, nothing held since
--   published_held  published figures stand, a later submission was held back
--   held            the only submissions received were held back
--   missing         nothing received
with

submissions as (

    select * from {{ ref('int_submissions__history') }}
    where source = 'termly_return'

),

in_force as (

    select * from {{ ref('int_submissions__latest_published') }}
    where source = 'termly_return'

),

districts as (

    select * from {{ ref('districts') }}

),

terms_sent as (

    select
        academic_year,
        term_number,
        count(distinct district) filter (where submission_status = 'published')
            as districts_published

    from submissions
    group by academic_year, term_number

),

latest_held as (

    select
        district,
        academic_year,
        term_number,
        submission_id,
        file_name,
        held_reason,
        received_seq

    from submissions
    where is_still_held
    qualify row_number() over (
        partition by district, academic_year, term_number
        order by received_seq desc, submission_id desc
    ) = 1

),

spine as (

    select
        districts.district_name as district,
        terms_sent.academic_year,
        terms_sent.term_number,
        terms_sent.districts_published

    from terms_sent
    cross join districts

),

final as (

    select
        spine.district,
        spine.academic_year,
        spine.term_number,
        case
            when in_force.submission_id is not null and latest_held.submission_id is not null
                then 'published_held'
            when in_force.submission_id is not null then 'published'
            when latest_held.submission_id is not null then 'held'
            else 'missing'
        end as return_status,
        in_force.submission_id is not null as has_published_return,
        spine.districts_published > 0 as term_has_published_returns,
        in_force.submission_id,
        in_force.load_id,
        in_force.file_name,
        in_force.received_seq,
        latest_held.submission_id as held_submission_id,
        latest_held.file_name as held_file_name,
        latest_held.held_reason

    from spine
    left join in_force
        on
            in_force.district = spine.district
            and in_force.academic_year = spine.academic_year
            and in_force.term_number = spine.term_number
    left join latest_held
        on
            latest_held.district = spine.district
            and latest_held.academic_year = spine.academic_year
            and latest_held.term_number = spine.term_number

)

select * from final
