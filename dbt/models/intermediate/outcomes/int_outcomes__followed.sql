-- Each followed child at each horizon (seeds/outcome_horizons.csv: 12 and 24 months):
-- observed if they appear in a census whose day falls after the day they are followed from
-- and no later than the horizon after it; escalated if observed and ehcp in any such
-- census. A child who already had a plan is neither (left out); a child not observed is
-- not counted as not escalated.
with

members as (

    select * from {{ ref('int_outcomes__members') }}

),

horizons as (

    select * from {{ ref('outcome_horizons') }}

),

observations as (

    select * from {{ ref('int_outcomes__observations') }}

),

windows as (

    select
        members.*,
        horizons.horizon_months,
        {{ months_after('members.followed_from', 'horizons.horizon_months') }} as followed_to

    from members
    cross join horizons

),

final as (

    select
        windows.outcome_group,
        windows.academic_year,
        windows.child_key,
        windows.district,
        windows.phase_code,
        windows.closure_reason_code,
        windows.followed_from,
        windows.already_had_plan,
        windows.horizon_months,
        windows.followed_to,
        count(observations.census_year) > 0 as observed,
        coalesce(bool_or(observations.sen_status_code = 'ehcp'), false) as escalated

    from windows
    left join observations
        on
            observations.outcome_group = windows.outcome_group
            and observations.academic_year = windows.academic_year
            and observations.child_key = windows.child_key
            and observations.census_day <= windows.followed_to
    group by all

)

select * from final
