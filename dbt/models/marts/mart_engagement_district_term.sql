{%- set census_phases = ['early_years', 'primary', 'secondary'] -%}
{%- set settings_measures = ['settings_engaged', 'settings_attending_lift', 'settings_attending_training'] -%}
-- Settings engagement: one row per published district-term and census phase (early years,
-- primary, secondary), with the census settings that are its denominator. Percentages are
-- this district-term's; pool several rows as sum(numerator) / sum(denominator) over rows
-- where both are known (a measure missing from a submission is unknown, not 0).
with

district_terms as (

    select * from {{ ref('int_termly_returns__pivoted_to_district_term') }}

),

census as (

    select * from {{ ref('int_census__district_phase_year') }}

),

districts as (

    select * from {{ ref('dim_district') }}

),

by_phase as (

    select
        district_terms.district,
        district_terms.academic_year,
        district_terms.term_number,
        phases.phase_code,
        district_terms.submission_id,
        {%- for measure in settings_measures %}
        case phases.phase_code
            {%- for phase in census_phases %}
            when '{{ phase }}' then district_terms.{{ measure }}__{{ phase }}
            {%- endfor %}
        end as {{ measure }}{{ "," if not loop.last }}
        {%- endfor %}

    from district_terms
    cross join (
        values {% for phase in census_phases %}('{{ phase }}'){{ ", " if not loop.last }}{% endfor %}
    ) as phases (phase_code)

),

final as (

    select
        {{ surrogate_key(['by_phase.district']) }} as district_sk,
        {{ surrogate_key(['by_phase.academic_year', 'by_phase.term_number']) }} as term_sk,
        {{ surrogate_key(['by_phase.phase_code']) }} as phase_sk,
        by_phase.district as district_name,
        districts.area,
        by_phase.academic_year,
        by_phase.term_number,
        by_phase.phase_code,
        by_phase.settings_engaged,
        by_phase.settings_attending_lift,
        by_phase.settings_attending_training,
        census.settings as census_settings,
        census.census_year_used,
        coalesce(census.census_is_fallback, true) as census_is_fallback,
        {{ pct('by_phase.settings_engaged', 'census.settings') }} as engagement_pct,
        {{ pct('by_phase.settings_attending_lift', 'census.settings') }} as lift_attendance_pct,
        {{ pct('by_phase.settings_attending_training', 'census.settings') }} as training_attendance_pct,
        by_phase.submission_id

    from by_phase
    left join districts
        on districts.district_name = by_phase.district
    left join census
        on census.district = by_phase.district
        and census.academic_year = by_phase.academic_year
        and census.phase_code = by_phase.phase_code

)

select * from final
