-- The figure catalogue (seeds/figures.csv) read into the parts each figure adds up: one row
-- per (figure, breakdown, side, source, field, phase). A figure's numerator and denominator
-- are written in a small grammar, parsed here and only here:
--
--   expression := term ('+' term)*            terms are summed
--   term       := [source '.'] field ['@' phase]
--   source     := return (default: a measure of the termly return) | census | funding
--   phase      := a phase code, or 'all'; default: the breakdown, when it is a phase
--   per breakdown: 'key=expression;key=expression' gives each breakdown its own expression
--
-- A phase the measure (or the census) is not reported for is read as the phases it is made
-- of: school_age = the school-age phases reported (caseload: primary + secondary), all =
-- every phase reported. The singular test assert_figure_catalogue_parts_resolve fails on a
-- term that names no measure, census or funding field, or a phase nothing is reported for
-- (such a term is kept here with is_resolved = false, and the figure mart ignores it).
with

figures as (

    select * from {{ ref('figures') }}

),

phases as (

    select * from {{ ref('phases') }}

),

measures as (

    select * from {{ ref('measures') }}

),

breakdowns as (

    select
        figures.figure_key,
        trim(breakdown.value) as breakdown,
        breakdown.position as breakdown_order,
        figures.numerator,
        figures.denominator

    from figures,
        unnest(string_split(figures.breakdowns, '|')) with ordinality as breakdown (value, position)

),

sides as (

    select
        figure_key,
        breakdown,
        breakdown_order,
        'numerator' as side,
        numerator as expression
    from breakdowns
    union all
    select
        figure_key,
        breakdown,
        breakdown_order,
        'denominator' as side,
        denominator as expression
    from breakdowns
    where nullif(trim(denominator), '') is not null

),

-- 'key=expression;key=expression': keep the breakdown's own expression
alternatives as (

    select
        sides.figure_key,
        sides.breakdown,
        sides.breakdown_order,
        sides.side,
        trim(alternative.value) as alternative

    from sides,
        unnest(string_split(sides.expression, ';')) as alternative (value)

),

expressions as (

    select
        figure_key,
        breakdown,
        breakdown_order,
        side,
        case
            when contains(alternative, '=') then trim(split_part(alternative, '=', 2))
            else alternative
        end as expression

    from alternatives
    where
        not contains(alternative, '=')
        or trim(split_part(alternative, '=', 1)) = breakdown

),

terms as (

    select
        expressions.figure_key,
        expressions.breakdown,
        expressions.breakdown_order,
        expressions.side,
        trim(term.value) as term

    from expressions,
        unnest(string_split(expressions.expression, '+')) as term (value)

),

parsed as (

    select
        figure_key,
        breakdown,
        breakdown_order,
        side,
        term,
        case
            when contains(split_part(term, '@', 1), '.')
                then trim(split_part(split_part(term, '@', 1), '.', 1))
            else 'return'
        end as source,
        trim(case
            when contains(split_part(term, '@', 1), '.')
                then split_part(split_part(term, '@', 1), '.', 2)
            else split_part(term, '@', 1)
        end) as field,
        case
            when contains(term, '@')
                then trim(split_part(term, '@', 2))
            else breakdown
        end as requested_phase

    from terms

),

-- What each field is reported for: a measure, its allowed phases; a census count, the
-- census phases; money, no phase.
reported as (

    select
        'return' as source,
        measures.measure_code as field,
        trim(phase.value) as phase
    from measures, unnest(string_split(measures.allowed_phases, '|')) as phase (value)
    union all
    select
        'census' as source,
        field.value as field,
        phases.phase_code as phase
    from phases, unnest(['settings', 'pupils', 'sen_support', 'ehcp']) as field (value)
    where phases.in_census
    union all
    select
        'funding' as source,
        field.value as field,
        null as phase
    from unnest(['core_budget', 'outreach_budget', 'total_budget', 'other_income']) as field (value)

),

-- the phase a term asks for, as the phases it is reported for
wanted as (

    select
        parsed.*,
        case
            when parsed.source = 'funding' then null
            when parsed.requested_phase = 'all' then 'all'
            when parsed.requested_phase = 'school_age' and not exists (
                select 1 from reported
                where
                    reported.source = parsed.source
                    and reported.field = parsed.field
                    and reported.phase = 'school_age'
            ) then 'school_age_parts'
            else parsed.requested_phase
        end as phase_rule

    from parsed

),

school_age_parts as (

    select phase_code from phases
    where is_school_age and in_census

),

resolved as (

    select
        wanted.figure_key,
        wanted.breakdown,
        wanted.breakdown_order,
        wanted.side,
        wanted.term,
        wanted.source,
        wanted.field,
        wanted.requested_phase,
        reported.phase,
        reported.field is not null as is_resolved

    from wanted
    left join reported
        on
            reported.source = wanted.source
            and reported.field = wanted.field
            and (
                wanted.phase_rule is null
                or wanted.phase_rule = 'all'
                or reported.phase = wanted.phase_rule
                or (
                    wanted.phase_rule = 'school_age_parts'
                    and reported.phase in (select phase_code from school_age_parts)
                )
            )

),

final as (

    select
        resolved.figure_key,
        resolved.breakdown,
        resolved.breakdown_order,
        resolved.side,
        resolved.term,
        resolved.source,
        resolved.field,
        resolved.phase,
        resolved.is_resolved,
        -- a figure with a termly measure in it is known per district-term; the others per
        -- district-year
        case
            when bool_or(resolved.source = 'return') over (partition by resolved.figure_key)
                then 'term'
            else 'year'
        end as grain

    from resolved

)

select * from final
