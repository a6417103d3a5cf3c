-- Every area of DfE's national figures (Source 4): the 153 local authorities, the regions
-- and England (dbt/seeds/national_regions.csv names the DfE numbers 970-990), from the data
-- in force and, for an LA only the neighbours workbook names, from the workbook.
with

data_areas as (

    select
        la_number,
        mode(area_name) as area_name,
        mode(region_label) as region_label

    from {{ ref('int_national__data') }}
    group by la_number

),

workbook_areas as (

    select distinct
        la_number,
        la_name as area_name,
        region_label

    from {{ ref('int_national__neighbours') }}

),

areas as (

    select * from data_areas

    union all

    select * from workbook_areas
    where la_number not in (select data_areas.la_number from data_areas)

),

regions as (

    select * from {{ ref('national_regions') }}

),

final as (

    select
        {{ surrogate_key(['areas.la_number']) }} as local_authority_sk,
        cast(areas.la_number as integer) as la_number,
        coalesce(regions.area_name, areas.area_name) as la_name,
        coalesce(regions.area_type, 'local_authority') as area_type,
        case when regions.area_type is null then areas.region_label end as region_label,
        cast(
            case when regions.area_type is null then region_of.la_number end as integer
        ) as region_la_number,
        cast(970 as integer) as england_la_number

    from areas
    left join regions on areas.la_number = cast(regions.la_number as integer)
    left join regions as region_of
        on
            areas.region_label = region_of.region_label
            and region_of.area_type = 'region'

)

select * from final
