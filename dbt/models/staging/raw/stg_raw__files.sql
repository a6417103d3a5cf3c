with

source as (

    select * from {{ source('raw', 'files') }}

),

renamed as (

    select
        file_id,
        load_id,
        received_seq,
        file_name,
        file_path,
        file_checksum,
        file_bytes,
        file_format,
        encoding,
        source,
        status as file_status,
        reason as file_status_reason,
        rows_read,
        header_map

    from source

)

select * from renamed
