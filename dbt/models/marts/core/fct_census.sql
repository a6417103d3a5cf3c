-- The published census: one row per (district, census year, phase).
with

census as (

    select * from {{ ref('int_census__published') }}

),

final as (

    select
        {{ surrogate_key(['district']) }} as district_sk,
        {{ surrogate_key(['academic_year']) }} as academic_year_sk,
        {{ surrogate_key(['phase_code']) }} as phase_sk,
        census_year,
        cast(settings as bigint) as settings,
        cast(pupils as bigint) as pupils,
        cast(sen_support as bigint) as sen_support,
        cast(ehcp as bigint) as ehcp,
        submission_id,
        load_id,
        file_name

    from census

)

select * from final
