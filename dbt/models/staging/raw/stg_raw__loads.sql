with

source as (

    select * from {{ source('raw', 'loads') }}

),

renamed as (

    select
        load_id,
        load_seq,
        started_at,
        finished_at,
        status as load_status,
        kind as load_kind,
        paths as requested_paths,
        stls_version

    from source

)

select * from renamed
