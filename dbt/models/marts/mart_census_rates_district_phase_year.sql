-- Census SEN rates per district, census year and phase, plus a school_age row (primary +
-- secondary pooled). ehcp_rate_pct = ehcp / pupils; sen_support_rate_pct = sen_support / pupils.
with

census as (

    select * from {{ ref('int_census__published') }}

),

by_phase as (

    select district, census_year, academic_year, phase_code, settings, pupils, sen_support, ehcp
    from census

),

school_age as (

    select
        district,
        census_year,
        academic_year,
        'school_age' as phase_code,
        cast(sum(settings) as bigint) as settings,
        cast(sum(pupils) as bigint) as pupils,
        cast(sum(sen_support) as bigint) as sen_support,
        cast(sum(ehcp) as bigint) as ehcp

    from census
    where phase_code in ('primary', 'secondary')
    group by district, census_year, academic_year

),

unioned as (

    select * from by_phase
    union all by name
    select * from school_age

),

districts as (

    select * from {{ ref('dim_district') }}

),

final as (

    select
        {{ surrogate_key(['unioned.district']) }} as district_sk,
        {{ surrogate_key(['unioned.academic_year']) }} as academic_year_sk,
        {{ surrogate_key(['unioned.phase_code']) }} as phase_sk,
        unioned.district as district_name,
        districts.area,
        unioned.census_year,
        unioned.academic_year,
        unioned.phase_code,
        unioned.settings,
        unioned.pupils,
        unioned.sen_support,
        unioned.ehcp,
        {{ pct('unioned.ehcp', 'unioned.pupils') }} as ehcp_rate_pct,
        {{ pct('unioned.sen_support', 'unioned.pupils') }} as sen_support_rate_pct

    from unioned
    left join districts
        on districts.district_name = unioned.district

)

select * from final
