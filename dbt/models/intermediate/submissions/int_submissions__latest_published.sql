-- The submission in force for each (source, district, period): the PUBLISHED submission
-- received last. A held submission never supersedes, so a district-period whose latest
-- file is held keeps its earlier published figures. Downstream models take rows from this
-- submission only, so a later published submission replaces the earlier one as a whole:
-- a figure missing from it does not survive from the earlier file.
with

submissions as (

    select
        *,
        case source
            when 'termly_return' then academic_year || ' T' || cast(term_number as varchar)
            when 'census' then cast(census_year as varchar)
            else academic_year
        end as period

    from {{ ref('stg_dq__submissions') }}

),

published as (

    select
        *,
        row_number() over (
            partition by source, district, period
            order by received_seq desc, submission_id desc
        ) as recency_rank,
        count(*) over (partition by source, district, period) as published_submissions

    from submissions
    where submission_status = 'published'

),

latest as (

    select * exclude (recency_rank)
    from published
    where recency_rank = 1

),

held_after_latest as (

    select
        latest.submission_id,
        count(held.submission_id) as later_held_submissions

    from latest
    left join submissions as held
        on
            held.source = latest.source
            and held.district = latest.district
            and held.period = latest.period
            and held.submission_status = 'held'
            and held.received_seq > latest.received_seq

    group by latest.submission_id

),

final as (

    select
        latest.submission_id,
        latest.source,
        latest.district,
        latest.period,
        coalesce(
            latest.academic_year,
            case
                when latest.census_year is not null
                    then {{ academic_year_for_census('latest.census_year') }}
            end
        ) as academic_year,
        latest.term_number,
        latest.census_year,
        latest.load_id,
        latest.file_id,
        latest.file_name,
        latest.received_seq,
        latest.rows,
        latest.published_submissions,
        held_after_latest.later_held_submissions

    from latest
    inner join held_after_latest using (submission_id)

)

select * from final
