-- Every academic year from the first to the last seen in any published source (census years
-- mapped to the academic year they belong to; a gap inside the range is filled so that
-- years run on without holes). For each: its own census year, and the census year used for
-- denominators: that census if one is published, else the latest earlier published one.
with

in_force as (

    select * from {{ ref('int_submissions__latest_published') }}

),

years_seen as (

    select
        {{ academic_year_start('academic_year') }} as start_year,
        bool_or(source = 'termly_return') as has_termly_returns,
        bool_or(source = 'census') as has_census,
        bool_or(source = 'funding') as has_funding

    from in_force
    where academic_year is not null
    group by 1

),

spine as (

    select cast(unnest(generate_series(min(start_year), max(start_year))) as integer) as start_year
    from years_seen
    having count(*) > 0

),

census_years as (

    select distinct census_year
    from in_force
    where source = 'census'

),

years as (

    select
        spine.start_year,
        {{ academic_year_label('spine.start_year') }} as academic_year,
        spine.start_year + 1 as census_year,
        coalesce(years_seen.has_termly_returns, false) as has_termly_returns,
        coalesce(years_seen.has_census, false) as has_census,
        coalesce(years_seen.has_funding, false) as has_funding

    from spine
    left join years_seen using (start_year)

),

final as (

    select
        years.academic_year,
        years.start_year,
        years.census_year,
        (
            select max(census_years.census_year)
            from census_years
            where census_years.census_year <= years.census_year
        ) as census_year_used,
        years.has_termly_returns,
        years.has_census,
        years.has_funding

    from years

)

select
    *,
    -- true whenever the year's own census is not the one used (an earlier one, or none)
    (census_year_used is distinct from census_year) as census_is_fallback

from final
