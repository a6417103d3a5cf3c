-- Each funding file's stated county total ("Total" row) beside the sum of the district
-- totals the same file states for the same year. The audit marks a Total row as published
-- with no district and no submission (it knows the spellings: see audit.py). This checks
-- the file as sent, so every other row of the file counts (published or not, superseded
-- later or not), as in the audit's own check; totals that do not parse add nothing. A
-- Total row without a year takes the file's year when the file holds only one.
with

raw_rows as (

    select * from {{ ref('stg_raw__funding') }}

),

outcomes as (

    select
        *,
        -- how the audit marks a Total row: published, yet no district and no submission
        coalesce(outcome = 'published' and submission_id is null and district is null, false)
            as is_stated_total

    from {{ ref('stg_dq__row_outcomes') }}
    where source = 'funding'

),

file_years as (

    select
        file_id,
        min(academic_year) as only_academic_year

    from outcomes
    where not is_stated_total and academic_year is not null
    group by file_id
    having count(distinct academic_year) = 1

),

stated as (

    select
        raw_rows.load_id,
        raw_rows.file_id,
        raw_rows.file_name,
        raw_rows.row_number,
        coalesce(outcomes.academic_year, file_years.only_academic_year) as academic_year,
        raw_rows.total_budget as stated_total

    from raw_rows
    inner join outcomes
        on outcomes.file_id = raw_rows.file_id
        and outcomes.row_number = raw_rows.row_number
    left join file_years
        on file_years.file_id = raw_rows.file_id
    where outcomes.is_stated_total

),

district_sums as (

    select
        raw_rows.file_id,
        outcomes.academic_year,
        sum(raw_rows.total_budget) as sum_of_district_totals,
        count(*) as district_rows

    from raw_rows
    inner join outcomes
        on outcomes.file_id = raw_rows.file_id
        and outcomes.row_number = raw_rows.row_number
    where not outcomes.is_stated_total
    group by raw_rows.file_id, outcomes.academic_year

),

final as (

    select
        stated.load_id,
        stated.file_id,
        stated.file_name,
        stated.row_number,
        stated.academic_year,
        stated.stated_total,
        cast(district_sums.sum_of_district_totals as decimal(14, 2)) as sum_of_district_totals,
        coalesce(district_sums.district_rows, 0) as district_rows,
        cast(stated.stated_total - district_sums.sum_of_district_totals as decimal(14, 2))
            as difference

    from stated
    left join district_sums
        on district_sums.file_id = stated.file_id
        and district_sums.academic_year is not distinct from stated.academic_year

)

select * from final
