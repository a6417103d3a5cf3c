-- SLA funding per district and academic year, beside the pupils and caseload it serves.
-- One row per published (district, academic year) funding figure.
--   funding_per_pupil          = total_budget / (primary + secondary pupils, the year's census)
--   funding_per_sen_pupil      = total_budget / (sen_support + ehcp, primary + secondary)
--   funding_per_caseload_pupil = total_budget / average per term of caseload, all phases,
--                                over the terms with this district's published submission
-- The census is the one belonging to the year, else the latest earlier one (per
-- district-phase, see int_census__district_phase_year).
with

funding as (

    select * from {{ ref('int_funding__published') }}

),

districts as (

    select * from {{ ref('dim_district') }}

),

census as (

    select
        district,
        academic_year,
        max(census_year_used) as census_year_used,
        bool_or(census_is_fallback) as census_is_fallback,
        cast(sum(pupils) as bigint) as pupils_primary_secondary,
        cast(sum(sen_support + ehcp) as bigint) as sen_pupils_primary_secondary

    from {{ ref('int_census__district_phase_year') }}
    where phase_code in ('primary', 'secondary')
    group by district, academic_year

),

caseload_by_term as (

    select
        district_name as district,
        academic_year,
        term_number,
        case
            when coalesce(caseload_early_years, caseload_primary, caseload_secondary) is not null
                then coalesce(caseload_early_years, 0)
                    + coalesce(caseload_primary, 0)
                    + coalesce(caseload_secondary, 0)
        end as caseload_all_phases

    from {{ ref('mart_caseload_district_term') }}

),

caseload as (

    select
        district,
        academic_year,
        count(*) as published_terms,
        cast(sum(caseload_all_phases) as double) / count(*) as caseload_avg_all_phases

    from caseload_by_term
    group by district, academic_year

),

final as (

    select
        {{ surrogate_key(['funding.district']) }} as district_sk,
        {{ surrogate_key(['funding.academic_year']) }} as academic_year_sk,
        funding.district as district_name,
        districts.area,
        funding.academic_year,
        cast(funding.core_budget as decimal(14, 2)) as core_budget,
        cast(funding.outreach_budget as decimal(14, 2)) as outreach_budget,
        cast(funding.total_budget as decimal(14, 2)) as total_budget,
        cast(funding.other_income as decimal(14, 2)) as other_income,
        census.census_year_used,
        coalesce(census.census_is_fallback, true) as census_is_fallback,
        census.pupils_primary_secondary,
        census.sen_pupils_primary_secondary,
        coalesce(caseload.published_terms, 0) as published_terms,
        caseload.caseload_avg_all_phases,
        {{ ratio('funding.total_budget', 'census.pupils_primary_secondary') }} as funding_per_pupil,
        {{ ratio('funding.total_budget', 'census.sen_pupils_primary_secondary') }} as funding_per_sen_pupil,
        {{ ratio('funding.total_budget', 'caseload.caseload_avg_all_phases') }} as funding_per_caseload_pupil

    from funding
    left join districts
        on districts.district_name = funding.district
    left join census
        on census.district = funding.district
        and census.academic_year = funding.academic_year
    left join caseload
        on caseload.district = funding.district
        and caseload.academic_year = funding.academic_year

)

select * from final
