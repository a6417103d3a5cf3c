-- Children, caseload and targets: one row per published district-term, wide. Counts are
-- as submitted (NULL when the measure is missing from the submission: unknown, not 0);
-- percentages are this district-term's. Pool several rows as sum(numerator) /
-- sum(denominator) over rows where both are known; "average per term" counts as the sum
-- over districts divided by the number of terms with at least one published submission.
with

district_terms as (

    select * from {{ ref('int_termly_returns__pivoted_to_district_term') }}

),

districts as (

    select * from {{ ref('dim_district') }}

),

counts as (

    select
        district_terms.district,
        district_terms.academic_year,
        district_terms.term_number,
        district_terms.submission_id,
        district_terms.file_name,

        -- caseload (school age = primary + secondary; unknown if either is missing)
        caseload__early_years as caseload_early_years,
        caseload__primary as caseload_primary,
        caseload__secondary as caseload_secondary,
        caseload__primary + caseload__secondary as caseload_school_age,
        actively_supported__early_years as actively_supported_early_years,
        actively_supported__school_age as actively_supported_school_age,

        -- LIFT
        children_presented_at_lift__early_years as children_presented_at_lift_early_years,
        children_presented_at_lift__school_age as children_presented_at_lift_school_age,
        children_presented_sen_support__school_age as children_presented_sen_support,
        children_presented_receiving_hnf__school_age as children_presented_receiving_hnf,
        children_presented_with_ehcp__school_age as children_presented_with_ehcp,
        children_allocated_specialist_teacher__early_years
            as children_allocated_specialist_teacher_early_years,
        children_allocated_specialist_teacher__school_age
            as children_allocated_specialist_teacher_school_age,

        -- targets (school age)
        targets_reviewed__school_age as targets_reviewed,
        cases_closed_targets_met__school_age as cases_closed_targets_met,
        targets_amended__school_age as targets_amended,

        -- transition
        transition_events__early_years as transition_events_early_years,
        transition_events__school_age as transition_events_school_age

    from district_terms

),

final as (

    select
        {{ surrogate_key(['counts.district']) }} as district_sk,
        {{ surrogate_key(['counts.academic_year', 'counts.term_number']) }} as term_sk,
        counts.district as district_name,
        districts.area,
        counts.academic_year,
        counts.term_number,
        counts.* exclude (district, academic_year, term_number, submission_id, file_name),

        {{ pct('children_presented_sen_support', 'children_presented_at_lift_school_age') }}
            as lift_sen_support_pct,
        {{ pct('children_presented_receiving_hnf', 'children_presented_at_lift_school_age') }}
            as lift_receiving_hnf_pct,
        {{ pct('children_presented_with_ehcp', 'children_presented_at_lift_school_age') }}
            as lift_has_ehcp_pct,
        {{ pct('children_allocated_specialist_teacher_early_years', 'children_presented_at_lift_early_years') }}
            as allocated_pct_early_years,
        {{ pct('children_allocated_specialist_teacher_school_age', 'children_presented_at_lift_school_age') }}
            as allocated_pct_school_age,
        {{ pct('actively_supported_early_years', 'caseload_early_years') }}
            as actively_supported_pct_of_caseload_early_years,
        {{ pct('actively_supported_school_age', 'caseload_school_age') }}
            as actively_supported_pct_of_caseload_school_age,
        {{ pct('targets_reviewed', 'caseload_school_age') }}
            as targets_reviewed_pct_of_open_cases,
        {{ pct('cases_closed_targets_met', 'targets_reviewed') }}
            as cases_closed_targets_met_pct_of_reviewed,
        {{ pct('targets_amended', 'targets_reviewed') }}
            as targets_amended_pct_of_reviewed,

        counts.submission_id,
        counts.file_name

    from counts
    left join districts
        on districts.district_name = counts.district

)

select * from final
