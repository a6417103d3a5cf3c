with

measures as (

    select * from {{ ref('measures') }}

),

final as (

    select
        {{ surrogate_key(['measure_code']) }} as measure_sk,
        measure_code,
        measure_label,
        description,
        allowed_phases,
        sort_order

    from measures

)

select * from final
