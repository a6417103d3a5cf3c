"""The bundled demo data, read independently of the warehouse's own readers.

The files are read here with the plain ``csv`` module and openpyxl, the county figures are
computed from the contract's published definitions, and the results are compared with the
committee report's figures (docs/reference/published_figures.csv). The contract's rules
are not restated here: the warehouse's own suites run on the files, which must break no
error rule and raise only the warnings the demo plants on purpose.
"""

from __future__ import annotations

import csv
import io
import math
import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path

import openpyxl
import pytest

from warehouse.core import contracts, paths
from warehouse.demo import DATA_DIR, PLANTED
from warehouse.demo.generate import audit_files, generate

REFERENCE = paths.PROJECT_ROOT / "docs" / "reference"
YEARS = {"2022-23": (1, 2, 3, 4, 5, 6), "2023-24": (1, 2, 3, 4)}
REPORT_TERMS = (1, 2, 3, 4)
CENSUS_YEARS = range(2019, 2025)
EY, PRIMARY, SECONDARY = contracts.CENSUS_PHASES
SA = contracts.SCHOOL_AGE
SEN_STATUS = {
    "sen_support": "children_presented_sen_support",
    "receiving_hnf": "children_presented_receiving_hnf",
    "has_ehcp": "children_presented_with_ehcp",
}
FUNDING_HEADERS = {
    "total_this_is_the_amount_specified_in_each_sla": "total_budget",
    "any_other_income": "other_income",
}
# The report's own figures force this one close to a rounding boundary: 2,191 / 3,022 is
# 72.50%. The demo takes the published counts' extremes (2,191.25 / 3,021.5 = 72.52%).
FORCED_NEAR_BOUNDARY = {("actively_supported_pct_of_caseload", "2022-23", SA)}

Submission = dict[tuple[str, str], int]


# ---------------------------------------------------------------------------------------
# Independent reading
# ---------------------------------------------------------------------------------------
def header_key(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def decode(raw: bytes) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252"), "cp1252"


def read_rows(path: Path) -> list[dict[str, str]]:
    """Rows as {normalised header: trimmed text}; XLSX from its first sheet."""
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        table = [
            ["" if v is None else str(v) for v in row]
            for row in book.worksheets[0].iter_rows(values_only=True)
        ]
        book.close()
    else:
        text, _ = decode(path.read_bytes())
        table = list(csv.reader(io.StringIO(text, newline="")))
    header = [header_key(h) for h in table[0]]
    return [dict(zip(header, (c.strip() for c in row), strict=True)) for row in table[1:]]


def number(text: str) -> int:
    cleaned = text.replace("£", "").replace(",", "").strip()
    assert re.fullmatch(r"\d+", cleaned), f"not a whole number >= 0: {text!r}"
    return int(cleaned)


def return_files() -> list[Path]:
    return sorted(p for p in (DATA_DIR / "returns").rglob("*") if p.is_file())


@cache
def returns() -> dict[tuple[str, str, int], Submission]:
    """(district, academic_year, term) -> {(measure, phase): value}."""
    submissions: dict[tuple[str, str, int], Submission] = {}
    for path in return_files():
        for row in read_rows(path):
            key = (row["district"], row["academic_year"], int(row["term"]))
            figures = submissions.setdefault(key, {})
            figure = (row["measure"], row["phase"])
            assert figure not in figures, f"{path.name}: duplicate {figure}"
            figures[figure] = number(row["value"])
    return submissions


@cache
def census() -> dict[tuple[int, str, str], dict[str, int]]:
    rows: dict[tuple[int, str, str], dict[str, int]] = {}
    for path in sorted((DATA_DIR / "census").glob("*.csv")):
        for row in read_rows(path):
            key = (int(number(row["census_year"])), row["district"], row["phase"])
            assert key not in rows, f"{path.name}: duplicate {key}"
            rows[key] = {c: number(row[c]) for c in ("settings", "pupils", "sen_support", "ehcp")}
    return rows


def funding(year: str) -> list[dict[str, str]]:
    rows = read_rows(DATA_DIR / "funding" / f"sla_funding_{year}.csv")
    return [{FUNDING_HEADERS.get(k, k): v for k, v in row.items()} for row in rows]


# ---------------------------------------------------------------------------------------
# The published definitions, pooled over districts and terms
# ---------------------------------------------------------------------------------------
def pooled(year: str, terms: tuple[int, ...]) -> list[Submission]:
    return [s for (_, y, t), s in returns().items() if y == year and t in terms]


def total(subs: list[Submission], measure: str, *phases: str) -> int:
    return sum(s[(measure, p)] for s in subs for p in phases)


def settings_denominator(year: str, terms: tuple[int, ...], phase: str) -> int:
    census_year = contracts.census_year_for(year)
    per_term = sum(
        census()[(census_year, d, phase)]["settings"] for d in contracts.district_names()
    )
    return per_term * len(terms)


def census_pupils(census_year: int, phase: str) -> int:
    return sum(census()[(census_year, d, phase)]["pupils"] for d in contracts.district_names())


def pct(numerator: int, denominator: int) -> Fraction:
    return Fraction(100 * numerator, denominator)


def figures(year: str, terms: tuple[int, ...] = REPORT_TERMS) -> dict[str, dict[str, Fraction]]:
    subs = pooled(year, terms)
    n = len(terms)
    caseload = {p: total(subs, "caseload", p) for p in contracts.CENSUS_PHASES}
    school = caseload[PRIMARY] + caseload[SECONDARY]
    presented = {p: total(subs, "children_presented_at_lift", p) for p in (EY, SA)}
    active = {p: total(subs, "actively_supported", p) for p in (EY, SA)}
    reviewed = total(subs, "targets_reviewed", SA)
    out: dict[str, dict[str, Fraction]] = {}
    for name, measure in (
        ("engagement_pct", "settings_engaged"),
        ("lift_attendance_pct", "settings_attending_lift"),
        ("training_attendance_pct", "settings_attending_training"),
    ):
        out[name] = {
            p: pct(total(subs, measure, p), settings_denominator(year, terms, p))
            for p in contracts.CENSUS_PHASES
        }
    out["lift_sen_status_pct"] = {
        k: pct(total(subs, m, SA), presented[SA]) for k, m in SEN_STATUS.items()
    }
    out["allocated_pct"] = {
        p: pct(total(subs, "children_allocated_specialist_teacher", p), presented[p])
        for p in (EY, SA)
    }
    out["caseload_avg"] = {p: Fraction(c, n) for p, c in caseload.items()}
    out["primary_share_of_school_age_caseload_pct"] = {SA: pct(caseload[PRIMARY], school)}
    out["actively_supported_avg"] = {p: Fraction(a, n) for p, a in active.items()}
    out["actively_supported_pct_of_caseload"] = {
        EY: pct(active[EY], caseload[EY]),
        SA: pct(active[SA], school),
    }
    out["targets_reviewed_pct_of_open_cases"] = {SA: pct(reviewed, school)}
    out["cases_closed_targets_met_pct_of_reviewed"] = {
        SA: pct(total(subs, "cases_closed_targets_met", SA), reviewed)
    }
    out["targets_amended_pct_of_reviewed"] = {SA: pct(total(subs, "targets_amended", SA), reviewed)}
    return out


def caseload_share(year: str, census_year: int) -> dict[str, Fraction]:
    avg = figures(year)["caseload_avg"]
    return {p: 100 * avg[p] / census_pupils(census_year, p) for p in (PRIMARY, SECONDARY)}


def pooled_targets_both_years() -> dict[str, Fraction]:
    subs = pooled("2022-23", REPORT_TERMS) + pooled("2023-24", REPORT_TERMS)
    school = total(subs, "caseload", PRIMARY, SECONDARY)
    reviewed = total(subs, "targets_reviewed", SA)
    return {
        "targets_reviewed_pct_of_open_cases": pct(reviewed, school),
        "cases_closed_targets_met_pct_of_reviewed": pct(
            total(subs, "cases_closed_targets_met", SA), reviewed
        ),
        "targets_amended_pct_of_reviewed": pct(total(subs, "targets_amended", SA), reviewed),
    }


def rounds_to(value: Fraction, published: str) -> bool:
    """True if ``value`` rounds to ``published`` (at its precision) half-up and half-even."""
    exponent = Decimal(published)
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return all(
        exact.quantize(exponent, rounding=mode) == exponent
        for mode in (ROUND_HALF_UP, ROUND_HALF_EVEN)
    )


def published_rows() -> list[dict[str, str]]:
    with (REFERENCE / "published_figures.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [
        r
        for r in rows
        if r["report_section"].startswith("Table") or r["report_section"] in ("2.13", "2.22")
    ]


def _row_id(row: dict[str, str]) -> str:
    return f"{row['figure']}-{row['academic_year']}-{row['breakdown']}"


# ---------------------------------------------------------------------------------------
# The files
# ---------------------------------------------------------------------------------------
def test_one_return_per_district_per_term_with_every_measure() -> None:
    files = return_files()
    assert len(files) == 12 * 10
    assert sum(p.suffix == ".xlsx" for p in files) == 2 * 10
    expected_keys = {
        (d, y, t) for y, terms in YEARS.items() for t in terms for d in contracts.district_names()
    }
    assert set(returns()) == expected_keys
    expected = set(contracts.expected_measure_phases())
    assert len(expected) == 26
    for key, submission in returns().items():
        assert set(submission) == expected, key
    for path in files:
        rows = read_rows(path)
        assert len(rows) == 26, path.name
        (district,) = {r["district"] for r in rows}
        (year,) = {r["academic_year"] for r in rows}
        (term,) = {r["term"] for r in rows}
        slug = "_".join(district.lower().split())
        assert path.name == f"stls_return_{slug}_{year}_t{term}{path.suffix}"
        assert path.parent == DATA_DIR / "returns" / year / f"term{term}"


def test_returns_are_sent_the_way_people_send_them() -> None:
    def first_line(district: str) -> tuple[str, str]:
        (path,) = (p for p in return_files() if f"_{district}_2023-24_t1." in p.name)
        text, encoding = decode(path.read_bytes())
        return text.splitlines()[0], encoding

    header, encoding = first_line("thanet")
    assert encoding == "cp1252" and header.endswith(",notes")
    thanet = (DATA_DIR / "returns/2023-24/term1/stls_return_thanet_2023-24_t1.csv").read_bytes()
    assert b"\xa3" in thanet and b"\x96" in thanet  # "£" and an en dash, as Windows-1252
    assert first_line("ashford") == ("district,academic_year,term,phase,measure,value", "utf-8-sig")
    assert first_line("swale")[0] == "DISTRICT,ACADEMIC_YEAR,TERM,PHASE,MEASURE,VALUE"
    book = openpyxl.load_workbook(
        DATA_DIR / "returns/2023-24/term1/stls_return_dover_2023-24_t1.xlsx", read_only=True
    )
    header_row = next(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    assert header_row == ("District", "Academic Year", "Term", "Phase", "Measure", "Value")
    older = (DATA_DIR / "census/school_census_january_2019.csv").read_text(encoding="utf-8")
    assert re.search(r'"\d{1,3},\d{3}"', older)  # thousands separators


def test_readme_says_the_data_are_illustrative() -> None:
    text = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert "ILLUSTRATIVE" in text
    assert "python -m warehouse.demo.generate" in text


# ---------------------------------------------------------------------------------------
# (1) County figures against the committee report
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("row", published_rows(), ids=_row_id)
def test_county_figures_round_to_the_published_ones(row: dict[str, str]) -> None:
    name, breakdown, published = row["figure"], row["breakdown"], row["value"]
    if name == "caseload_share_of_age_group_pct":
        # The report uses the January 2022 census for both years; the year's own census
        # must give the same rounded figure.
        own_census = contracts.census_year_for(row["academic_year"])
        for census_year in (2022, own_census):
            value = caseload_share(row["academic_year"], census_year)[breakdown]
            assert rounds_to(value, published), (census_year, float(value))
        return
    if row["academic_year"] == "2022-23 and 2023-24":
        values = [figures(y)[name][breakdown] for y in ("2022-23", "2023-24")]
        values.append(pooled_targets_both_years()[name])
    else:
        values = [figures(row["academic_year"])[name][breakdown]]
    for value in values:
        assert rounds_to(value, published), (float(value), published)


@pytest.mark.parametrize("year", ["2022-23", "2023-24"])
def test_percentages_sit_well_inside_their_rounding_interval(year: str) -> None:
    for name, by_breakdown in figures(year).items():
        if name.endswith("_avg"):
            continue
        for breakdown, value in by_breakdown.items():
            distance = abs(value - math.floor(value) - Fraction(1, 2))
            if (name, year, breakdown) in FORCED_NEAR_BOUNDARY:
                assert distance > Fraction(1, 50), (name, breakdown, float(value))
            else:
                assert distance >= Fraction(1, 10), (name, breakdown, float(value))


def test_2023_24_matches_the_interface_example() -> None:
    got = figures("2023-24")
    engagement = {p: round(float(v), 1) for p, v in got["engagement_pct"].items()}
    assert engagement == {EY: 80.9, PRIMARY: 99.8, SECONDARY: 90.2}
    assert got["caseload_avg"] == {EY: 1411, PRIMARY: Fraction(10201, 4), SECONDARY: 425}
    status = {k: round(float(v), 1) for k, v in got["lift_sen_status_pct"].items()}
    assert status == {"sen_support": 83.1, "receiving_hnf": 12.0, "has_ehcp": 7.2}


# ---------------------------------------------------------------------------------------
# (2) Census facts
# ---------------------------------------------------------------------------------------
def county_rate(census_year: int, column: str) -> float:
    rows = [v for (y, _, _), v in census().items() if y == census_year]
    return 100 * sum(r[column] for r in rows) / sum(r["pupils"] for r in rows)


def test_census_covers_every_district_and_phase_each_year() -> None:
    expected = {
        (y, d, p)
        for y in CENSUS_YEARS
        for d in contracts.district_names()
        for p in contracts.CENSUS_PHASES
    }
    assert set(census()) == expected


def test_census_pupils_match_the_report() -> None:
    assert 131_000 <= census_pupils(2022, PRIMARY) < 131_100
    assert 100_000 <= census_pupils(2022, SECONDARY) < 101_000
    for phase in (PRIMARY, SECONDARY):
        series = [census_pupils(y, phase) for y in CENSUS_YEARS]
        assert max(series) / min(series) < 1.15, phase  # gentle change
    assert 25_000 <= census_pupils(2022, EY) <= 30_000


def test_census_send_rates_follow_kent() -> None:
    ehcp = [county_rate(y, "ehcp") for y in CENSUS_YEARS]
    sen = [county_rate(y, "sen_support") for y in CENSUS_YEARS]
    assert ehcp == sorted(ehcp) and len(set(ehcp)) == len(ehcp)  # rising every year
    for got, want in zip(ehcp, (3.4, 3.8, 4.25, 4.8, 5.2, 5.6), strict=True):
        assert abs(got - want) < 0.05
    for got, want in zip(sen, (10.0, 10.5, 10.8, 11.3, 11.4, 11.6), strict=True):
        assert abs(got - want) < 0.05
    district_rates = [
        100 * v["ehcp"] / v["pupils"]
        for (y, _, p), v in census().items()
        if y == 2024 and p == PRIMARY
    ]
    assert max(district_rates) - min(district_rates) > 1  # districts differ


def test_census_settings_are_stable_and_follow_population() -> None:
    names = contracts.district_names()
    for year in CENSUS_YEARS:
        counts = {
            p: settings_denominator(contracts.academic_year_for_census(year), (1,), p)
            for p in contracts.CENSUS_PHASES
        }
        assert 440 <= counts[PRIMARY] <= 460
        assert 95 <= counts[SECONDARY] <= 105
        assert 600 <= counts[EY] <= 700
        size = {
            d: sum(census()[(year, d, p)]["pupils"] for p in (PRIMARY, SECONDARY)) for d in names
        }
        assert max(size, key=size.get) == "Maidstone"
        assert min(size, key=size.get) == "Gravesham"


# ---------------------------------------------------------------------------------------
# (3) Contract rules: the real suites on the bundled files break no error rule and raise
# exactly the warnings the demo plants (warehouse.demo.PLANTED), nothing else
# ---------------------------------------------------------------------------------------
def test_the_real_audit_finds_only_the_planted_faults() -> None:
    raised = audit_files(DATA_DIR)
    assert raised == {check: count for check, (count, _why) in PLANTED.items()}
    for _count, why in PLANTED.values():
        assert why  # every planted fault says why it is there


# ---------------------------------------------------------------------------------------
# Funding: the published table, transcribed exactly
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("year", ["2022-23", "2023-24"])
def test_funding_is_the_published_table_cell_for_cell(year: str) -> None:
    with (REFERENCE / "funding_table_as_published.csv").open(encoding="utf-8", newline="") as f:
        published = list(csv.reader(f))
    path = DATA_DIR / "funding" / f"sla_funding_{year}.csv"
    with path.open(encoding="utf-8", newline="") as f:
        sent = list(csv.reader(f))
    assert sent[0] == [
        "Academic Year",
        "District",
        "Core Budget",
        "Outreach Budget",
        "Total (This is the amount specified in each SLA)",
        "Any other Income",
    ]
    other = published[0].index(f"Any other Income {year[2:]}")
    expected = [[year, *row[:4], row[other]] for row in published[1:]]
    assert sent[1:] == expected
    assert sent[-1] == [year, "Total", "", "", "£5,856,468", ""]
    totals = [number(r[4]) for r in sent[1:-1]]
    assert sum(totals) == 5_856_469


# ---------------------------------------------------------------------------------------
# (4) Deterministic
# ---------------------------------------------------------------------------------------
def tree(root: Path) -> dict[str, bytes]:
    """The generated files under ``root``; ``national/`` is copied from DfE's release, not
    generated (tests/demo/test_demo_national.py checks it)."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "national" not in p.relative_to(root).parts
    }


def test_generator_is_deterministic_and_the_committed_files_are_fresh(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    generate(first)
    generate(second)
    assert tree(first) == tree(second)
    assert tree(first) == tree(DATA_DIR), "run: python -m warehouse.demo.generate"
