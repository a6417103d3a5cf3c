"""Row checks and the publish decision (warehouse.quality.audit), without a warehouse."""

from __future__ import annotations

import polars as pl
import pytest

from warehouse.core import contracts
from warehouse.quality.audit import (
    ERROR,
    HELD,
    PUBLISHED,
    QUARANTINED,
    WARNING,
    FileToAudit,
    audit,
)


def source_file(source: str, rows: list[dict], name: str, seq: int = 1) -> FileToAudit:
    """An accepted file as the readers hand it on: row numbers, contract columns as text."""
    columns = contracts.CONTRACTS[source].columns
    frame = pl.DataFrame(
        {
            "row_number": [i + 2 for i in range(len(rows))],
            **{c: [r.get(c) for r in rows] for c in columns},
            "extra_columns": [None] * len(rows),
        },
        schema={
            "row_number": pl.Int32,
            **dict.fromkeys(columns, pl.String),
            "extra_columns": pl.String,
        },
    )
    return FileToAudit("L1", f"L1/{seq}", name, seq, source, frame)


def termly_file(rows: list[dict], name: str = "return.csv", seq: int = 1) -> FileToAudit:
    return source_file(contracts.TERMLY_RETURN, rows, name, seq)


def positional_file(source: str, rows: list[list[str | None]], name: str) -> FileToAudit:
    """Rows written in the contract's column order (short rows end in blanks)."""
    columns = contracts.CONTRACTS[source].columns
    return source_file(source, [dict(zip(columns, r, strict=False)) for r in rows], name)


def row(
    measure="caseload", phase="primary", value="10", district="Dover", year="2023-24", term="1"
):
    return {
        "district": district,
        "academic_year": year,
        "term": term,
        "phase": phase,
        "measure": measure,
        "value": value,
    }


def outcome_of(result, row_number):
    return next(o for o in result.outcomes if o.row_number == row_number)


def test_clean_submission_is_published_with_normalised_key():
    result = audit([termly_file([row(), row(phase="secondary", value="1,204")])])
    assert [s.status for s in result.submissions] == [PUBLISHED]
    assert {o.outcome for o in result.outcomes} == {PUBLISHED}
    first = result.outcomes[0]
    assert (first.district, first.academic_year, first.term) == ("Dover", "2023-24", 1)
    assert not [i for i in result.issues if i.severity == ERROR]


@pytest.mark.parametrize(
    ("bad", "check"),
    [
        ({"district": "Medway"}, "district_is_known"),
        ({"year": "2023-25"}, "academic_year_is_valid"),
        ({"year": "last year"}, "academic_year_is_valid"),
        ({"term": "7"}, "term_is_1_to_6"),
        ({"term": "one"}, "term_is_a_whole_number"),
    ],
)
def test_row_that_fits_no_district_term_is_quarantined_alone(bad, check):
    result = audit([termly_file([row(), row(phase="secondary", **bad)])])
    assert outcome_of(result, 2).outcome == PUBLISHED
    quarantined = outcome_of(result, 3)
    assert quarantined.outcome == QUARANTINED
    assert quarantined.submission_id is None
    assert [i.check_name for i in result.issues if i.severity == ERROR] == [check]


@pytest.mark.parametrize(
    ("bad", "check"),
    [
        ({"value": "2.5"}, "value_is_whole_number"),
        ({"value": "-3"}, "value_is_not_negative"),
        ({"value": ""}, "value_is_present"),
        ({"value": "lots"}, "value_is_a_number"),
        ({"phase": "sixth_form"}, "phase_is_known"),
        ({"measure": "cups_of_tea"}, "measure_is_known"),
        ({"measure": "targets_reviewed", "phase": "primary"}, "measure_phase_is_allowed"),
    ],
)
def test_other_errors_hold_the_whole_submission(bad, check):
    result = audit([termly_file([row(), row(**{"phase": "secondary", **bad})])])
    (submission,) = result.submissions
    assert submission.status == HELD
    assert {o.outcome for o in result.outcomes} == {QUARANTINED}
    assert all(o.reason.startswith("submission held:") for o in result.outcomes)
    errors = [i for i in result.issues if i.severity == ERROR]
    assert [i.check_name for i in errors] == [check]
    assert errors[0].row_number == 3 and errors[0].file_name == "return.csv"


def test_duplicate_figure_in_a_submission_holds_it():
    result = audit([termly_file([row(), row(value="11")])])
    assert result.submissions[0].status == HELD
    errors = [i for i in result.issues if i.severity == ERROR]
    assert {i.check_name for i in errors} == {"figure_is_not_duplicated"}
    assert {i.row_number for i in errors} == {2, 3}


def test_one_file_holding_two_district_terms_makes_two_submissions():
    result = audit([termly_file([row(), row(district="Thanet", value="x")])])
    statuses = {s.district: s.status for s in result.submissions}
    assert statuses == {"Dover": PUBLISHED, "Thanet": HELD}


def test_alias_and_year_spelling_are_warnings_not_errors():
    result = audit([termly_file([row(district="Tonbridge & Malling", year="2023/24")])])
    assert result.submissions[0].status == PUBLISHED
    assert result.submissions[0].district == "Tonbridge and Malling"
    warnings = {i.check_name for i in result.issues if i.severity == WARNING}
    assert {"academic_year_is_standard", "district_spelling_is_standard"} <= warnings


def test_issue_line_names_file_row_and_column():
    result = audit([termly_file([row(value="2.5")], name="dover_t1.csv")])
    (issue,) = [i for i in result.issues if i.severity == ERROR]
    assert issue.line().startswith("error: dover_t1.csv row 2, column value: ")
    assert "'2.5'" in issue.line() and "whole number" in issue.line()


def census_file(rows: list[list[str]]) -> FileToAudit:
    return positional_file(contracts.CENSUS, rows, "census.csv")


def test_census_sen_above_pupils_holds_that_district_year():
    result = audit(
        [
            census_file(
                [
                    ["2024", "Dover", "primary", "40", "100", "60", "50"],
                    ["2024", "Thanet", "primary", "40", "100", "10", "5"],
                ]
            )
        ]
    )
    statuses = {s.district: s.status for s in result.submissions}
    assert statuses == {"Dover": HELD, "Thanet": PUBLISHED}
    assert result.submissions[0].academic_year == "2023-24"
    assert result.submissions[0].census_year == 2024


def funding_file(rows: list[list[str | None]]) -> FileToAudit:
    return positional_file(contracts.FUNDING, rows, "funding.csv")


def test_funding_flaws_are_warnings_and_total_row_is_not_a_district():
    result = audit(
        [
            funding_file(
                [
                    ["2023-24", "Tunbridge Wells", "364,850", "0", "£364,800", "£16,163"],
                    ["2023-24", "Folkstone and Hythe", "£307,210", "£200,000", "£507,210", ""],
                    ["2023-24", "Total", None, None, "£872,011", None],
                ]
            )
        ]
    )
    assert {s.district: s.status for s in result.submissions} == {
        "Tunbridge Wells": PUBLISHED,
        "Folkestone and Hythe": PUBLISHED,
    }
    warnings = {i.check_name: i.message for i in result.issues if i.severity == WARNING}
    assert {
        "total_is_core_plus_outreach",
        "district_spelling_is_standard",
        "county_total_matches_districts",
    } <= set(warnings)
    assert "Tunbridge Wells" in warnings["total_is_core_plus_outreach"]
    assert "£364,850" in warnings["total_is_core_plus_outreach"]
    assert "by £1.00" in warnings["county_total_matches_districts"]
    assert not [i for i in result.issues if i.severity == ERROR]
    total = outcome_of(result, 4)
    assert total.outcome == PUBLISHED and total.district is None and total.submission_id is None


def test_negative_money_holds_the_funding_row():
    result = audit([funding_file([["2023-24", "Dover", "-£5", "0", "£10", ""]])])
    assert result.submissions[0].status == HELD
