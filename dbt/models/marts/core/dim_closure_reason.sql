-- Why a caseload episode closed, one row each (seeds/closure_reasons.csv).
with

reasons as (

    select * from {{ ref('closure_reasons') }}

),

final as (

    select
        {{ surrogate_key(['closure_reason_code']) }} as closure_reason_sk,
        closure_reason_code,
        closure_reason_label,
        sort_order,
        description

    from reasons

)

select * from final
