-- The audit's reading of each raw census row: the phase code and the four counts as whole
-- numbers (NULL where a cell is not one).
with

source as (

    select * from {{ source('dq', 'census_values') }}

),

renamed as (

    select
        file_id,
        row_number,
        phase as phase_code,
        cast(settings as bigint) as settings,
        cast(pupils as bigint) as pupils,
        cast(sen_support as bigint) as sen_support,
        cast(ehcp as bigint) as ehcp

    from source

)

select * from renamed
