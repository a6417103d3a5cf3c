with

phases as (

    select * from {{ ref('phases') }}

),

final as (

    select
        {{ surrogate_key(['phase_code']) }} as phase_sk,
        phase_code,
        phase_label,
        sort_order,
        is_school_age,
        in_census

    from phases

)

select * from final
