"""Termly-return rows: a row that fits no district-term is quarantined alone, a bad figure
holds its submission, spellings are warnings."""

from __future__ import annotations

import pytest
from checking import (
    EY,
    GOOD_FIGURES,
    SA,
    SEC,
    all_districts_sent,
    batch,
    changed,
    indexed,
    submission,
    termly,
)

from warehouse.core import contracts
from warehouse.core.contracts import TERMLY_RETURN
from warehouse.quality import checks, results

# ---------------------------------------------------------------------------------------
# termly_return.yml: row checks
# ---------------------------------------------------------------------------------------
KEY_ERRORS = [
    ("district_is_known", {"district": "Medway"}, "unknown district 'Medway'"),
    ("district_is_known", {"district": "  "}, "district is blank"),
    ("academic_year_is_valid", {"academic_year": "2023-25"}, "does not span consecutive years"),
    ("academic_year_is_valid", {"academic_year": "last year"}, "is not written YYYY-YY"),
    ("term_is_a_whole_number", {"term": "one"}, "term 'one' is not a number"),
    ("term_is_a_whole_number", {"term": ""}, "term is missing"),
    ("term_is_1_to_6", {"term": "7"}, "term 7 is not a Kent term"),
    ("term_is_1_to_6", {"term": "0"}, "term 0 is not a Kent term"),
]


def test_the_good_submission_is_complete() -> None:
    assert set(GOOD_FIGURES) == set(contracts.expected_measure_phases())


def test_a_clean_submission_passes_every_check(run) -> None:
    outcome = run([termly(submission())], published_caseload=all_districts_sent(1))
    assert outcome.failing() == set()
    assert all(r.success for r in outcome.results)
    assert checks.held_submissions(outcome.results) == {}
    assert checks.rows_quarantined_alone(outcome.results) == {}


SUBMISSION_ERRORS = [
    ("phase_is_known", {"phase": "nursery"}, "phase 'nursery' is not one of"),
    ("phase_is_known", {"phase": None}, "phase '(blank)' is not one of"),
    ("measure_is_known", {"measure": "caseloads"}, "'caseloads' is not a measure of the return"),
    ("measure_is_known", {"measure": ""}, "'(blank)' is not a measure"),
    (
        "measure_phase_is_allowed",
        {"phase": "school_age"},
        "caseload is not reported for school_age (it is reported for early_years, primary, "
        "secondary)",
    ),
    ("value_is_present", {"value": None}, "caseload (secondary) has no value"),
    ("value_is_present", {"value": "  "}, "caseload (secondary) has no value"),
    ("value_is_a_number", {"value": "forty"}, "the value 'forty' is not a number"),
    ("value_is_a_number", {"value": "12,04"}, "the value '12,04' is not a number"),
    ("value_is_not_negative", {"value": "-3"}, "the value '-3' is negative"),
    ("value_is_whole_number", {"value": "2.5"}, "the value '2.5' is not a whole number"),
]
SPELLINGS = [
    ("district_spelling_is_standard", {"district": "Dover District"}, "Dover District", "Dover"),
    (
        "district_spelling_is_standard",
        {"district": "Tonbridge & Malling"},
        "Tonbridge & Malling",
        "Tonbridge and Malling",
    ),
    ("academic_year_is_standard", {"academic_year": "2023/24"}, "2023/24", "2023-24"),
    ("academic_year_is_standard", {"academic_year": "2023-2024"}, "2023-2024", "2023-24"),
]
KEY_CELLS_FINE = [{"district": " dover "}, {"term": "1.0"}, {"term": " 6 "}]
FIGURES_FINE = [
    {"value": "1,204"},
    {"value": "12.0"},
    {"value": " 0 "},
    {"value": "-0"},
    {"phase": " School_Age "},
    {"measure": "TRANSITION_EVENTS"},
]


@pytest.fixture(scope="module")
def termly_cases(run) -> dict:
    """Every row-check case of termly_return.yml, one file each, in one run."""
    cases = {}
    for i, (_, cells, _) in enumerate(KEY_ERRORS):
        cases[f"key{i}"] = changed(submission(), "caseload", SEC, **cells)
    for i, (_, cells, _, read_as) in enumerate(SPELLINGS):
        # The row's district (as read) is the file's: a row for another district in a
        # district's return would be a stray, quarantined alone.
        district = read_as if "district" in cells else "Dover"
        cases[f"spelling{i}"] = changed(submission(district), "caseload", EY, **cells)
    for i, (_, cells, _) in enumerate(SUBMISSION_ERRORS):
        thanet = submission(district="Thanet")
        cases[f"figure{i}"] = changed(submission(), "caseload", SEC, **cells) + thanet
    for i, cells in enumerate(KEY_CELLS_FINE):
        cases[f"key_fine{i}"] = [{**r, **cells} for r in submission()]
    for i, cells in enumerate(FIGURES_FINE):
        cases[f"figure_fine{i}"] = changed(submission(), "transition_events", SA, **cells)
    cases["standard"] = submission(district="Tunbridge Wells")
    only = ("termly_return", "termly_return_cross_measure")
    return batch(run, TERMLY_RETURN, cases, only)


@pytest.mark.parametrize(("index", "case"), indexed(KEY_ERRORS))
def test_a_row_that_fits_no_district_term_is_quarantined_alone(termly_cases, index, case) -> None:
    check, _, says = case
    file_id, outcome = termly_cases[f"key{index}"]
    (failure,) = outcome.failures(check, "termly_return")
    assert says in failure.message
    assert outcome.check(check, "termly_return").scope == results.ROW
    bad_row = 2 + next(i for i, (m, p) in enumerate(GOOD_FIGURES) if (m, p) == ("caseload", SEC))
    assert failure.row_number == bad_row
    assert set(checks.rows_quarantined_alone(outcome.results)) == {(file_id, bad_row)}
    # The rest of the district-term is not held because of that row.
    assert checks.held_submissions(outcome.results) == {}
    assert outcome.failing(results.ERROR) == {("termly_return", check)}


@pytest.mark.parametrize("index", range(len(KEY_CELLS_FINE)))
def test_key_cells_that_are_fine(termly_cases, index) -> None:
    _, outcome = termly_cases[f"key_fine{index}"]
    assert outcome.failing(results.ERROR) == set()


@pytest.mark.parametrize(("index", "case"), indexed(SPELLINGS))
def test_a_normalised_district_or_year_is_a_warning(termly_cases, index, case) -> None:
    check, _, raw, read_as = case
    _, outcome = termly_cases[f"spelling{index}"]
    (failure,) = outcome.failures(check, "termly_return")
    assert failure.message.endswith(f"'{raw}' was read as {read_as}")
    assert outcome.check(check, "termly_return").severity == results.WARNING
    assert outcome.failing(results.ERROR) == set()


def test_a_standard_spelling_raises_no_warning(termly_cases) -> None:
    _, outcome = termly_cases["standard"]
    assert outcome.failing() == set()


@pytest.mark.parametrize(("index", "case"), indexed(SUBMISSION_ERRORS))
def test_a_bad_figure_holds_its_whole_submission(termly_cases, index, case) -> None:
    check, _, says = case
    file_id, outcome = termly_cases[f"figure{index}"]
    (failure,) = outcome.failures(check, "termly_return")
    assert says in failure.message
    assert failure.message.startswith("Dover 2023-24 term 1: ")
    assert outcome.check(check, "termly_return").scope == results.SUBMISSION
    # Only Dover's submission is held; Thanet's, in the same file, is not.
    assert set(checks.held_submissions(outcome.results)) == {f"{file_id}/Dover/2023-24/T1"}
    assert checks.rows_quarantined_alone(outcome.results) == {}
    assert outcome.failing(results.ERROR) == {("termly_return", check)}


@pytest.mark.parametrize("index", range(len(FIGURES_FINE)))
def test_figures_that_are_fine(termly_cases, index) -> None:
    _, outcome = termly_cases[f"figure_fine{index}"]
    assert outcome.failing(results.ERROR) == set()


def test_a_figure_given_twice_holds_the_submission(run) -> None:
    rows = submission()
    outcome = run(
        [termly([*rows, dict(rows[16])])], only=("termly_return",)
    )  # caseload early_years again
    failures = outcome.failures("figure_is_not_duplicated", "termly_return")
    assert [f.row_number for f in failures] == [18, 28]
    assert "caseload (early_years) is given more than once in this file (rows 18, 28)" in (
        failures[0].message
    )
    assert set(checks.held_submissions(outcome.results)) == {"L1/1/Dover/2023-24/T1"}


def test_the_same_figure_in_two_files_is_a_resend_not_a_duplicate(run) -> None:
    outcome = run(
        [termly(submission(), seq=1), termly(submission(), seq=2)], only=("termly_return",)
    )
    assert outcome.failures("figure_is_not_duplicated", "termly_return") == ()


@pytest.mark.parametrize(
    ("cells", "shown"),
    [({"district": "Medway"}, "Medway 2023-24 term 1"), ({"term": "7"}, "Dover 2023-24 term 7")],
)
def test_an_error_on_a_quarantined_row_holds_no_submission(run, cells, shown) -> None:
    rows = changed(submission(), "caseload", SEC, value="x", **cells)
    outcome = run([termly(rows)], only=("termly_return",))
    (failure,) = outcome.failures("value_is_a_number", "termly_return")
    assert failure.message.startswith(shown)
    assert set(checks.rows_quarantined_alone(outcome.results)) == {("L1/1", failure.row_number)}
    # The row belongs to no submission (a term-7 row names one that cannot exist).
    assert checks.held_submissions(outcome.results) == {}
