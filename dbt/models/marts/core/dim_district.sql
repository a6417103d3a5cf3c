with

districts as (

    select * from {{ ref('districts') }}

),

final as (

    select
        {{ surrogate_key(['district_name']) }} as district_sk,
        district_name,
        ons_code,
        area

    from districts

)

select * from final
