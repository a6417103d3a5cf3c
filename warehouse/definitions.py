"""The published definitions in words, and where each figure comes from (About the data)."""

from __future__ import annotations

RETURN = "Termly returns (district leads)"
CENSUS = "January school census"
FUNDING = "SLA funding (finance)"

# figure -> (definition, sources)
DEFINITIONS: dict[str, tuple[str, str]] = {
    "engagement_pct": (
        "Settings that engaged with the service / settings in the census, per phase",
        f"{RETURN}; {CENSUS}",
    ),
    "lift_attendance_pct": (
        "Settings that attended a LIFT meeting / settings in the census, per phase",
        f"{RETURN}; {CENSUS}",
    ),
    "lift_sen_status_pct": (
        "Children presented at school-age LIFT on SEN Support, receiving High Needs Funding or "
        "with an EHC plan / children presented at school-age LIFT",
        RETURN,
    ),
    "allocated_pct": (
        "Children presented at LIFT allocated a specialist teacher / children presented",
        RETURN,
    ),
    "caseload_avg": ("Pupils on specialist teachers' caseloads, average per term", RETURN),
    "caseload_share_of_age_group_pct": (
        "Caseload (summed over the terms) / pupils on roll (counted once per term)",
        f"{RETURN}; {CENSUS}",
    ),
    "primary_share_of_school_age_caseload_pct": (
        "Primary caseload / primary and secondary caseload",
        RETURN,
    ),
    "actively_supported_avg": ("Pupils on caseload actively supported, average per term", RETURN),
    "actively_supported_pct_of_caseload": (
        "Pupils actively supported / caseload (school age: primary and secondary)",
        RETURN,
    ),
    "training_attendance_pct": (
        "Settings that attended core or bespoke training / settings in the census, per phase",
        f"{RETURN}; {CENSUS}",
    ),
    "targets_reviewed_pct_of_open_cases": (
        "Open cases whose SMART targets were formally reviewed / school-age caseload",
        RETURN,
    ),
    "cases_closed_targets_met_pct_of_reviewed": (
        "Reviewed cases closed because targets were met / targets reviewed",
        RETURN,
    ),
    "targets_amended_pct_of_reviewed": (
        "Reviewed cases whose targets were amended after progress / targets reviewed",
        RETURN,
    ),
    "transition_events_avg": ("Transition events run or supported, average per term", RETURN),
    "funding_per_pupil": (
        "The SLA's total budget / primary and secondary pupils on roll in the year's census",
        f"{FUNDING}; {CENSUS}",
    ),
    "funding_per_caseload_pupil": (
        "The SLA's total budget / caseload (all phases), average per term",
        f"{FUNDING}; {RETURN}",
    ),
    "ehcp_rate_pct": ("Pupils with an EHC plan / pupils on roll", CENSUS),
    "sen_support_rate_pct": ("Pupils on SEN Support / pupils on roll", CENSUS),
}

# Figures the dashboard adds to the committee tables.
DASHBOARD_FIGURES: dict[str, tuple[str, str]] = {
    "All phases (engagement, LIFT, training)": (
        "Early years, primary and secondary pooled: the sum of settings over the three "
        "phases / the sum of census settings over the three phases",
        f"{RETURN}; {CENSUS}",
    ),
    "SLA funding per pupil with SEN": (
        "The SLA's total budget / primary and secondary pupils on SEN Support or with an EHC "
        "plan in the year's census",
        f"{FUNDING}; {CENSUS}",
    ),
    "Needs-based split": (
        "The chosen districts' SLA total shared out in proportion to each district's pupils "
        "on roll (or pupils with SEN), primary and secondary; the difference is the "
        "allocation minus that share",
        f"{FUNDING}; {CENSUS}",
    ),
    "Change in EHC plan rate": (
        "EHC plan rate (primary and secondary) in the year's census minus the rate in the "
        "census a year earlier, in percentage points",
        CENSUS,
    ),
    "Correlation": (
        "Pearson's correlation coefficient r across the chosen districts (from -1 to +1); it "
        "describes a pattern and does not show cause",
        "Worked out on the page",
    ),
}
