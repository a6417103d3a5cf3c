-- Every published number a figure can be built from, long: one row per (source, field,
-- phase, district, academic year, term). Termly measures are per district-term (from the
-- submission in force); census counts and SLA money are per district-year, the census
-- being the year's own or, per district-phase, the latest earlier one (census_year_used).
with

termly as (

    select * from {{ ref('int_termly_returns__published') }}

),

census as (

    select * from {{ ref('int_census__district_phase_year') }}

),

funding as (

    select * from {{ ref('int_funding__published') }}

),

termly_values as (

    select
        'return' as source,
        measure_code as field,
        phase_code as phase,
        district,
        academic_year,
        term_number,
        cast(value as double) as value,
        cast(null as integer) as census_year_used

    from termly

),

census_values as (

    unpivot (
        select
            district,
            academic_year,
            phase_code as phase,
            census_year_used,
            cast(settings as double) as settings,
            cast(pupils as double) as pupils,
            cast(sen_support as double) as sen_support,
            cast(ehcp as double) as ehcp
        from census
    )
    on settings, pupils, sen_support, ehcp
    into name field value value

),

funding_values as (

    unpivot (
        select
            district,
            academic_year,
            cast(core_budget as double) as core_budget,
            cast(outreach_budget as double) as outreach_budget,
            cast(total_budget as double) as total_budget,
            cast(other_income as double) as other_income
        from funding
    )
    on core_budget, outreach_budget, total_budget, other_income
    into name field value value

),

final as (

    select * from termly_values
    union all by name
    select
        'census' as source,
        field,
        phase,
        district,
        academic_year,
        cast(null as integer) as term_number,
        value,
        census_year_used
    from census_values
    union all by name
    select
        'funding' as source,
        field,
        cast(null as varchar) as phase,
        district,
        academic_year,
        cast(null as integer) as term_number,
        value,
        cast(null as integer) as census_year_used
    from funding_values

)

select * from final
