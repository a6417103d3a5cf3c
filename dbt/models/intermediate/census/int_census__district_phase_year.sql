-- For every academic year and every (district, census phase) with a published census: the
-- census figures used as that year's denominators. The year's own census when that
-- district-phase is published in it, else the latest earlier published census of that
-- district-phase (so one district's held census does not leave the county's pooled
-- denominators short). census_is_fallback marks an earlier census.
with

years as (

    select
        academic_year,
        census_year
    from {{ ref('int_academic_years') }}

),

census as (

    select * from {{ ref('int_census__published') }}

),

candidates as (

    select
        years.academic_year,
        years.census_year,
        census.district,
        census.phase_code,
        census.census_year as census_year_used,
        census.settings,
        census.pupils,
        census.sen_support,
        census.ehcp,
        census.submission_id,
        row_number() over (
            partition by years.academic_year, census.district, census.phase_code
            order by census.census_year desc
        ) as recency_rank

    from years
    inner join census
        on census.census_year <= years.census_year

),

final as (

    select
        academic_year,
        district,
        phase_code,
        census_year,
        census_year_used,
        census_year_used <> census_year as census_is_fallback,
        settings,
        pupils,
        sen_support,
        ehcp,
        submission_id

    from candidates
    where recency_rank = 1

)

select * from final
