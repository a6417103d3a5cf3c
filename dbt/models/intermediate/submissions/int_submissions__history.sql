-- Every submission ever received (all rows of one source, district and period in one file)
-- and what became of it. This is the one place supersession is decided:
--   * a PUBLISHED submission is in force until a later published one for the same period
--     arrives, which supersedes it as a whole;
--   * a HELD submission never supersedes anything; it is released by the first published
--     submission for its period received after it, and is still held until then.
-- "Later" is the order of arrival (received_seq), then the submission id.
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

ordered as (

    select
        *,
        first_value(
            case when submission_status = 'published' then submission_id end ignore nulls
        ) over (
            partition by source, district, period
            order by received_seq, submission_id
            rows between 1 following and unbounded following
        ) as next_published_submission_id

    from submissions

),

final as (

    select
        submission_id,
        source,
        district,
        period,
        coalesce(
            academic_year,
            case
                when census_year is not null
                    then {{ academic_year_for_census('census_year') }}
            end
        ) as academic_year,
        term_number,
        census_year,
        load_id,
        file_id,
        file_name,
        received_seq,
        rows,
        submission_status,
        held_reason,
        submission_status = 'published'
        and next_published_submission_id is null as is_in_force,
        case
            when submission_status = 'published' then next_published_submission_id
        end as superseded_by_submission_id,
        case
            when submission_status = 'held' then next_published_submission_id
        end as released_by_submission_id,
        submission_status = 'held'
        and next_published_submission_id is null as is_still_held

    from ordered

)

select * from final
