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
        {{ clean_code('file_format') }} as file_format,
        {{ clean_code('encoding') }} as encoding,
        {{ clean_code('source') }} as source,
        {{ clean_code('status') }} as file_status,
        reason as file_status_reason,
        rows_read,
        header_map

    from source

)

select * from renamed
