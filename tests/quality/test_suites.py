"""The suite files themselves: every contract rule has an expectation of its severity, every
shipped suite builds in GX, and a bad edit fails loudly here, never at a steward's load."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from warehouse.core import contracts, paths
from warehouse.quality import gx, kinds, results
from warehouse.quality import suites as suite_files

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
    # GX builds a suite only inside a data context; a load's runner makes one first. The
    # test makes its own, so it passes alone as well as after other GX tests.
    gx.GxRunner()
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
