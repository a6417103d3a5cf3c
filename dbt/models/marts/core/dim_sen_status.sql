-- A pupil's SEN status in the pupil-level census, one row each (seeds/sen_statuses.csv).
with

statuses as (

    select * from {{ ref('sen_statuses') }}

),

final as (

    select
        {{ surrogate_key(['sen_status_code']) }} as sen_status_sk,
        sen_status_code,
        sen_status_label,
        sort_order,
        description

    from statuses

)

select * from final
