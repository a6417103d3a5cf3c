with

academic_years as (

    select * from {{ ref('int_academic_years') }}

),

final as (

    select
        {{ surrogate_key(['academic_year']) }} as academic_year_sk,
        academic_year,
        start_year,
        census_year,
        census_year_used,
        census_is_fallback,
        has_termly_returns,
        has_census,
        has_funding

    from academic_years

)

select * from final
