-- The published census: raw rows whose outcome is published and whose submission is the one
-- in force for its (district, census year). The academic year is the one the January census
-- belongs to: census year Y -> (Y-1)-Y.
with

row_values as (

    select * from {{ ref('stg_dq__census_values') }}

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
        row_values.phase_code,
        row_values.settings,
        row_values.pupils,
        row_values.sen_support,
        row_values.ehcp,
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
