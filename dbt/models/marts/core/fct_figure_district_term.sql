-- Every published figure's numerator and denominator for one district and term (figures
-- built only from the census and SLA funding: one district and academic year, term NULL).
-- Grain: figure x breakdown x district x academic year x term. The arithmetic of every
-- figure the committee tables, the pages and the downloads show is here and only here;
-- Python pools a selection of these rows (sum of numerators / sum of denominators, or a
-- sum averaged over the terms with a published return) and nothing more.
--
-- A row's numerator and denominator are set only where both are known: the district-term
-- has a published return, every measure the figure needs is in it, and the census and
-- funding it needs are published. Otherwise both are NULL and reason_code says why:
-- no_published_return | measure_missing | census_missing | funding_missing.
with

parts as (

    select * from {{ ref('int_figures__parts') }}
    where is_resolved

),

inputs as (

    select * from {{ ref('int_figures__inputs') }}

),

district_terms as (

    select * from {{ ref('int_returns__district_term_status') }}

),

academic_years as (

    select * from {{ ref('int_academic_years') }}

),

districts as (

    select * from {{ ref('districts') }}

),

spine as (

    select
        'term' as grain,
        district,
        academic_year,
        term_number,
        has_published_return

    from district_terms
    -- a term whose only returns were held, in a year with nothing published yet (the first
    -- file of a new year held back), has no figure: its year is not in dim_academic_year
    where academic_year in (select academic_years.academic_year from academic_years)

    union all

    select
        'year' as grain,
        districts.district_name as district,
        academic_years.academic_year,
        cast(null as integer) as term_number,
        cast(null as boolean) as has_published_return

    from academic_years
    cross join districts

),

part_values as (

    select
        parts.figure_key,
        parts.breakdown,
        parts.side,
        parts.source,
        parts.field,
        parts.phase,
        spine.grain,
        spine.district,
        spine.academic_year,
        spine.term_number,
        spine.has_published_return,
        inputs.value,
        inputs.census_year_used

    from parts
    inner join spine
        on spine.grain = parts.grain
    left join inputs
        on
            inputs.source = parts.source
            and inputs.field = parts.field
            and inputs.phase is not distinct from parts.phase
            and inputs.district = spine.district
            and inputs.academic_year = spine.academic_year
            and (inputs.term_number = spine.term_number or inputs.term_number is null)

),

combined as (

    select
        figure_key,
        breakdown,
        district,
        academic_year,
        term_number,
        any_value(grain) as grain,
        any_value(has_published_return) as has_published_return,
        sum(value) filter (where side = 'numerator') as numerator_sum,
        sum(value) filter (where side = 'denominator') as denominator_sum,
        count(*) = count(value) as every_part_known,
        bool_or(value is null and source = 'return') as return_part_missing,
        bool_or(value is null and source = 'census') as census_part_missing,
        bool_or(value is null and source = 'funding') as funding_part_missing,
        string_agg(
            case
                when value is null
                    then field || coalesce(' (' || phase || ')', '')
            end,
            ', ' order by side desc, source asc, field asc, phase asc
        ) as missing_parts,
        max(census_year_used) as census_year_used

    from part_values
    group by figure_key, breakdown, district, academic_year, term_number

),

decided as (

    select
        *,
        case
            when grain = 'term' and not has_published_return then 'no_published_return'
            when return_part_missing then 'measure_missing'
            when census_part_missing then 'census_missing'
            when funding_part_missing then 'funding_missing'
        end as reason_code

    from combined

),

final as (

    select
        {{ surrogate_key(['figure_key']) }} as figure_sk,
        {{ surrogate_key(['breakdown']) }} as breakdown_sk,
        {{ surrogate_key(['district']) }} as district_sk,
        {{ surrogate_key(['academic_year']) }} as academic_year_sk,
        case
            when term_number is not null
                then {{ surrogate_key(['academic_year', 'term_number']) }}
        end as term_sk,
        figure_key,
        breakdown,
        district as district_name,
        academic_year,
        term_number,
        grain,
        coalesce(has_published_return, true) as has_published_return,
        reason_code is null as is_known,
        case when reason_code is null then numerator_sum end as numerator,
        case when reason_code is null then denominator_sum end as denominator,
        reason_code,
        case reason_code
            when 'no_published_return' then 'no published return for this term'
            when 'measure_missing' then 'not in the published return: ' || missing_parts
            when 'census_missing' then 'no published census: ' || missing_parts
            when 'funding_missing' then 'no published SLA funding: ' || missing_parts
        end as reason,
        census_year_used

    from decided

)

select * from final
