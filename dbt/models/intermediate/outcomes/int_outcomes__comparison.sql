-- The comparison group of each academic year (shared/contracts.md): children at sen_support
-- in the January census within the year (census Y for academic year (Y-1)-Y), never open to
-- the service up to that census day (no published episode of theirs opened on or before
-- it). Their district and phase are the census's (the school's).
with

census as (

    select * from {{ ref('int_pupil_census__published') }}

),

first_opened as (

    select
        child_key,
        min(open_date) as first_open_date

    from {{ ref('int_episodes__published') }}
    group by child_key

),

final as (

    select
        census.academic_year,
        census.census_year,
        census.census_day,
        census.child_key,
        census.district,
        census.phase_code

    from census
    left join first_opened
        on first_opened.child_key = census.child_key
    where
        census.sen_status_code = 'sen_support'
        and (
            first_opened.first_open_date is null
            or first_opened.first_open_date > census.census_day
        )

)

select * from final
