-- One row per raw funding row, cells exactly as received (text); a file's "Total" row is
-- here too. The audit's reading of each row is in stg_dq__row_outcomes (key) and
-- stg_dq__funding_values (money).
with

source as (

    select * from {{ source('raw', 'funding') }}

),

renamed as (

    select
        -- lineage
        load_id,
        file_id,
        file_name,
        file_checksum,
        row_number,

        -- cells as received
        academic_year as academic_year_as_received,
        district as district_as_received,
        core_budget as core_budget_as_received,
        outreach_budget as outreach_budget_as_received,
        total_budget as total_budget_as_received,
        other_income as other_income_as_received,

        extra_columns

    from source

)

select * from renamed
