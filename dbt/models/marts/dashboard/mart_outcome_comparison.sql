-- Escalation in the comparison group (shared/contracts.md): per academic year, district and
-- phase (the school's, in the census) and horizon, the children at sen_support in the
-- year's January census never open to the service up to its census day, followed from that
-- day the same way as the cohort. None of them already had a plan (they were at
-- sen_support); the column is kept so the two marts add up alike.
with

followed as (

    select * from {{ ref('int_outcomes__followed') }}
    where outcome_group = 'comparison'

),

latest as (

    select max(census_year) as latest_census_year
    from {{ ref('int_pupil_census__published') }}

),

final as (

    select
        followed.academic_year,
        followed.district as district_name,
        followed.phase_code,
        followed.horizon_months,
        count(*) as children,
        count(*) filter (where followed.already_had_plan) as already_had_plan,
        count(*) filter (where followed.observed) as observed,
        count(*) filter (
            where not followed.already_had_plan and not followed.observed
        ) as not_observed,
        count(*) filter (where followed.escalated) as escalated,
        coalesce(
            {{ census_day('latest.latest_census_year + 1') }}
            > {{ months_after('min(followed.followed_from)', 'followed.horizon_months') }},
            false
        ) as horizon_complete

    from followed
    cross join latest
    group by
        followed.academic_year,
        followed.district,
        followed.phase_code,
        followed.horizon_months,
        latest.latest_census_year

)

select * from final
