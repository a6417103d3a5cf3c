with

source as (

    select * from {{ source('dq', 'issues') }}

),

renamed as (

    select
        load_id,
        source,
        check_name,
        severity,
        file_name,
        row_number,
        column_name,
        submission_id,
        district,
        message

    from source

)

select * from renamed
