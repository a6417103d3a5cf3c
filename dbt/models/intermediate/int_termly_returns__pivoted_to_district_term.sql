-- One row per published district-term, one column per (measure, phase) of the catalogue,
-- named <measure>__<phase>. A measure missing from the submission is NULL (unknown), not 0.
with

district_terms as (

    select * from {{ ref('int_submissions__latest_published') }}
    where source = 'termly_return'

),

figures as (

    select * from {{ ref('int_termly_returns__published') }}

),

pivoted as (

    select
        submission_id,
        {%- for measure, phase in termly_measure_phases() %}
        max(value) filter (
            where measure_code = '{{ measure }}' and phase_code = '{{ phase }}'
        ) as {{ measure }}__{{ phase }}{{ "," if not loop.last }}
        {%- endfor %}

    from figures
    group by submission_id

),

final as (

    select
        district_terms.district,
        district_terms.academic_year,
        district_terms.term_number,
        district_terms.submission_id,
        district_terms.load_id,
        district_terms.file_name,
        district_terms.received_seq,
        pivoted.* exclude (submission_id)

    from district_terms
    left join pivoted using (submission_id)

)

select * from final
