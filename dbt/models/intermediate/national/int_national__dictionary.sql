-- DfE's indicator dictionary in force (Source 4): one row per indicator code, from the
-- published rows of the dictionary file in force (the first row where a code repeats).
with

row_values as (

    select * from {{ ref('stg_dq__national_dictionary_values') }}
    where indicator_code is not null

),

outcomes as (

    select * from {{ ref('stg_dq__row_outcomes') }}
    where source = 'national_dictionary' and outcome = 'published'

),

in_force as (

    select * from {{ ref('int_national__files_in_force') }}
    where source = 'national_dictionary'

),

joined as (

    select
        row_values.indicator_code,
        row_values.topic,
        row_values.label,
        row_values.chart_title,
        row_values.unit,
        row_values.description,
        row_values.data_owner,
        row_values.year_type,
        row_values.polarity,
        row_values.decimal_places,
        row_values.no_quartile,
        row_values.last_update,
        row_values.last_update_note,
        row_values.next_update,
        row_values.next_update_note,
        row_values.file_id,
        row_values.row_number,
        in_force.file_name

    from row_values
    inner join in_force on row_values.file_id = in_force.file_id
    inner join outcomes
        on
            row_values.file_id = outcomes.file_id
            and row_values.row_number = outcomes.row_number

),

final as (

    select
        indicator_code,
        topic,
        label,
        chart_title,
        unit,
        description,
        data_owner,
        year_type,
        polarity,
        decimal_places,
        no_quartile,
        last_update,
        last_update_note,
        next_update,
        next_update_note,
        file_id,
        row_number,
        file_name

    from joined
    qualify row_number() over (partition by indicator_code order by row_number) = 1

)

select * from final
