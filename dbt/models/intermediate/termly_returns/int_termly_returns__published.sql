-- The published termly figures: raw rows whose outcome is published and whose submission is
-- the one in force for its district-term. Keys (district, year, term) are the audit's
-- normalised ones from dq.row_outcomes; codes and values are the audit's reading too.
with

row_values as (

    select * from {{ ref('stg_dq__termly_return_values') }}

),

outcomes as (

    select * from {{ ref('stg_dq__row_outcomes') }}
    where source = 'termly_return' and outcome = 'published'

),

in_force as (

    select * from {{ ref('int_submissions__latest_published') }}
    where source = 'termly_return'

),

joined as (

    select
        in_force.submission_id,
        outcomes.district,
        outcomes.academic_year,
        outcomes.term_number,
        row_values.phase_code,
        row_values.measure_code,
        row_values.value,
        in_force.load_id,
        in_force.file_id,
        in_force.file_name,
        row_values.row_number,
        in_force.received_seq

    from row_values
    inner join outcomes
        on
            outcomes.file_id = row_values.file_id
            and outcomes.row_number = row_values.row_number
    inner join in_force
        on in_force.submission_id = outcomes.submission_id

)

select * from joined
