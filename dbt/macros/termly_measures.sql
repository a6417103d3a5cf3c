{#
    Every (measure, phase) pair of the measure catalogue (seeds/measures.csv), in catalogue
    order. The pivot int_termly_returns__pivoted_to_district_term makes one column per pair,
    named <measure>__<phase>. The singular test assert_pivot_matches_measure_catalogue fails
    if this list and the seed ever disagree, so adding a measure to the seed without adding
    it here (or the other way round) stops the build.
#}
{% macro termly_measure_phases() -%}
    {{ return([
        ('settings_engaged', 'early_years'),
        ('settings_engaged', 'primary'),
        ('settings_engaged', 'secondary'),
        ('settings_attending_lift', 'early_years'),
        ('settings_attending_lift', 'primary'),
        ('settings_attending_lift', 'secondary'),
        ('settings_attending_training', 'early_years'),
        ('settings_attending_training', 'primary'),
        ('settings_attending_training', 'secondary'),
        ('children_presented_at_lift', 'early_years'),
        ('children_presented_at_lift', 'school_age'),
        ('children_presented_sen_support', 'school_age'),
        ('children_presented_receiving_hnf', 'school_age'),
        ('children_presented_with_ehcp', 'school_age'),
        ('children_allocated_specialist_teacher', 'early_years'),
        ('children_allocated_specialist_teacher', 'school_age'),
        ('caseload', 'early_years'),
        ('caseload', 'primary'),
        ('caseload', 'secondary'),
        ('actively_supported', 'early_years'),
        ('actively_supported', 'school_age'),
        ('targets_reviewed', 'school_age'),
        ('cases_closed_targets_met', 'school_age'),
        ('targets_amended', 'school_age'),
        ('transition_events', 'early_years'),
        ('transition_events', 'school_age'),
    ]) }}
{%- endmacro %}
