-- Everyone followed, in one shape: each cohort child (from the day their episode closed)
-- and each comparison child (from their census day), per academic year. already_had_plan
-- children are here, and are left out of everything that follows them.
with

cohort as (

    select * from {{ ref('int_outcomes__cohort') }}

),

comparison as (

    select * from {{ ref('int_outcomes__comparison') }}

),

final as (

    select
        'cohort' as outcome_group,
        closed_academic_year as academic_year,
        child_key,
        district,
        phase_code,
        closure_reason_code,
        close_date as followed_from,
        already_had_plan

    from cohort

    union all

    select
        'comparison' as outcome_group,
        academic_year,
        child_key,
        district,
        phase_code,
        null as closure_reason_code,
        census_day as followed_from,
        false as already_had_plan

    from comparison

)

select * from final
