"""The census suites: keys, counts, duplicates, district-phases missing and EHCP-rate moves."""

from __future__ import annotations

import pytest
from checking import EY, PRI, SEC, LoadFile, batch, census_row, indexed, load_file, published_census

from warehouse.core import contracts
from warehouse.core.contracts import CENSUS
from warehouse.quality import checks, results


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
