-- Each funding file's stated county total ("Total" row) against the sum of the district
-- totals in the same file and year. A non-zero difference is a warning for the steward
-- (the audit reports it); the published figures use the district rows.
with

stated_totals as (

    select * from {{ ref('int_funding__stated_totals') }}

),

final as (

    select
        academic_year,
        file_name,
        stated_total,
        sum_of_district_totals,
        difference,
        district_rows,
        coalesce(difference = 0, false) as totals_agree,
        load_id,
        file_id,
        row_number

    from stated_totals

)

select * from final
