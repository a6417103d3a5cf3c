-- Every term of the figure catalogue's numerators and denominators names a measure, census
-- count or SLA amount, at a phase it is reported for; every figure and breakdown has a
-- numerator; rates and ratios have a denominator; averages and totals have none.
with

parts as (

    select * from {{ ref('int_figures__parts') }}

),

figures as (

    select * from {{ ref('figures') }}

),

unresolved as (

    select
        figure_key,
        breakdown,
        'does not resolve: ' || term as problem
    from parts
    where not is_resolved

),

sides as (

    select
        figures.figure_key,
        figures.method,
        breakdown.value as breakdown,
        count(*) filter (where parts.side = 'numerator' and parts.is_resolved) as numerator_parts,
        count(*) filter (where parts.side = 'denominator' and parts.is_resolved)
            as denominator_parts

    from figures,
        unnest(string_split(figures.breakdowns, '|')) as breakdown (value)
    left join parts
        on
            parts.figure_key = figures.figure_key
            and parts.breakdown = breakdown.value
    group by all

),

badly_formed as (

    select
        figure_key,
        breakdown,
        'no numerator' as problem
    from sides
    where numerator_parts = 0
    union all
    select
        figure_key,
        breakdown,
        'a ' || method || ' needs a denominator' as problem
    from sides
    where method in ('rate', 'ratio') and denominator_parts = 0
    union all
    select
        figure_key,
        breakdown,
        'a ' || method || ' has no denominator' as problem
    from sides
    where method in ('average_per_term', 'total') and denominator_parts > 0

)

select * from unresolved
union all
select * from badly_formed
