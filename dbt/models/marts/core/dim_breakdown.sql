-- What a figure is broken down by: a phase (seeds/phases.csv) or another breakdown
-- (seeds/breakdowns.csv: the SEN status of children presented at LIFT; 'all' for figures
-- shown per district).
with

phases as (

    select * from {{ ref('phases') }}

),

breakdowns as (

    select * from {{ ref('breakdowns') }}

),

unioned as (

    select
        phase_code as breakdown_code,
        short_label as breakdown_label,
        sort_order,
        true as is_phase

    from phases

    union all

    select
        breakdown_code,
        breakdown_label,
        100 + sort_order as sort_order,
        false as is_phase

    from breakdowns

),

final as (

    select
        {{ surrogate_key(['breakdown_code']) }} as breakdown_sk,
        breakdown_code,
        breakdown_label,
        sort_order,
        is_phase

    from unioned

)

select * from final
