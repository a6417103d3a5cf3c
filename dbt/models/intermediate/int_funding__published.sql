-- The published SLA funding, one row per (district, academic year) from the submission in
-- force. A file's "Total" row belongs to no submission, so the join to the submission in
-- force leaves it out. A blank other_income (optional) means 0.
with

raw_rows as (

    select * from {{ ref('stg_raw__funding') }}

),

outcomes as (

    select * from {{ ref('stg_dq__row_outcomes') }}
    where source = 'funding' and outcome = 'published'

),

in_force as (

    select * from {{ ref('int_submissions__latest_published') }}
    where source = 'funding'

),

joined as (

    select
        in_force.submission_id,
        outcomes.district,
        outcomes.academic_year,
        raw_rows.core_budget,
        raw_rows.outreach_budget,
        raw_rows.total_budget,
        coalesce(raw_rows.other_income, 0) as other_income,
        in_force.load_id,
        in_force.file_id,
        in_force.file_name,
        raw_rows.row_number

    from raw_rows
    inner join outcomes
        on outcomes.file_id = raw_rows.file_id
        and outcomes.row_number = raw_rows.row_number
    inner join in_force
        on in_force.submission_id = outcomes.submission_id

)

select * from joined
