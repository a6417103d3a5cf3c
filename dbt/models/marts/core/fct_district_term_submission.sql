-- The termly submission in force for each district-term that has one. Only these
-- district-terms count in the published figures, numerator and denominator alike.
with

in_force as (

    select * from {{ ref('int_submissions__latest_published') }}
    where source = 'termly_return'

),

loads as (

    select * from {{ ref('stg_raw__loads') }}

),

final as (

    select
        {{ surrogate_key(['in_force.district']) }} as district_sk,
        {{ surrogate_key(['in_force.academic_year', 'in_force.term_number']) }} as term_sk,
        in_force.submission_id,
        in_force.load_id,
        in_force.file_id,
        in_force.file_name,
        in_force.received_seq,
        in_force.rows,
        loads.started_at as loaded_at,
        in_force.published_submissions,
        in_force.later_held_submissions

    from in_force
    left join loads using (load_id)

)

select * from final
