-- Six terms for every academic year of dim_academic_year.
with

academic_years as (

    select * from {{ ref('int_academic_years') }}

),

terms as (

    select * from {{ ref('terms') }}

),

final as (

    select
        {{ surrogate_key(['academic_years.academic_year', 'terms.term_number']) }} as term_sk,
        {{ surrogate_key(['academic_years.academic_year']) }} as academic_year_sk,
        academic_years.academic_year,
        academic_years.start_year,
        terms.term_number,
        terms.term_name,
        terms.months,
        concat(
            academic_years.academic_year, ' T', terms.term_number, ' (', terms.term_name, ')'
        ) as term_label,
        academic_years.start_year * 10 + terms.term_number as term_sort

    from academic_years
    cross join terms

)

select * from final
