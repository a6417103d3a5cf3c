-- Child-level outcomes, for data stewards only (warehouse/dashboard/app_data.py refuses
-- everyone else): each cohort and comparison child of each academic year at each horizon,
-- with the episode and baseline behind it. The cohort marts count these rows.
with

followed as (

    select * from {{ ref('int_outcomes__followed') }}

),

cohort as (

    select * from {{ ref('int_outcomes__cohort') }}

),

final as (

    select
        followed.outcome_group,
        followed.academic_year,
        followed.child_key,
        followed.district as district_name,
        followed.phase_code,
        followed.closure_reason_code,
        cohort.episode_id,
        cohort.open_date,
        followed.followed_from,
        cohort.baseline_census_year,
        cohort.baseline_sen_status_code,
        followed.already_had_plan,
        followed.horizon_months,
        followed.followed_to,
        followed.observed,
        followed.escalated

    from followed
    left join cohort
        on
            followed.outcome_group = 'cohort'
            and cohort.closed_academic_year = followed.academic_year
            and cohort.child_key = followed.child_key

)

select * from final
