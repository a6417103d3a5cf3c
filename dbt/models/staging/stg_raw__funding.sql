-- One row per raw funding row, trimmed and typed. Money stays NULL when blank here; the
-- intermediate layer applies the contract's "blank optional money means 0". A file's
-- "Total" row is here too: the audit marks it (published, no district, no submission).
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

        -- cells as received, trimmed
        {{ clean_text('academic_year') }} as academic_year_as_received,
        {{ clean_text('district') }} as district_as_received,

        -- money
        {{ parse_money('core_budget') }} as core_budget,
        {{ parse_money('outreach_budget') }} as outreach_budget,
        {{ parse_money('total_budget') }} as total_budget,
        {{ parse_money('other_income') }} as other_income,

        extra_columns

    from source

)

select * from renamed
