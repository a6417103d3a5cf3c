-- Cohort curves: of the children followed (not those who already had a plan) who appear in
-- a census some months after the day they are followed from, how many had a plan there.
-- Months are whole calendar months, in bands of 6 (0 = 0 to 5 months); the comparison
-- group's censuses fall at 12, 24, 36 ... months. Python pools: with_plan / children_seen.
with

observations as (

    select * from {{ ref('int_outcomes__observations') }}

),

members as (

    select * from {{ ref('int_outcomes__members') }}

),

final as (

    select
        observations.outcome_group,
        observations.academic_year,
        members.district as district_name,
        members.phase_code,
        cast(observations.months_since // 6 * 6 as integer) as months_since_band,
        count(distinct observations.child_key) as children_seen,
        count(distinct observations.child_key) filter (
            where observations.sen_status_code = 'ehcp'
        ) as with_plan

    from observations
    inner join members
        on
            members.outcome_group = observations.outcome_group
            and members.academic_year = observations.academic_year
            and members.child_key = observations.child_key
    group by all

)

select * from final
