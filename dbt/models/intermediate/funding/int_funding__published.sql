-- The published SLA funding, one row per (district, academic year) from the submission in
-- force. A file's "Total" row belongs to no submission, so the join to the submission in
-- force leaves it out. The audit reads a blank other_income (optional) as 0.
with

row_values as (

    select * from {{ ref('stg_dq__funding_values') }}

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
        row_values.core_budget,
        row_values.outreach_budget,
        row_values.total_budget,
        row_values.other_income,
        in_force.load_id,
        in_force.file_id,
        in_force.file_name,
        row_values.row_number

    from row_values
    inner join outcomes
        on
            outcomes.file_id = row_values.file_id
            and outcomes.row_number = row_values.row_number
    inner join in_force
        on in_force.submission_id = outcomes.submission_id

)

select * from joined
