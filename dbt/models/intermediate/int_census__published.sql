-- The published census: raw rows whose outcome is published and whose submission is the one
-- in force for its (district, census year). The academic year is the one the January census
-- belongs to: census year Y -> (Y-1)-Y.
with

raw_rows as (

    select * from {{ ref('stg_raw__census') }}

),

outcomes as (

    select * from {{ ref('stg_dq__row_outcomes') }}
    where source = 'census' and outcome = 'published'

),

in_force as (

    select * from {{ ref('int_submissions__latest_published') }}
    where source = 'census'

),

joined as (

    select
        in_force.submission_id,
        outcomes.district,
        outcomes.census_year,
        {{ academic_year_for_census('outcomes.census_year') }} as academic_year,
        raw_rows.phase_code,
        raw_rows.settings,
        raw_rows.pupils,
        raw_rows.sen_support,
        raw_rows.ehcp,
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
