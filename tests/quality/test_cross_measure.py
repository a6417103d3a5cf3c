"""The termly returns' cross-measure rules, one row per submission, against the census in
force."""

from __future__ import annotations

import polars as pl
import pytest
from checking import (
    EY,
    PRI,
    SEC,
    batch,
    census_row,
    changed,
    indexed,
    load_file,
    published_census,
    submission,
    termly,
)

from warehouse.core.contracts import CENSUS, TERMLY_RETURN
from warehouse.quality import checks, results

# ---------------------------------------------------------------------------------------
# termly_return_cross_measure.yml
# ---------------------------------------------------------------------------------------
CROSS_MEASURE = [
    # (check, severity, breaking figures, passing figures at the limit, message part)
    (
        "actively_supported_within_caseload_early_years",
        results.ERROR,
        {"actively_supported_early_years": 51},
        {"actively_supported_early_years": 50},
        "early years pupils actively supported (51) are more than the early years caseload (50)",
    ),
    (
        "actively_supported_within_caseload_school_age",
        results.ERROR,
        {"actively_supported_school_age": 101},
        {"actively_supported_school_age": 100},
        "actively supported school-age pupils (101) are more than the school-age caseload "
        "(100 = primary 60 + secondary 40)",
    ),
    (
        "allocated_within_presented_early_years",
        results.ERROR,
        {"children_allocated_specialist_teacher_early_years": 21},
        {"children_allocated_specialist_teacher_early_years": 20},
        "allocated a specialist teacher (21) are more than the children presented at LIFT (20)",
    ),
    (
        "allocated_within_presented_school_age",
        results.ERROR,
        {"children_allocated_specialist_teacher_school_age": 41},
        {"children_allocated_specialist_teacher_school_age": 40},
        "allocated a specialist teacher (41) are more than the children presented at LIFT (40)",
    ),
    (
        "targets_reviewed_within_caseload",
        results.ERROR,
        {"targets_reviewed_school_age": 101, "caseload_primary": 60},
        {"targets_reviewed_school_age": 100},
        "targets reviewed (101) are more than the school-age caseload (100)",
    ),
    (
        "closed_and_amended_within_reviewed",
        results.ERROR,
        {"cases_closed_targets_met_school_age": 31},
        {"cases_closed_targets_met_school_age": 30},
        "cases closed with targets met (31) plus targets amended (20) make 51, more than the "
        "targets reviewed (50)",
    ),
    (
        "lift_sen_status_within_presented",
        results.WARNING,
        {"children_presented_receiving_hnf_school_age": 16},
        {"children_presented_receiving_hnf_school_age": 15},
        "SEN Support (20) + High Needs Funding (16) + EHCP (5) make 41, more than the 40 "
        "school-age children presented at LIFT",
    ),
    (
        "lift_attendance_within_engaged_primary",
        results.WARNING,
        {"settings_attending_lift_primary": 11},
        {"settings_attending_lift_primary": 10},
        "11 primary schools attended LIFT but only 10 engaged",
    ),
    (
        "training_attendance_within_engaged_early_years",
        results.WARNING,
        {"settings_attending_training_early_years": 11},
        {"settings_attending_training_early_years": 10},
        "11 early years settings attended training but only 10 engaged",
    ),
    *[
        (
            f"{measure}_within_engaged_{phase}",
            results.WARNING,
            {f"settings_attending_{what}_{phase}": 11},
            {f"settings_attending_{what}_{phase}": 10},
            f"11 {words} attended {shown} but only 10 engaged",
        )
        for measure, what, shown in (
            ("lift_attendance", "lift", "LIFT"),
            ("training_attendance", "training", "training"),
        )
        for phase, words in (
            (EY, "early years settings"),
            (PRI, "primary schools"),
            (SEC, "secondary schools"),
        )
        if (measure, phase) not in {("lift_attendance", PRI), ("training_attendance", EY)}
    ],
]


@pytest.fixture(scope="module")
def cross_measure_cases(run) -> dict:
    """Each cross-measure rule broken, and each at its limit, one file each, in one run."""
    cases = {}
    for i, (_, _, bad, limit, _) in enumerate(CROSS_MEASURE):
        cases[f"bad{i}"] = submission(**bad)
        cases[f"limit{i}"] = submission(**limit)
    return batch(run, TERMLY_RETURN, cases, ("termly_return_cross_measure",))


@pytest.mark.parametrize(("index", "case"), indexed(CROSS_MEASURE))
def test_cross_measure_rules(cross_measure_cases, index, case) -> None:
    check, severity, _, _, says = case
    file_id, outcome = cross_measure_cases[f"bad{index}"]
    (failure,) = outcome.failures(check, "termly_return_cross_measure")
    assert failure.message.startswith("Dover 2023-24 term 1: ")
    assert failure.message.endswith(says)
    assert failure.submission_id == f"{file_id}/Dover/2023-24/T1"
    assert failure.row_number is None
    assert outcome.check(check, "termly_return_cross_measure").severity == severity
    held = set(checks.held_submissions(outcome.results))
    assert held == ({f"{file_id}/Dover/2023-24/T1"} if severity == results.ERROR else set())
    assert outcome.failing() == {("termly_return_cross_measure", check)}
    _, at_limit = cross_measure_cases[f"limit{index}"]
    assert at_limit.failing() == set()


def test_a_cross_measure_rule_skips_a_figure_that_is_already_an_error(run) -> None:
    rows = changed(submission(), "caseload", EY, value="lots")
    outcome = run([termly(rows)], only=("termly_return", "termly_return_cross_measure"))
    assert outcome.failing(results.ERROR) == {("termly_return", "value_is_a_number")}


@pytest.mark.parametrize("phase", [EY, PRI, SEC])
def test_settings_engaged_above_the_census_settings_holds_the_submission(run, phase) -> None:
    census = published_census(
        [{"census_year": 2024, "district": "Dover", "phase": phase, "settings": 9}]
    )
    outcome = run(
        [termly(submission())], published_census=census, only=("termly_return_cross_measure",)
    )
    check = f"settings_engaged_within_census_{phase}"
    (failure,) = outcome.failures(check, "termly_return_cross_measure")
    assert (
        "10" in failure.message and "more than the 9 in the January 2024 census" in failure.message
    )
    assert set(checks.held_submissions(outcome.results)) == {"L1/1/Dover/2023-24/T1"}
    at_limit = census.with_columns(pl.lit(10).alias("settings"))
    assert (
        run(
            [termly(submission())], published_census=at_limit, only=("termly_return_cross_measure",)
        ).failures(check)
        == ()
    )


def test_settings_engaged_uses_the_census_in_the_same_load(run) -> None:
    census = load_file(CENSUS, [census_row(phase=PRI, settings="9")], seq=2)
    outcome = run([termly(submission()), census], only=("termly_return_cross_measure",))
    assert len(outcome.failures("settings_engaged_within_census_primary")) == 1
    # This load's census replaces the warehouse's for the same year, district and phase.
    published = published_census(
        [{"census_year": 2024, "district": "Dover", "phase": PRI, "settings": 99}]
    )
    outcome = run(
        [termly(submission()), census],
        published_census=published,
        only=("termly_return_cross_measure",),
    )
    assert len(outcome.failures("settings_engaged_within_census_primary")) == 1


def test_settings_engaged_falls_back_to_the_latest_earlier_census(run) -> None:
    census = published_census(
        [
            {"census_year": 2022, "district": "Dover", "phase": PRI, "settings": 50},
            {"census_year": 2023, "district": "Dover", "phase": PRI, "settings": 9},
            {"census_year": 2025, "district": "Dover", "phase": PRI, "settings": 50},
        ]
    )
    outcome = run(
        [termly(submission())], published_census=census, only=("termly_return_cross_measure",)
    )
    (failure,) = outcome.failures("settings_engaged_within_census_primary")
    assert failure.message.endswith("more than the 9 in the January 2023 census")


def test_without_any_census_settings_engaged_is_not_judged(run) -> None:
    outcome = run(
        [termly(submission(settings_engaged_primary=10_000))], only=("termly_return_cross_measure",)
    )
    assert outcome.failures("settings_engaged_within_census_primary") == ()


def test_a_missing_measure_is_a_warning(run) -> None:
    rows = [r for r in submission() if r["measure"] != "targets_amended"]
    outcome = run([termly(rows)], only=("termly_return_cross_measure",))
    (failure,) = outcome.failures("no_measure_missing", "termly_return_cross_measure")
    assert failure.message == "Dover 2023-24 term 1: no figure for targets_amended (school_age)"
    assert outcome.failing(results.ERROR) == set()
    assert outcome.failures("submission_is_not_cut_short") == ()


def test_a_submission_cut_short_is_a_warning(run) -> None:
    outcome = run([termly(submission()[:12])], only=("termly_return_cross_measure",))
    (failure,) = outcome.failures("submission_is_not_cut_short", "termly_return_cross_measure")
    assert failure.message == "Dover 2023-24 term 1: 12 figures where a complete return has 26"
    assert (
        run([termly(submission()[:13])], only=("termly_return_cross_measure",)).failures(
            "submission_is_not_cut_short"
        )
        == ()
    )
