-- One row per published figure: (district, term, phase, measure), from the submission in
-- force for the district-term. Keys are built from the natural key; the relationships
-- tests prove every one is in its dimension.
with

figures as (

    select * from {{ ref('int_termly_returns__published') }}

),

final as (

    select
        {{ surrogate_key(['district']) }} as district_sk,
        {{ surrogate_key(['academic_year', 'term_number']) }} as term_sk,
        {{ surrogate_key(['phase_code']) }} as phase_sk,
        {{ surrogate_key(['measure_code']) }} as measure_sk,
        cast(value as bigint) as value,
        submission_id,
        load_id,
        file_name,
        row_number

    from figures

)

select * from final
