with

source as (

    select * from {{ source('dq', 'row_outcomes') }}

),

renamed as (

    select
        source,
        load_id,
        file_id,
        row_number,
        submission_id,
        district,
        academic_year,
        term as term_number,
        census_year,
        outcome,
        reason as outcome_reason

    from source

)

select * from renamed
