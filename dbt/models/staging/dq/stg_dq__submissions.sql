with

source as (

    select * from {{ source('dq', 'submissions') }}

),

renamed as (

    select
        submission_id,
        source,
        load_id,
        file_id,
        file_name,
        received_seq,
        district,
        academic_year,
        term as term_number,
        census_year,
        rows,
        status as submission_status,
        reason as held_reason

    from source

)

select * from renamed
