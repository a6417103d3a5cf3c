-- The published termly figures: raw rows whose outcome is published and whose submission is
-- the one in force for its district-term. Keys (district, year, term) are the audit's
-- normalised ones from dq.row_outcomes.
with

raw_rows as (

    select * from {{ ref('stg_raw__termly_returns') }}

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
        raw_rows.phase_code,
        raw_rows.measure_code,
        raw_rows.value,
        in_force.load_id,
        in_force.file_id,
        in_force.file_name,
        raw_rows.row_number,
        in_force.received_seq

    from raw_rows
    inner join outcomes
        on outcomes.file_id = raw_rows.file_id
        and outcomes.row_number = raw_rows.row_number
    inner join in_force
        on in_force.submission_id = outcomes.submission_id

)

select * from joined
