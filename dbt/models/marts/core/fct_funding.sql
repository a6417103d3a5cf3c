-- The published SLA funding: one row per (district, academic year). Never a "Total" row.
with

funding as (

    select * from {{ ref('int_funding__published') }}

),

final as (

    select
        {{ surrogate_key(['district']) }} as district_sk,
        {{ surrogate_key(['academic_year']) }} as academic_year_sk,
        cast(core_budget as decimal(14, 2)) as core_budget,
        cast(outreach_budget as decimal(14, 2)) as outreach_budget,
        cast(total_budget as decimal(14, 2)) as total_budget,
        cast(other_income as decimal(14, 2)) as other_income,
        submission_id,
        load_id,
        file_name

    from funding

)

select * from final
