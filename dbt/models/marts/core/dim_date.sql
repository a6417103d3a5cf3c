-- Every day of every academic year in dim_academic_year (1 September to 31 August): the
-- time spine MetricFlow needs for the metrics on mart_figure_district_term.
with

academic_years as (

    select * from {{ ref('int_academic_years') }}

),

days as (

    select
        cast(day.value as date) as date_day,
        academic_years.academic_year

    from academic_years,
        unnest(
            generate_series(
                make_date(academic_years.start_year, 9, 1),
                make_date(academic_years.start_year + 1, 8, 31),
                interval 1 day
            )
        ) as day (value)

),

final as (

    select
        date_day,
        academic_year

    from days

)

select * from final
