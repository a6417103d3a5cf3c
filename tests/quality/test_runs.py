"""Files, whole runs and their by-products: extra columns, header-only files, a run with no
files, a check GX could not run, the demo's known warnings, Data Docs, message rendering."""

from __future__ import annotations

from pathlib import Path

import pytest
from checking import SEC, changed, submission, termly

from warehouse.quality import checks, data_docs, gx, results, rows
from warehouse.quality import suites as suite_files


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
