with

source as (

    select * from {{ source('dq', 'issues') }}

),

renamed as (

    select
        load_id,
        {{ clean_code('source') }} as source,
        check_name,
        {{ clean_code('severity') }} as severity,
        file_name,
        row_number,
        column_name,
        submission_id,
        district,
        message

    from source

)

select * from renamed
