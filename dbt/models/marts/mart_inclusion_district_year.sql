-- Inclusion by district and census year: the census's SEN rates over primary + secondary,
-- beside the service's inclusion measures for the academic year that census belongs to,
-- pooled over that year's published terms of the district:
--   engagement_pct, lift_attendance_pct  (settings, the three phases pooled)
--   targets_reviewed_pct_of_open_cases   (targets_reviewed / school-age caseload)
--   cases_closed_targets_met_pct_of_reviewed
-- A pair counts only in terms where both its numerator and denominator are known.
-- Numerators and denominators are kept so areas or the county can be pooled the same way.
with

census as (

    select
        district,
        census_year,
        academic_year,
        cast(sum(pupils) as bigint) as pupils,
        cast(sum(sen_support) as bigint) as sen_support,
        cast(sum(ehcp) as bigint) as ehcp

    from {{ ref('int_census__published') }}
    where phase_code in ('primary', 'secondary')
    group by district, census_year, academic_year

),

engagement as (

    select
        district_name as district,
        academic_year,
        cast(sum(settings_engaged) filter (where census_settings is not null) as bigint)
            as settings_engaged,
        cast(sum(census_settings) filter (where settings_engaged is not null) as bigint)
            as census_settings_for_engagement,
        cast(sum(settings_attending_lift) filter (where census_settings is not null) as bigint)
            as settings_attending_lift,
        cast(sum(census_settings) filter (where settings_attending_lift is not null) as bigint)
            as census_settings_for_lift

    from {{ ref('mart_engagement_district_term') }}
    group by district_name, academic_year

),

targets as (

    select
        district_name as district,
        academic_year,
        count(*) as published_terms,
        cast(sum(targets_reviewed) filter (where caseload_school_age is not null) as bigint)
            as targets_reviewed,
        cast(sum(caseload_school_age) filter (where targets_reviewed is not null) as bigint)
            as caseload_school_age,
        cast(sum(cases_closed_targets_met) filter (where targets_reviewed is not null) as bigint)
            as cases_closed_targets_met,
        cast(sum(targets_reviewed) filter (where cases_closed_targets_met is not null) as bigint)
            as targets_reviewed_for_closed

    from {{ ref('mart_caseload_district_term') }}
    group by district_name, academic_year

),

districts as (

    select * from {{ ref('dim_district') }}

),

final as (

    select
        {{ surrogate_key(['census.district']) }} as district_sk,
        {{ surrogate_key(['census.academic_year']) }} as academic_year_sk,
        census.district as district_name,
        districts.area,
        census.census_year,
        census.academic_year,

        -- census, primary + secondary
        census.pupils,
        census.sen_support,
        census.ehcp,
        {{ pct('census.ehcp', 'census.pupils') }} as ehcp_rate_pct,
        {{ pct('census.sen_support', 'census.pupils') }} as sen_support_rate_pct,

        -- the service in that academic year
        coalesce(targets.published_terms, 0) as published_terms,
        engagement.settings_engaged,
        engagement.census_settings_for_engagement,
        {{ pct('engagement.settings_engaged', 'engagement.census_settings_for_engagement') }}
            as engagement_pct,
        engagement.settings_attending_lift,
        engagement.census_settings_for_lift,
        {{ pct('engagement.settings_attending_lift', 'engagement.census_settings_for_lift') }}
            as lift_attendance_pct,
        targets.targets_reviewed,
        targets.caseload_school_age,
        {{ pct('targets.targets_reviewed', 'targets.caseload_school_age') }}
            as targets_reviewed_pct_of_open_cases,
        targets.cases_closed_targets_met,
        targets.targets_reviewed_for_closed,
        {{ pct('targets.cases_closed_targets_met', 'targets.targets_reviewed_for_closed') }}
            as cases_closed_targets_met_pct_of_reviewed

    from census
    left join districts
        on districts.district_name = census.district
    left join engagement
        on engagement.district = census.district
        and engagement.academic_year = census.academic_year
    left join targets
        on targets.district = census.district
        and targets.academic_year = census.academic_year

)

select * from final
