-- The audit's reading of each raw funding row: money in pounds with pence (NULL where a
-- cell is not an amount; a blank optional other_income is already 0, the contract's rule).
with

source as (

    select * from {{ source('dq', 'funding_values') }}

),

renamed as (

    select
        file_id,
        row_number,
        cast(core_budget as decimal(14, 2)) as core_budget,
        cast(outreach_budget as decimal(14, 2)) as outreach_budget,
        cast(total_budget as decimal(14, 2)) as total_budget,
        cast(other_income as decimal(14, 2)) as other_income

    from source

)

select * from renamed
