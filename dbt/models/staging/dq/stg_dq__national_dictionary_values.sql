-- The audit's reading of each row of DfE's indicator dictionary (Source 4).
with

source as (

    select * from {{ source('dq', 'national_dictionary_values') }}

),

renamed as (

    select
        file_id,
        row_number,
        indicator_code,
        topic,
        label,
        chart_title,
        unit,
        description,
        data_owner,
        year_type,
        polarity,
        cast(decimal_places as integer) as decimal_places,
        coalesce(no_quartile, false) as no_quartile,
        cast(last_update as date) as last_update,
        last_update_note,
        cast(next_update as date) as next_update,
        next_update_note

    from source

)

select * from renamed
