-- Every local authority on every DfE indicator and year as published (Source 4), beside
-- its statistical neighbours, its region and England, derived as DfE's Local Authority
-- Interactive Tool does (shared/reference/national/README.md):
--   neighbours' mean: the plain mean of the ten neighbours' values that year, leaving out
--     neighbours with no value;
--   quartile band: R's type-7 quantiles (DuckDB's quantile_cont interpolates the same way)
--     of every LA's value that year (regions and England excluded); Low: A at or below the
--     25% point, B up to 50%, C up to 75%, D above; High the reverse (A above the 75%
--     point); no band for another polarity or an indicator flagged No_Quartile;
--   rank: among LAs with a value that year, ties sharing the lowest rank, 1 the highest
--     value for High and the lowest for Low; no rank for another polarity;
--   change from the previous year: the value minus the previous published year's value,
--     only when both are numbers.
-- Values unrounded: the page and the CLI round to the dictionary's decimal places.
with

figures as (

    select * from {{ ref('fct_la_indicator_year') }}

),

areas as (

    select * from {{ ref('dim_local_authority') }}

),

indicators as (

    select * from {{ ref('dim_indicator') }}

),

neighbours as (

    select * from {{ ref('bridge_statistical_neighbour') }}

),

la_figures as (

    select figures.*

    from figures
    inner join areas on figures.la_number = areas.la_number
    where areas.area_type = 'local_authority'

),

quartiles as (

    select
        indicator_code,
        year_published,
        quantile_cont(value, 0.25) as quartile_25,
        quantile_cont(value, 0.50) as quartile_50,
        quantile_cont(value, 0.75) as quartile_75

    from la_figures
    where value is not null
    group by indicator_code, year_published

),

ranked as (

    select
        la_figures.indicator_code,
        la_figures.la_number,
        la_figures.year_published,
        rank() over (
            partition by la_figures.indicator_code, la_figures.year_published
            order by la_figures.value desc
        ) as rank_high,
        rank() over (
            partition by la_figures.indicator_code, la_figures.year_published
            order by la_figures.value asc
        ) as rank_low,
        count(*) over (
            partition by la_figures.indicator_code, la_figures.year_published
        ) as las_with_value

    from la_figures
    where la_figures.value is not null

),

neighbour_means as (

    select
        neighbours.la_number,
        neighbour_figures.indicator_code,
        neighbour_figures.year_published,
        -- Summed exactly, as decimals (DfE publishes a few decimal places; 12 are kept):
        -- avg() over doubles sums in whatever order its threads meet the rows, so two
        -- builds of the same figures differed in the last binary digit.
        cast(sum(cast(neighbour_figures.value as decimal(38, 12))) as double)
        / nullif(count(neighbour_figures.value), 0) as neighbours_mean,
        count(neighbour_figures.value) as neighbours_with_value

    from neighbours
    inner join figures as neighbour_figures
        on neighbours.neighbour_la_number = neighbour_figures.la_number
    group by
        neighbours.la_number, neighbour_figures.indicator_code, neighbour_figures.year_published

),

previous as (

    select
        indicator_code,
        la_number,
        year_published,
        lag(year_published) over by_year as previous_year,
        lag(value) over by_year as previous_value

    from la_figures
    where year_sort is not null
    window by_year as (partition by indicator_code, la_number order by year_sort)

),

final as (

    select
        la_figures.la_indicator_year_sk,
        la_figures.la_number,
        areas.la_name,
        la_figures.indicator_code,
        indicators.topic,
        indicators.polarity,
        la_figures.year_published,
        la_figures.year_sort,
        la_figures.is_revised,
        la_figures.is_provisional,
        la_figures.value,
        la_figures.value_symbol,
        neighbour_means.neighbours_mean,
        cast(coalesce(neighbour_means.neighbours_with_value, 0) as integer)
            as neighbours_with_value,
        areas.region_la_number,
        region_area.la_name as region_name,
        region_figures.value as region_value,
        england_figures.value as england_value,
        quartiles.quartile_25,
        quartiles.quartile_50,
        quartiles.quartile_75,
        case
            when
                la_figures.value is null
                or indicators.no_quartile
                or indicators.polarity not in ('High', 'Low')
                or indicators.polarity is null
                then null
            when indicators.polarity = 'Low'
                then
                    case
                        when la_figures.value <= quartiles.quartile_25 then 'A'
                        when la_figures.value <= quartiles.quartile_50 then 'B'
                        when la_figures.value <= quartiles.quartile_75 then 'C'
                        else 'D'
                    end
            when la_figures.value <= quartiles.quartile_25 then 'D'
            when la_figures.value <= quartiles.quartile_50 then 'C'
            when la_figures.value <= quartiles.quartile_75 then 'B'
            else 'A'
        end as quartile_band,
        cast(case
            when indicators.polarity = 'High' then ranked.rank_high
            when indicators.polarity = 'Low' then ranked.rank_low
        end as integer) as la_rank,
        cast(case
            when indicators.polarity in ('High', 'Low') then ranked.las_with_value
        end as integer) as las_ranked,
        previous.previous_year,
        previous.previous_value,
        la_figures.value - previous.previous_value as change_from_previous_year

    from la_figures
    inner join areas on la_figures.la_number = areas.la_number
    inner join indicators on la_figures.indicator_code = indicators.indicator_code
    left join areas as region_area on areas.region_la_number = region_area.la_number
    left join figures as region_figures
        on
            areas.region_la_number = region_figures.la_number
            and la_figures.indicator_code = region_figures.indicator_code
            and la_figures.year_published = region_figures.year_published
    left join figures as england_figures
        on
            england_figures.la_number = 970
            and la_figures.indicator_code = england_figures.indicator_code
            and la_figures.year_published = england_figures.year_published
    left join quartiles
        on
            la_figures.indicator_code = quartiles.indicator_code
            and la_figures.year_published = quartiles.year_published
    left join ranked
        on
            la_figures.indicator_code = ranked.indicator_code
            and la_figures.la_number = ranked.la_number
            and la_figures.year_published = ranked.year_published
    left join neighbour_means
        on
            la_figures.la_number = neighbour_means.la_number
            and la_figures.indicator_code = neighbour_means.indicator_code
            and la_figures.year_published = neighbour_means.year_published
    left join previous
        on
            la_figures.indicator_code = previous.indicator_code
            and la_figures.la_number = previous.la_number
            and la_figures.year_published = previous.year_published

)

select * from final
