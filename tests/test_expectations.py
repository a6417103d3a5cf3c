"""The expectation suites (expectations/*.yml) run through Great Expectations for real.

Every error and warning of the data contract has a failing case and a passing case here, run
through ``warehouse.quality.checks.run_suites`` and GX (no mocks). One GX context serves the
whole module; the frames are a few rows each. The suite files themselves are checked too: a
bad edit must fail here, never at a steward's load.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl
import pytest
import yaml

from warehouse.core import contracts, paths
from warehouse.core.contracts import CENSUS, FUNDING, TERMLY_RETURN
from warehouse.ingest.readers import discover_files, read_file
from warehouse.quality import checks, data_docs, gx, kinds, results, rows
from warehouse.quality import suites as suite_files

DEMO_DATA = paths.PROJECT_ROOT / "warehouse" / "demo" / "data"


# ---------------------------------------------------------------------------------------
# Files as the readers hand them over, and running the suites
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LoadFile:
    """An accepted file of a load, as ``warehouse.quality.results.SourceFile`` describes it."""

    file_id: str
    file_name: str
    received_seq: int
    source: str
    frame: pl.DataFrame


def load_file(source: str, rows: list[dict], seq: int = 1, name: str | None = None) -> LoadFile:
    """A reader-shaped frame: row_number, contract columns as text, extra_columns JSON."""
    columns = contracts.CONTRACTS[source].columns
    extras = [json.dumps(r["extra"]) if r.get("extra") else None for r in rows]
    frame = pl.DataFrame(
        {
            "row_number": [i + 2 for i in range(len(rows))],
            **{c: [r.get(c) for r in rows] for c in columns},
            "extra_columns": extras,
        },
        schema={
            "row_number": pl.Int32,
            **dict.fromkeys(columns, pl.String),
            "extra_columns": pl.String,
        },
    )
    return LoadFile(f"L1/{seq}", name or f"{source}_{seq}.csv", seq, source, frame)


@dataclass
class Outcome:
    results: list[results.CheckResult]

    def check(self, name: str, suite: str | None = None) -> results.CheckResult:
        found = [r for r in self.results if r.name == name and suite in (None, r.suite)]
        assert len(found) == 1, f"{name} in {suite}: {[(r.suite, r.name) for r in found]}"
        return found[0]

    def failures(self, name: str, suite: str | None = None) -> tuple[results.Failure, ...]:
        return self.check(name, suite).failures

    def messages(self, name: str, suite: str | None = None) -> list[str]:
        return [f.message for f in self.failures(name, suite)]

    def failing(self, severity: str | None = None) -> set[tuple[str, str]]:
        return {
            (r.suite, r.name) for r in self.results if r.failures and severity in (None, r.severity)
        }

    def only_file(self, file_id: str) -> Outcome:
        """The outcome as one file of the load sees it (failures of other files left out)."""
        return Outcome(
            [
                replace(r, failures=tuple(f for f in r.failures if f.file_id == file_id))
                for r in self.results
            ]
        )


def indexed(cases: list[tuple]) -> list:
    """Parameters (index, case) named after the case's check."""
    return [pytest.param(i, case, id=f"{case[0]}-{i}") for i, case in enumerate(cases)]


def batch(run, source: str, cases: dict[str, list[dict]], only: tuple[str, ...]) -> dict:
    """Many independent cases in one GX run, one file each: case -> (file_id, its outcome).

    GX costs about 10 ms per expectation whatever the rows, so one run of 20 small files is
    20 times cheaper than 20 runs; the cases cannot interfere, because every rule of these
    suites stays within a file (duplicates, submissions) or a row.
    """
    files = [load_file(source, rows, seq) for seq, rows in enumerate(cases.values(), 1)]
    outcome = run(files, only=only)
    return {
        case: (f"L1/{seq}", outcome.only_file(f"L1/{seq}")) for seq, case in enumerate(cases, 1)
    }


@pytest.fixture(scope="module")
def suites() -> dict[str, suite_files.Suite]:
    return suite_files.load_suites()


@pytest.fixture(scope="module")
def run(suites):
    runner = gx.GxRunner()

    def go(files: Iterable[LoadFile], only: tuple[str, ...] = (), **published) -> Outcome:
        """Run the suites (only those named, if any: GX costs ~10 ms per expectation, and a
        test of one rule needs only its suite and those whose outcome it depends on)."""
        chosen = {n: s for n, s in suites.items() if not only or n in only}
        assert len(chosen) == len(only) or not only, f"no such suite in {only}"
        return Outcome(checks.run_suites(list(files), suites=chosen, runner=runner, **published))

    return go


# ---------------------------------------------------------------------------------------
# A complete, consistent termly submission (every rule passes), and variations of it
# ---------------------------------------------------------------------------------------
EY, PRI, SEC, SA = "early_years", "primary", "secondary", "school_age"
GOOD_FIGURES = {
    **{("settings_engaged", p): 10 for p in (EY, PRI, SEC)},
    **{("settings_attending_lift", p): 5 for p in (EY, PRI, SEC)},
    **{("settings_attending_training", p): 5 for p in (EY, PRI, SEC)},
    ("children_presented_at_lift", EY): 20,
    ("children_presented_at_lift", SA): 40,
    ("children_presented_sen_support", SA): 20,
    ("children_presented_receiving_hnf", SA): 5,
    ("children_presented_with_ehcp", SA): 5,
    ("children_allocated_specialist_teacher", EY): 10,
    ("children_allocated_specialist_teacher", SA): 20,
    ("caseload", EY): 50,
    ("caseload", PRI): 60,
    ("caseload", SEC): 40,
    ("actively_supported", EY): 30,
    ("actively_supported", SA): 80,
    ("targets_reviewed", SA): 50,
    ("cases_closed_targets_met", SA): 10,
    ("targets_amended", SA): 20,
    ("transition_events", EY): 2,
    ("transition_events", SA): 2,
}


def submission(
    district: str = "Dover", year: str = "2023-24", term: int | str = 1, **figures: int | str
) -> list[dict]:
    """Rows of a complete return; ``caseload_primary=70`` changes one figure."""
    rows = []
    for (measure, phase), value in GOOD_FIGURES.items():
        value = figures.pop(f"{measure}_{phase}", value)
        rows.append(
            {
                "district": district,
                "academic_year": year,
                "term": str(term),
                "phase": phase,
                "measure": measure,
                "value": str(value),
            }
        )
    assert not figures, f"not figures of the return: {figures}"
    return rows


def changed(rows: list[dict], measure: str, phase: str, /, **cells: str | None) -> list[dict]:
    """The rows with the cells of one figure's row replaced."""
    out = [dict(r) for r in rows]
    target = next(r for r in out if (r["measure"], r["phase"]) == (measure, phase))
    target.update(cells)
    return out


def termly(rows: list[dict], seq: int = 1, name: str | None = None) -> LoadFile:
    return load_file(TERMLY_RETURN, rows, seq, name)


def test_the_good_submission_is_complete() -> None:
    assert set(GOOD_FIGURES) == set(contracts.expected_measure_phases())


def test_a_clean_submission_passes_every_check(run) -> None:
    outcome = run([termly(submission())], published_caseload=all_districts_sent(1))
    assert outcome.failing() == set()
    assert all(r.success for r in outcome.results)
    assert checks.held_submissions(outcome.results) == {}
    assert checks.rows_quarantined_alone(outcome.results) == {}


def all_districts_sent(*terms: int, year: str = "2023-24", caseload: int = 60) -> pl.DataFrame:
    """Published caseload for every district in these terms (so none is 'missing')."""
    return pl.DataFrame(
        [
            {"district": d, "academic_year": year, "term": t, "phase": p, "caseload": caseload}
            for d in contracts.district_names()
            for t in terms
            for p in contracts.CENSUS_PHASES
        ]
    )


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


def census_row(
    district: str = "Dover",
    phase: str = PRI,
    year: int | str = 2024,
    settings: str = "40",
    pupils: str = "1000",
    sen_support: str = "100",
    ehcp: str = "50",
    **extra,
) -> dict:
    return {
        "census_year": str(year),
        "district": district,
        "phase": phase,
        "settings": settings,
        "pupils": pupils,
        "sen_support": sen_support,
        "ehcp": ehcp,
        **extra,
    }


def published_census(rows: list[dict]) -> pl.DataFrame:
    base = {"pupils": 1000, "ehcp": 50, "settings": 40}
    return pl.DataFrame([{**base, **r} for r in rows])


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


# ---------------------------------------------------------------------------------------
# termly_return_history.yml
# ---------------------------------------------------------------------------------------
def caseload_history(year: str, term: int, primary: int, district: str = "Dover") -> pl.DataFrame:
    rows = [
        {"district": district, "academic_year": year, "term": term, "phase": p, "caseload": c}
        for p, c in ((EY, 50), (PRI, primary), (SEC, 40))
    ]
    return pl.DataFrame(rows)


PHASE_WORDS = {EY: "early years", PRI: "primary", SEC: "secondary"}


@pytest.mark.parametrize("phase", contracts.CENSUS_PHASES)
@pytest.mark.parametrize(
    ("now", "fails", "shown"),
    [(91, True, "+52%"), (90, False, ""), (30, False, ""), (29, True, "-52%")],
)
def test_caseload_moving_more_than_half_against_the_previous_term(
    run, phase, now, fails, shown
) -> None:
    published = caseload_history("2023-24", 1, primary=60).with_columns(
        pl.lit(60).alias("caseload")
    )
    rows = submission(term=2, **{f"caseload_{p}": 60 for p in contracts.CENSUS_PHASES})
    rows = changed(rows, "caseload", phase, value=str(now))
    outcome = run([termly(rows)], published_caseload=published, only=("termly_return_history",))
    failures = outcome.failures(f"caseload_{phase}_change_within_50_pct", "termly_return_history")
    assert len(failures) == int(fails)
    if fails:
        assert failures[0].message == (
            f"Dover 2023-24 term 2: {PHASE_WORDS[phase]} caseload {now} against 60 in 2023-24 "
            f"term 1 ({shown})"
        )
        assert failures[0].submission_id == "L1/1/Dover/2023-24/T2"
    assert outcome.failing() == (
        {("termly_return_history", f"caseload_{phase}_change_within_50_pct")} if fails else set()
    ) | {("termly_return_history", "district_has_sent_term")}


def test_term_1_follows_term_6_of_the_year_before(run) -> None:
    published = caseload_history("2022-23", 6, primary=30)
    outcome = run(
        [termly(submission(term=1))], published_caseload=published, only=("termly_return_history",)
    )
    (failure,) = outcome.failures("caseload_primary_change_within_50_pct")
    assert "against 30 in 2022-23 term 6 (+100%)" in failure.message


def test_the_previous_term_can_come_in_the_same_load(run) -> None:
    files = [
        termly(submission(term=1, caseload_secondary=10, actively_supported_school_age=60), seq=1),
        termly(submission(term=2), seq=2),
    ]
    outcome = run(files, only=("termly_return_history",))
    (failure,) = outcome.failures("caseload_secondary_change_within_50_pct")
    assert failure.message.endswith("secondary caseload 40 against 10 in 2023-24 term 1 (+300%)")


def test_a_held_previous_term_is_not_the_baseline(run) -> None:
    published = caseload_history("2023-24", 1, primary=60)
    held_resend = changed(
        submission(term=1, caseload_primary=300), "transition_events", EY, value="-1"
    )
    files = [termly(held_resend, seq=1), termly(submission(term=2, caseload_primary=70), seq=2)]
    outcome = run(
        files, published_caseload=published, only=("termly_return", "termly_return_history")
    )
    assert "L1/1/Dover/2023-24/T1" in checks.held_submissions(outcome.results)
    assert outcome.failures("caseload_primary_change_within_50_pct") == ()


def test_a_rise_from_nothing_is_flagged(run) -> None:
    published = caseload_history("2023-24", 1, primary=0)
    outcome = run(
        [termly(submission(term=2, caseload_primary=5))],
        published_caseload=published,
        only=("termly_return_history",),
    )
    (failure,) = outcome.failures("caseload_primary_change_within_50_pct")
    assert failure.message.endswith("primary caseload 5 against 0 in 2023-24 term 1 (∞%)")


def test_no_previous_term_means_no_comparison(run) -> None:
    outcome = run(
        [termly(submission(term=3))],
        published_caseload=caseload_history("2023-24", 1, 5),
        only=("termly_return_history",),
    )
    assert outcome.failures("caseload_primary_change_within_50_pct") == ()


def test_a_district_missing_from_a_term_others_have_sent(run) -> None:
    files = [termly(submission(district=d), seq=i) for i, d in enumerate(["Dover", "Thanet"], 1)]
    outcome = run(files, only=("termly_return_history",))
    failures = outcome.failures("district_has_sent_term", "termly_return_history")
    assert len(failures) == 10
    assert failures[0].message == (
        "Ashford has not sent a return for 2023-24 term 1 (districts that have: 2 of 12)"
    )
    assert failures[0].file_id is None and failures[0].district == "Ashford"


def test_districts_sent_before_or_held_are_not_missing(run) -> None:
    published = all_districts_sent(1).filter(pl.col("district") != "Ashford")
    held = changed(submission(district="Ashford"), "caseload", EY, value="-5")
    outcome = run(
        [termly(submission()), termly(held, seq=2)],
        published_caseload=published,
        only=("termly_return", "termly_return_history"),
    )
    assert "L1/2/Ashford/2023-24/T1" in checks.held_submissions(outcome.results)
    assert outcome.failures("district_has_sent_term") == ()


# ---------------------------------------------------------------------------------------
# census.yml and census_history.yml
# ---------------------------------------------------------------------------------------
def census_file(rows: list[dict], seq: int = 1) -> LoadFile:
    return load_file(CENSUS, rows, seq)


CENSUS_KEY_ERRORS = [
    ("district_is_known", {"district": "Medway"}, "unknown district 'Medway'"),
    ("census_year_is_a_whole_number", {"year": "20x4"}, "census_year '20x4' is not a number"),
    ("census_year_is_a_whole_number", {"year": ""}, "census_year is missing"),
    ("census_year_is_plausible", {"year": "1024"}, "census year 1024 is not a plausible year"),
]
CENSUS_ERRORS = [
    ("phase_is_known", {"phase": "nursery"}, "phase 'nursery' is not early_years, primary"),
    ("phase_is_known", {"phase": "school_age"}, "phase 'school_age' is not early_years"),
    ("settings_is_a_count", {"settings": "-1"}, "settings '-1' is negative"),
    ("pupils_is_a_count", {"pupils": ""}, "pupils value is missing"),
    ("sen_support_is_a_count", {"sen_support": "1.5"}, "sen_support '1.5' is not a whole number"),
    ("ehcp_is_a_count", {"ehcp": "many"}, "ehcp 'many' is not a number"),
    (
        "sen_support_and_ehcp_within_pupils",
        {"pupils": "149"},
        "sen_support (100) + ehcp (50) make 150, more than the 149 pupils",
    ),
]


@pytest.fixture(scope="module")
def census_cases(run) -> dict:
    cases = {}
    for i, (_, cells, _) in enumerate(CENSUS_KEY_ERRORS):
        cases[f"key{i}"] = [census_row(**cells), census_row(phase=SEC)]
    for i, (_, cells, _) in enumerate(CENSUS_ERRORS):
        cases[f"bad{i}"] = [
            census_row(**cells),
            census_row(phase=SEC),
            census_row(district="Thanet"),
        ]
    cases["clean"] = [census_row(pupils="150", settings="1,204", year="2024.0")]
    cases["spelling"] = [census_row(district="Royal Tunbridge Wells")]
    return batch(run, CENSUS, cases, ("census",))


@pytest.mark.parametrize(("index", "case"), indexed(CENSUS_KEY_ERRORS))
def test_a_census_row_with_no_district_year_is_quarantined_alone(census_cases, index, case) -> None:
    check, _, says = case
    file_id, outcome = census_cases[f"key{index}"]
    (failure,) = outcome.failures(check, "census")
    assert says in failure.message and failure.row_number == 2
    assert set(checks.rows_quarantined_alone(outcome.results)) == {(file_id, 2)}
    assert checks.held_submissions(outcome.results) == {}


@pytest.mark.parametrize(("index", "case"), indexed(CENSUS_ERRORS))
def test_a_bad_census_row_holds_the_districts_census_year(census_cases, index, case) -> None:
    check, _, says = case
    file_id, outcome = census_cases[f"bad{index}"]
    (failure,) = outcome.failures(check, "census")
    assert says in failure.message
    assert failure.message.startswith("Dover ")
    assert set(checks.held_submissions(outcome.results)) == {f"{file_id}/Dover/census2024"}
    assert outcome.failing(results.ERROR) == {("census", check)}


def test_a_clean_census_row_passes(census_cases) -> None:
    _, outcome = census_cases["clean"]
    assert outcome.failing() == set()


def test_a_normalised_census_district_is_a_warning(census_cases) -> None:
    _, outcome = census_cases["spelling"]
    assert outcome.messages("district_spelling_is_standard", "census") == [
        "district 'Royal Tunbridge Wells' was read as Tunbridge Wells"
    ]
    assert outcome.failing() == {("census", "district_spelling_is_standard")}


def test_a_census_row_given_twice_holds_it(run) -> None:
    outcome = run([census_file([census_row(), census_row(pupils="900")])], only=("census",))
    failures = outcome.failures("not_duplicated", "census")
    assert [f.row_number for f in failures] == [2, 3]
    assert failures[0].message == (
        "Dover primary January 2024 census is given more than once in this file (rows 2, 3)"
    )
    assert set(checks.held_submissions(outcome.results)) == {"L1/1/Dover/census2024"}
    assert (
        run([census_file([census_row(), census_row(phase=EY)])], only=("census",)).failures(
            "not_duplicated", "census"
        )
        == ()
    )


def full_census(year: int = 2024, **changes) -> list[dict]:
    return [
        census_row(district=d, phase=p, year=year, **changes.get(f"{d}/{p}", {}))
        for d in contracts.district_names()
        for p in contracts.CENSUS_PHASES
    ]


def test_a_district_phase_missing_from_a_census_year(run) -> None:
    rows = [r for r in full_census() if (r["district"], r["phase"]) != ("Swale", SEC)]
    outcome = run([census_file(rows)], only=("census_history",))
    (failure,) = outcome.failures("district_phase_present", "census_history")
    assert failure.message == "Swale secondary has no row in the January 2024 census"
    assert (
        run([census_file(full_census())], only=("census_history",)).failures(
            "district_phase_present"
        )
        == ()
    )


def test_a_district_phase_published_before_is_not_missing(run) -> None:
    published = published_census([{"census_year": 2024, "district": "Swale", "phase": SEC}])
    rows = [r for r in full_census() if (r["district"], r["phase"]) != ("Swale", SEC)]
    outcome = run([census_file(rows)], published_census=published, only=("census_history",))
    assert outcome.failures("district_phase_present") == ()


@pytest.mark.parametrize(
    ("ehcp", "fails"), [("81", True), ("80", False), ("19", True), ("20", False)]
)
def test_an_ehcp_rate_moving_more_than_3_points(run, ehcp, fails) -> None:
    published = published_census(
        [{"census_year": 2023, "district": "Dover", "phase": PRI, "ehcp": 50}]
    )
    outcome = run(
        [census_file([census_row(ehcp=ehcp, sen_support="10")])],
        published_census=published,
        only=("census_history",),
    )
    failures = outcome.failures("ehcp_rate_change_within_3_points", "census_history")
    assert len(failures) == int(fails)
    if ehcp == "81":
        assert failures[0].message == (
            "Dover primary: EHCP rate 8.1% in January 2024 against 5.0% a year before (+3.1 points)"
        )


def test_the_previous_census_year_can_come_in_the_same_load(run) -> None:
    files = [census_file([census_row(year=2023, ehcp="19")]), census_file([census_row()], seq=2)]
    (failure,) = run(files, only=("census_history",)).failures("ehcp_rate_change_within_3_points")
    assert failure.message.endswith("5.0% in January 2024 against 1.9% a year before (+3.1 points)")


# ---------------------------------------------------------------------------------------
# funding.yml and funding_years.yml
# ---------------------------------------------------------------------------------------
def funding_row(
    district: str = "Dover",
    year: str = "2023-24",
    core: str | None = "£100,000",
    outreach: str | None = "£50,000",
    total: str | None = "£150,000",
    other: str | None = None,
) -> dict:
    return {
        "academic_year": year,
        "district": district,
        "core_budget": core,
        "outreach_budget": outreach,
        "total_budget": total,
        "other_income": other,
    }


def funding_file(rows: list[dict], seq: int = 1) -> LoadFile:
    return load_file(FUNDING, rows, seq)


FUNDING_KEY_ERRORS = [
    ("district_is_known", {"district": "Medway"}, "unknown district 'Medway'"),
    ("academic_year_is_valid", {"year": "2023-25"}, "does not span consecutive years"),
]
MONEY_ERRORS = [
    ("core_budget_is_an_amount", {"core": "abc"}, "core budget 'abc' is not a number"),
    ("core_budget_is_an_amount", {"core": None}, "core budget value is missing"),
    ("core_budget_is_not_negative", {"core": "-£5"}, "core budget '-£5' is negative"),
    ("outreach_budget_is_an_amount", {"outreach": "£1.234"}, "has fractions of a penny"),
    ("outreach_budget_is_not_negative", {"outreach": "(£5)"}, "'(£5)' is negative"),
    ("total_budget_is_an_amount", {"total": "lots"}, "total budget 'lots' is not a number"),
    ("total_budget_is_not_negative", {"total": "£-150,000"}, "is negative"),
    ("other_income_is_an_amount", {"other": "n/a"}, "other income 'n/a' is not a number"),
    ("other_income_is_not_negative", {"other": "-1"}, "other income '-1' is negative"),
]
MONEY_FINE = [
    {"other": None},
    {"other": "£ -"},
    {"core": "100000", "outreach": "0", "total": "£100,000.00"},
    {"core": "£0.10", "outreach": "£0.20", "total": "£0.30"},
]


@pytest.fixture(scope="module")
def funding_cases(run) -> dict:
    cases = {}
    for i, (_, cells, _) in enumerate(FUNDING_KEY_ERRORS):
        cases[f"key{i}"] = [funding_row(**cells)]
    for i, (_, cells, _) in enumerate(MONEY_ERRORS):
        cases[f"bad{i}"] = [funding_row(**cells), funding_row(district="Thanet")]
    for i, cells in enumerate(MONEY_FINE):
        cases[f"fine{i}"] = [funding_row(**cells)]
    return batch(run, FUNDING, cases, ("funding",))


@pytest.mark.parametrize(("index", "case"), indexed(FUNDING_KEY_ERRORS))
def test_a_funding_row_with_no_district_year_is_quarantined_alone(funding_cases, index, case):
    check, _, says = case
    file_id, outcome = funding_cases[f"key{index}"]
    (failure,) = outcome.failures(check, "funding")
    assert says in failure.message
    assert set(checks.rows_quarantined_alone(outcome.results)) == {(file_id, 2)}
    assert checks.held_submissions(outcome.results) == {}


@pytest.mark.parametrize(("index", "case"), indexed(MONEY_ERRORS))
def test_bad_money_holds_the_district_year(funding_cases, index, case) -> None:
    check, _, says = case
    file_id, outcome = funding_cases[f"bad{index}"]
    (failure,) = outcome.failures(check, "funding")
    assert failure.message.startswith("Dover 2023-24: ") and says in failure.message
    assert outcome.check(check, "funding").scope == results.SUBMISSION
    assert set(checks.held_submissions(outcome.results)) == {f"{file_id}/Dover/2023-24"}
    assert outcome.failing(results.ERROR) == {("funding", check)}


@pytest.mark.parametrize("index", range(len(MONEY_FINE)))
def test_money_that_is_fine(funding_cases, index) -> None:
    _, outcome = funding_cases[f"fine{index}"]
    assert outcome.failing() == set()


def test_a_funding_district_year_given_twice(run) -> None:
    outcome = run(
        [funding_file([funding_row(), funding_row(district="Dover District")])], only=("funding",)
    )
    failures = outcome.failures("not_duplicated", "funding")
    assert [f.row_number for f in failures] == [2, 3]
    assert failures[0].message == "Dover 2023-24 is given more than once in this file (rows 2, 3)"
    other_year = funding_file([funding_row(), funding_row(year="2022-23")])
    assert run([other_year], only=("funding",)).failures("not_duplicated", "funding") == ()


def test_funding_spelling_warnings(run) -> None:
    outcome = run(
        [funding_file([funding_row(district="Folkstone and Hythe", year="2023/24")])],
        only=("funding",),
    )
    assert outcome.messages("district_spelling_is_standard", "funding") == [
        "district 'Folkstone and Hythe' was read as Folkestone and Hythe"
    ]
    assert outcome.messages("academic_year_is_standard", "funding") == [
        "academic year '2023/24' was read as 2023-24"
    ]
    assert outcome.failing(results.ERROR) == set()


def test_total_differing_from_core_plus_outreach_is_a_warning(run) -> None:
    outcome = run(
        [funding_file([funding_row(core="364,850", outreach="0", total="£364,800")])],
        only=("funding",),
    )
    assert outcome.messages("total_is_core_plus_outreach", "funding") == [
        "Dover 2023-24: total budget £364,800.00 differs from core budget + outreach budget "
        "£364,850.00 (the SLA's stated total is the figure used)"
    ]
    assert outcome.failing(results.ERROR) == set()


def every_district_funded(year: str = "2023-24") -> list[dict]:
    return [funding_row(district=d, year=year) for d in contracts.district_names()]


@pytest.mark.parametrize(
    ("stated", "year", "fails"),
    [("£1,800,001", "2023-24", True), ("£1,800,000", "2023-24", False), ("£1,799,999", None, True)],
)
def test_a_stated_county_total_is_checked_not_loaded(run, stated, year, fails) -> None:
    rows = [
        *every_district_funded(),
        funding_row(district="Total", year=year, core=None, outreach=None, total=stated),
    ]
    outcome = run([funding_file(rows)], only=("funding", "funding_years"))
    failures = outcome.failures("county_total_matches_districts", "funding_years")
    assert len(failures) == int(fails)
    if fails:
        assert failures[0].message == (
            f"2023-24: the stated Total {stated}.00 differs from the sum of the district totals "
            "£1,800,000.00 by £1.00"
        )
        assert failures[0].row_number == 14
    # The Total row is not a district: no "unknown district", no money errors.
    assert outcome.failing(results.ERROR) == set()


def test_a_district_missing_from_a_funding_year(run) -> None:
    rows = [r for r in every_district_funded() if r["district"] not in ("Swale", "Dover")]
    outcome = run([funding_file(rows)], only=("funding_years",))
    assert outcome.messages("every_district_funded", "funding_years") == [
        "2023-24: no funding row for Dover, Swale"
    ]
    assert (
        run([funding_file(every_district_funded())], only=("funding_years",)).failures(
            "every_district_funded"
        )
        == ()
    )


# ---------------------------------------------------------------------------------------
# files.yml
# ---------------------------------------------------------------------------------------
def test_extra_columns_are_a_warning(run) -> None:
    rows = submission()
    rows[3]["extra"] = {"notes": "phoned school"}
    rows[5]["extra"] = {"Comments": "x", "notes": "y"}
    outcome = run([termly(rows, name="thanet.csv")], only=("files",))
    assert outcome.messages("no_extra_columns", "files") == [
        "thanet.csv has column(s) the termly_return template does not: notes, Comments"
    ]
    assert outcome.failing(results.ERROR) == set()
    assert run([termly(submission())], only=("files",)).failures("no_extra_columns") == ()


def test_a_file_with_no_rows_is_a_warning(run) -> None:
    outcome = run([termly([], name="empty.csv"), termly(submission(), seq=2)], only=("files",))
    assert outcome.messages("file_has_rows", "files") == [
        "empty.csv has a header row but no figures"
    ]


# ---------------------------------------------------------------------------------------
# The run as a whole
# ---------------------------------------------------------------------------------------
def test_an_empty_load_passes_every_check_without_gx(suites) -> None:
    results = checks.run_suites([], suites=suites, runner=None)
    assert results and all(r.success and r.evaluated == 0 for r in results)
    names = {(r.suite, r.name) for r in results}
    assert names == {(s.name, e.name) for s in suites.values() for e in s.expectations}


def test_a_check_gx_could_not_run_stops_the_load(suites) -> None:
    frame = rows.termly_return_rows([termly(submission())]).drop("value_problem")
    with pytest.raises(results.ExpectationRunError, match=r"termly_return\.value_is_present"):
        gx.run_suite(suites["termly_return"], frame, gx.GxRunner())


def test_the_demo_data_raise_only_the_known_warnings(run) -> None:
    files = []
    for seq, path in enumerate(discover_files([DEMO_DATA]), 1):
        read = read_file(path)
        assert read.accepted, read.rejected_reason
        files.append(LoadFile(f"D/{seq}", read.file_name, seq, read.source, read.frame))
    outcome = run(files)
    counts = {(r.suite, r.name): r.failing_count for r in outcome.results if r.failures}
    assert counts == {
        ("files", "no_extra_columns"): 10,  # Thanet's "notes" column
        ("funding", "district_spelling_is_standard"): 2,  # "Folkstone and Hythe"
        ("funding", "total_is_core_plus_outreach"): 2,  # Tunbridge Wells, £50 short
        ("funding_years", "county_total_matches_districts"): 2,  # stated Total £1 short
        ("termly_return_cross_measure", "lift_sen_status_within_presented"): 4,  # Maidstone
    }
    evaluated = {r.suite: r.evaluated for r in outcome.results}
    assert evaluated["termly_return"] == 120 * 26
    assert evaluated["termly_return_cross_measure"] == 120


def test_data_docs_are_built_for_a_load(run, tmp_path: Path) -> None:
    rows = changed(submission(), "caseload", SEC, value="-3")
    outcome = run([termly(rows)], only=("termly_return", "termly_return_cross_measure"))
    index = data_docs.build_data_docs(outcome.results, tmp_path / "gx_docs", run_name="L1")
    assert index == tmp_path / "gx_docs" / "index.html" and index.is_file()
    pages = {p.name for p in (tmp_path / "gx_docs").rglob("*.html")}
    assert {"termly_return.html", "termly_return_cross_measure.html"} <= pages
    page = next((tmp_path / "gx_docs" / "validations" / "termly_return").rglob("*.html"))
    assert "Every value is a count, so it cannot be below 0." in page.read_text(encoding="utf-8")


def test_render_shows_blanks_and_formats_numbers() -> None:
    row = {"district": None, "n": 1204, "pct": 52.4, "text": ""}
    assert (
        suite_files.render("{district}: {n:,} ({pct:+.0f}%) {text}", row)
        == "(blank): 1,204 (+52%) (blank)"
    )
    assert suite_files.render("{n:,}", {"n": None}) == "(blank)"


# ---------------------------------------------------------------------------------------
# The suite files
# ---------------------------------------------------------------------------------------
CONTRACT_RULES = {
    # termly return errors
    "unknown district": ("termly_return", "district_is_known", results.ERROR),
    "bad year": ("termly_return", "academic_year_is_valid", results.ERROR),
    "term not a number": ("termly_return", "term_is_a_whole_number", results.ERROR),
    "term outside 1..6": ("termly_return", "term_is_1_to_6", results.ERROR),
    "unknown phase": ("termly_return", "phase_is_known", results.ERROR),
    "unknown measure": ("termly_return", "measure_is_known", results.ERROR),
    "measure with a phase not allowed": (
        "termly_return",
        "measure_phase_is_allowed",
        results.ERROR,
    ),
    "value missing": ("termly_return", "value_is_present", results.ERROR),
    "value not a number": ("termly_return", "value_is_a_number", results.ERROR),
    "value negative": ("termly_return", "value_is_not_negative", results.ERROR),
    "value fractional": ("termly_return", "value_is_whole_number", results.ERROR),
    "same figure twice in a submission": (
        "termly_return",
        "figure_is_not_duplicated",
        results.ERROR,
    ),
    "actively supported above caseload (ey)": (
        "termly_return_cross_measure",
        "actively_supported_within_caseload_early_years",
        results.ERROR,
    ),
    "actively supported above caseload (sa)": (
        "termly_return_cross_measure",
        "actively_supported_within_caseload_school_age",
        results.ERROR,
    ),
    "allocated above presented (ey)": (
        "termly_return_cross_measure",
        "allocated_within_presented_early_years",
        results.ERROR,
    ),
    "allocated above presented (sa)": (
        "termly_return_cross_measure",
        "allocated_within_presented_school_age",
        results.ERROR,
    ),
    "targets reviewed above caseload": (
        "termly_return_cross_measure",
        "targets_reviewed_within_caseload",
        results.ERROR,
    ),
    "closed + amended above reviewed": (
        "termly_return_cross_measure",
        "closed_and_amended_within_reviewed",
        results.ERROR,
    ),
    **{
        f"settings engaged above census ({p})": (
            "termly_return_cross_measure",
            f"settings_engaged_within_census_{p}",
            results.ERROR,
        )
        for p in contracts.CENSUS_PHASES
    },
    # termly return warnings
    "normalised district": ("termly_return", "district_spelling_is_standard", results.WARNING),
    "normalised year": ("termly_return", "academic_year_is_standard", results.WARNING),
    "measure missing": ("termly_return_cross_measure", "no_measure_missing", results.WARNING),
    "SEN-status counts above presented": (
        "termly_return_cross_measure",
        "lift_sen_status_within_presented",
        results.WARNING,
    ),
    **{
        f"caseload change > 50% ({p})": (
            "termly_return_history",
            f"caseload_{p}_change_within_50_pct",
            results.WARNING,
        )
        for p in contracts.CENSUS_PHASES
    },
    "district missing from a term": (
        "termly_return_history",
        "district_has_sent_term",
        results.WARNING,
    ),
    # census
    "census sen_support + ehcp above pupils": (
        "census",
        "sen_support_and_ehcp_within_pupils",
        results.ERROR,
    ),
    "census duplicate": ("census", "not_duplicated", results.ERROR),
    "census district-phase missing": ("census_history", "district_phase_present", results.WARNING),
    "census EHCP rate move": (
        "census_history",
        "ehcp_rate_change_within_3_points",
        results.WARNING,
    ),
    # funding
    "funding duplicate": ("funding", "not_duplicated", results.ERROR),
    **{
        f"negative {c}": ("funding", f"{c}_is_not_negative", results.ERROR)
        for c in ("core_budget", "outreach_budget", "total_budget", "other_income")
    },
    "total differs from core + outreach": (
        "funding",
        "total_is_core_plus_outreach",
        results.WARNING,
    ),
    "stated county total differs": (
        "funding_years",
        "county_total_matches_districts",
        results.WARNING,
    ),
}


def test_every_contract_rule_has_an_expectation_of_its_severity(suites) -> None:
    shipped = {(s.name, e.name): e.severity for s in suites.values() for e in s.expectations}
    for rule, (suite, name, severity) in CONTRACT_RULES.items():
        assert shipped.get((suite, name)) == severity, rule


def test_the_shipped_suites_cover_every_frame(suites) -> None:
    assert {s.frame for s in suites.values()} == set(kinds.frame_kinds())
    assert {s.name for s in suites.values()} == {
        p.stem for p in paths.EXPECTATIONS_DIR.glob("*.yml")
    }


def test_every_shipped_suite_builds_in_gx(suites) -> None:
    for suite in suites.values():
        assert len(gx.gx_suite(suite).expectations) == len(suite.expectations)


ENTRY = {
    "name": "value_is_present",
    "expectation": "ExpectColumnValuesToNotBeInSet",
    "kwargs": {"column": "value_problem", "value_set": ["missing"]},
    "severity": "error",
    "scope": "submission",
    "column": "value",
    "rule": "Every figure has a value.",
    "action": "Fill it in.",
    "message": "{district} {academic_year} term {term}: {measure} has no value",
}


def write_suite(folder: Path, entries: list[dict], **top) -> Path:
    document = {
        "suite": "termly_return",
        "source": "termly_return",
        "frame": "termly_return_rows",
        "expectations": entries,
        **top,
    }
    path = folder / f"{top.get('file', document['suite'])}.yml"
    document.pop("file", None)
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_a_well_formed_suite_file_loads(tmp_path: Path) -> None:
    suite = suite_files.load_suite(write_suite(tmp_path, [ENTRY]))
    (spec,) = suite.expectations
    assert (suite.name, suite.frame, spec.name, spec.scope) == (
        "termly_return",
        "termly_return_rows",
        "value_is_present",
        "submission",
    )


def test_contract_lists_are_resolved(tmp_path: Path) -> None:
    entry = {**ENTRY, "kwargs": {"column": "phase", "value_set": {"from_contract": "phases"}}}
    (spec,) = suite_files.load_suite(write_suite(tmp_path, [entry])).expectations
    assert spec.kwargs["value_set"] == list(contracts.phases())


BAD_ENTRIES = [
    (
        {"expectation": "ExpectColumnValuesToBeAwesome"},
        "is not a Great Expectations expectation class",
    ),
    ({"expectation": "print"}, "is not a Great Expectations expectation class"),
    (
        {"expectation": "ExpectTableRowCountToEqual", "kwargs": {"value": 3}},
        "does not judge row by row",
    ),
    ({"kwargs": {"column": "value_problem"}}, "does not accept these kwargs"),
    ({"kwargs": {"column": "value_problem", "value_set": [1], "mostly": 7}}, "does not accept"),
    ({"kwargs": {"column": "nonexistent", "value_set": [1]}}, "has no column(s) nonexistent"),
    ({"kwargs": "column: value"}, "kwargs must be a mapping"),
    (
        {"kwargs": {"column": "phase", "value_set": {"from_contract": "colours"}}},
        "unknown contract list 'colours'",
    ),
    ({"message": "{nonexistent} is wrong"}, "{nonexistent} is not a column of termly_return_rows"),
    ({"message": "{value:,.2q}"}, "message does not render"),
    ({"message": "{district_raw:,}"}, "message does not render"),
    ({"message": "{district!r}"}, "must be a column name"),
    ({"message": "{district.upper}"}, "must be a column name"),
    ({"message": "{district"}, "message does not parse"),
    ({"message": "  "}, "message must be non-empty text"),
    ({"rule": ""}, "rule must be non-empty text"),
    ({"severity": "fatal"}, "severity 'fatal' is not one of"),
    ({"scope": "file"}, "scope 'file' is not one of"),
    ({"severity": "warning"}, "a warning holds nothing back"),
    ({"scope": "none"}, "an error must hold something"),
    ({"name": "ValueIsPresent"}, "is not snake_case"),
    ({"column": "values"}, "column 'values' is not a column of the termly_return files"),
    ({"owner": "me"}, "unknown key(s) owner"),
]


@pytest.mark.parametrize(("change", "says"), BAD_ENTRIES)
def test_a_bad_entry_fails_loudly(tmp_path: Path, change: dict, says: str) -> None:
    path = write_suite(tmp_path, [{**ENTRY, **change}])
    with pytest.raises(results.SuiteFileError, match=None) as caught:
        suite_files.load_suite(path)
    assert says in str(caught.value)
    assert str(path) in str(caught.value)


def test_an_entry_missing_a_key_fails(tmp_path: Path) -> None:
    entry = {k: v for k, v in ENTRY.items() if k != "message"}
    with pytest.raises(results.SuiteFileError, match=r"missing key\(s\) message"):
        suite_files.load_suite(write_suite(tmp_path, [entry]))


@pytest.mark.parametrize(
    ("top", "entries", "says"),
    [
        ({"file": "other"}, [ENTRY], "it must match the file name"),
        ({"frame": "census_frame"}, [ENTRY], "unknown frame 'census_frame'"),
        ({"source": "census"}, [ENTRY], "does not match frame"),
        ({}, [], "expectations must be a non-empty list"),
        ({}, [ENTRY, ENTRY], "expectation names used twice: value_is_present"),
        (
            {"frame": "termly_return_submissions"},
            [
                {
                    **ENTRY,
                    "scope": "row",
                    "kwargs": {"column": "missing_measures"},
                    "expectation": "ExpectColumnValuesToBeNull",
                }
            ],
            "scope row needs a frame of raw rows",
        ),
        (
            {"frame": "termly_return_history"},
            [{**ENTRY, "kwargs": {"column": "has_return", "value_set": [False]}}],
            "only warnings",
        ),
    ],
)
def test_a_bad_suite_fails_loudly(tmp_path: Path, top: dict, entries: list, says: str) -> None:
    with pytest.raises(results.SuiteFileError) as caught:
        suite_files.load_suite(write_suite(tmp_path, entries, **top))
    assert says in str(caught.value)


def test_a_name_used_twice_for_one_source_fails(tmp_path: Path) -> None:
    write_suite(tmp_path, [ENTRY])
    write_suite(
        tmp_path,
        [
            {
                **ENTRY,
                "kwargs": {"column": "missing_measures"},
                "expectation": "ExpectColumnValuesToBeNull",
                "message": "{district} has no value",
            }
        ],
        suite="termly_return_cross_measure",
        frame="termly_return_submissions",
    )
    with pytest.raises(results.SuiteFileError, match="also in suite"):
        suite_files.load_suites(tmp_path)


def test_not_yaml_or_no_suites_fails(tmp_path: Path) -> None:
    with pytest.raises(results.SuiteFileError, match="no suite files"):
        suite_files.load_suites(tmp_path)
    (tmp_path / "termly_return.yml").write_text("suite: [unclosed", encoding="utf-8")
    with pytest.raises(results.SuiteFileError, match="not valid YAML"):
        suite_files.load_suites(tmp_path)
