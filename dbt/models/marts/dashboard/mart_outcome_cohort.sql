-- Escalation after support, cohort side (shared/contracts.md, "Outcome definitions"): per
-- closed academic year, district, phase at referral, closure reason and horizon, the
-- children of the cohort, those who already had a plan (left out of the rest), those
-- observed in a census within the horizon, those not observed (reported, never counted as
-- not escalated) and those escalated (ehcp in such a census). Python pools a selection:
-- escalated / observed, summed over the rows chosen.
-- horizon_complete: every census that can fall in any of the year's windows is published
-- (the census after the latest published one falls after the last window's end).
with

followed as (

    select * from {{ ref('int_outcomes__followed') }}
    where outcome_group = 'cohort'

),

latest as (

    select max(census_year) as latest_census_year
    from {{ ref('int_pupil_census__published') }}

),

final as (

    select
        followed.academic_year as closed_academic_year,
        followed.district as district_name,
        followed.phase_code,
        followed.closure_reason_code,
        followed.horizon_months,
        count(*) as children,
        count(*) filter (where followed.already_had_plan) as already_had_plan,
        count(*) filter (where followed.observed) as observed,
        count(*) filter (
            where not followed.already_had_plan and not followed.observed
        ) as not_observed,
        count(*) filter (where followed.escalated) as escalated,
        coalesce(
            {{ census_day('latest.latest_census_year + 1') }} > {{ months_after(
                'make_date(' ~ academic_year_start('followed.academic_year') ~ ' + 1, 8, 31)',
                'followed.horizon_months'
            ) }},
            false
        ) as horizon_complete

    from followed
    cross join latest
    group by all

)

select * from final
