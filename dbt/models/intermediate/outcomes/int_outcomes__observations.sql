-- Every census a followed child (not one who already had a plan) appears in after the day
-- they are followed from: census day strictly after it. months_since is whole calendar
-- months from that day to the census day.
with

members as (

    select * from {{ ref('int_outcomes__members') }}
    where not already_had_plan

),

census as (

    select * from {{ ref('int_pupil_census__published') }}

),

final as (

    select
        members.outcome_group,
        members.academic_year,
        members.child_key,
        members.followed_from,
        census.census_year,
        census.census_day,
        census.sen_status_code,
        {{ whole_months_between('members.followed_from', 'census.census_day') }} as months_since

    from members
    inner join census
        on
            census.child_key = members.child_key
            and census.census_day > members.followed_from

)

select * from final
