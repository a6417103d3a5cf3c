"""The funding suites: keys, money, duplicates, spellings, totals and the stated county total."""

from __future__ import annotations

import pytest
from checking import LoadFile, batch, indexed, load_file

from warehouse.core import contracts
from warehouse.core.contracts import FUNDING
from warehouse.quality import checks, results


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
