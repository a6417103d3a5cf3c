-- fct_figure_district_term for the pages and the committee tables, denormalised: every
-- figure's numerator and denominator per district and term (or district and year), with
-- the district's area and whether the census used is an earlier one. Read this, pool a
-- selection (warehouse pooling), and never work a figure out any other way.
with

figure_rows as (

    select * from {{ ref('fct_figure_district_term') }}

),

districts as (

    select * from {{ ref('dim_district') }}

),

academic_years as (

    select * from {{ ref('dim_academic_year') }}

),

final as (

    select
        figure_rows.figure_key,
        figure_rows.breakdown,
        figure_rows.district_name,
        districts.area,
        figure_rows.academic_year,
        figure_rows.term_number,
        figure_rows.grain,
        figure_rows.has_published_return,
        figure_rows.is_known,
        figure_rows.numerator,
        figure_rows.denominator,
        figure_rows.reason_code,
        figure_rows.reason,
        academic_years.census_year,
        figure_rows.census_year_used,
        (
            figure_rows.census_year_used is distinct from academic_years.census_year
            and figure_rows.census_year_used is not null
        ) as census_is_fallback

    from figure_rows
    inner join districts
        on districts.district_sk = figure_rows.district_sk
    inner join academic_years
        on academic_years.academic_year_sk = figure_rows.academic_year_sk

)

select * from final
