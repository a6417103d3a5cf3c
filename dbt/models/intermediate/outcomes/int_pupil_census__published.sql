-- The published pupil-level census: one row per (census year, child). For each census
-- year, the rows of the latest file that published rows for it: a later file for a census
-- year replaces the earlier one as a whole (a child missing from it is not in that census).
-- census_day is the day the outcome definitions take the census on (15 January).
with

row_values as (

    select * from {{ ref('stg_dq__pupil_census_values') }}

),

outcomes as (

    select * from {{ ref('stg_dq__row_outcomes') }}
    where source = 'pupil_census' and outcome = 'published'

),

files as (

    select * from {{ ref('stg_raw__files') }}

),

published as (

    select
        outcomes.census_year,
        row_values.child_key,
        outcomes.district,
        row_values.phase_code,
        row_values.sen_status_code,
        outcomes.load_id,
        row_values.file_id,
        files.file_name,
        row_values.row_number,
        files.received_seq

    from row_values
    inner join outcomes
        on
            outcomes.file_id = row_values.file_id
            and outcomes.row_number = row_values.row_number
    inner join files
        on files.file_id = row_values.file_id

),

in_force as (

    select
        census_year,
        max(received_seq) as received_seq

    from published
    group by census_year

),

final as (

    select
        published.census_year,
        {{ census_day('published.census_year') }} as census_day,
        {{ academic_year_for_census('published.census_year') }} as academic_year,
        published.child_key,
        published.district,
        published.phase_code,
        published.sen_status_code,
        published.load_id,
        published.file_id,
        published.file_name,
        published.row_number

    from published
    inner join in_force
        on
            in_force.census_year = published.census_year
            and in_force.received_seq = published.received_seq

)

select * from final
