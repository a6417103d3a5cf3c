with

source as (

    select * from {{ source('dq', 'submissions') }}

),

renamed as (

    select
        submission_id,
        {{ clean_code('source') }} as source,
        load_id,
        file_id,
        file_name,
        received_seq,
        district,
        academic_year,
        term as term_number,
        census_year,
        rows,
        {{ clean_code('status') }} as submission_status,
        reason as held_reason

    from source

)

select * from renamed
