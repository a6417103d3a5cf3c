-- The cohort of each academic year (shared/contracts.md, "Outcome definitions"): every child
-- with an episode closed in that year (1 September to 31 August), counted once, by their
-- latest episode closed in it (the latest close date; then the latest opened; then the
-- highest episode id). The child's district, phase and closure reason are that episode's.
--
-- Baseline: the last census (of those published) whose census day falls on or before the
-- episode's open date. A child whose status in it was ehcp "already had a plan". A child
-- absent from that census, or whose episode opened before the first census published, has
-- no baseline status and did not already have a plan.
with

episodes as (

    select * from {{ ref('int_episodes__published') }}
    where not is_open

),

ranked as (

    select
        *,
        row_number() over (
            partition by child_key, closed_academic_year
            order by close_date desc, open_date desc, episode_id desc
        ) as latest_rank

    from episodes

),

cohort as (

    select * from ranked
    where latest_rank = 1

),

census as (

    select * from {{ ref('int_pupil_census__published') }}

),

census_days as (

    select distinct
        census_year,
        census_day

    from census

),

baseline_census as (

    select
        cohort.closed_academic_year,
        cohort.child_key,
        max(census_days.census_year) as baseline_census_year

    from cohort
    inner join census_days
        on census_days.census_day <= cohort.open_date
    group by cohort.closed_academic_year, cohort.child_key

),

final as (

    select
        cohort.closed_academic_year,
        cohort.child_key,
        cohort.episode_id,
        cohort.district,
        cohort.phase_code,
        cohort.closure_reason_code,
        cohort.open_date,
        cohort.close_date,
        baseline_census.baseline_census_year,
        census.sen_status_code as baseline_sen_status_code,
        coalesce(census.sen_status_code = 'ehcp', false) as already_had_plan

    from cohort
    left join baseline_census
        on
            baseline_census.closed_academic_year = cohort.closed_academic_year
            and baseline_census.child_key = cohort.child_key
    left join census
        on
            census.census_year = baseline_census.baseline_census_year
            and census.child_key = cohort.child_key

)

select * from final
