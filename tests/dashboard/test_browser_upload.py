"""Issue 13: a data steward loads a term's files from the Data quality page in a real browser
(`stls dashboard`, Debian's Chromium), sees the progress through read, audit, build and
publish, then the result on the same page, and the published warehouse changes; a director
is not offered the upload at all.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from test_browser import (
    VIEWPORT,
    browser,  # noqa: F401 (the shared Chromium fixture, used here too)
    serve,
    wait_until_ready,
)
from warehouses import copy_warehouse

from warehouse.cli import main

pytestmark = [pytest.mark.browser, pytest.mark.dbt]

BATCH = Path(__file__).resolve().parents[1] / "fixtures" / "small_batch"
TEMPLATE = BATCH / "load1" / "dover_2023-24_t1.csv"


def term_file(path: Path, district: str, term: int, edits: dict[int, tuple[int, str]]) -> Path:
    """A 26-row return for (district, 2023-24, term) with cell edits by row index."""
    with TEMPLATE.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    body = [[district, "2023-24", str(term), *row[3:]] for row in rows[1:]]
    for index, (column, value) in edits.items():
        body[index][column] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([rows[0], *body])
    return path


@pytest.fixture(scope="module")
def base(load1_warehouse, tmp_path_factory) -> Path:
    """A warehouse with the small batch's first load (Dover terms 1-2, Thanet term 1,
    census, funding), for the steward to load term 3 into."""
    return copy_warehouse(load1_warehouse, tmp_path_factory.mktemp("upload"))


@pytest.fixture(scope="module")
def steward_server(base) -> Iterator[str]:
    yield from serve(base, {"STLS_LOCAL_ROLE": "data_steward"})


def metrics(page) -> dict[str, str]:
    out = {}
    for metric in page.locator("[data-testid='stMetric']").all():
        label = metric.locator("[data-testid='stMetricLabel']").inner_text().strip()
        out[label] = metric.locator("[data-testid='stMetricValue']").inner_text().strip()
    return out


def thanet_term_3(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            """
            select count(*) from marts.fct_termly_return f
            join marts.dim_district d using (district_sk)
            join marts.dim_term t using (term_sk)
            where d.district_name = 'Thanet' and t.term_number = 3
            """
        ).fetchone()[0]


def report_tables(warehouse: Path, capsys) -> dict:
    """`stls report tables --format json` for 2023-24 terms 1-3, the committee's figures."""
    args = ["--warehouse", str(warehouse), "report", "tables", "--year", "2023-24"]
    assert main([*args, "--terms", "1-3", "--format", "json"]) == 0
    return json.loads(capsys.readouterr()[0])


def test_a_steward_uploads_a_term_and_sees_progress_then_the_result(
    base,
    steward_server,
    browser,  # noqa: F811 (the fixture imported above)
    tmp_path,
    capsys,
):
    files = [
        # Dover's return with a row spelt "Doverr", an unknown measure and a negative value.
        term_file(
            tmp_path / "dover_2023-24_t3.csv",
            "Dover",
            3,
            {2: (0, "Doverr"), 5: (4, "caseloda"), 7: (5, "-4")},
        ),
        # Thanet's, whose settings fit its census (as test_steward's corrected return).
        term_file(tmp_path / "thanet_2023-24_t3.csv", "Thanet", 3, {1: (5, "25"), 4: (5, "20")}),
    ]
    assert thanet_term_3(base) == 0
    before = report_tables(base, capsys)
    assert 3 not in before["published_terms"]
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        page.goto(f"{steward_server}/data_quality")
        wait_until_ready(page, 60_000)
        assert metrics(page)["Files received"] != "2"
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
            [str(f) for f in files]
        )
        uploader = page.locator("[data-testid='stFileUploader']")
        for start in ("dover_", "thanet_"):  # long names are shown shortened
            uploader.get_by_text(start).first.wait_for(timeout=30_000)
        page.get_by_role("button", name="Load these files").click()

        # The progress bar, followed until the result shows.
        seen: list[str] = []
        result = page.get_by_text("Loaded 2 file(s)")
        deadline = time.monotonic() + 600
        while result.count() == 0:
            assert time.monotonic() < deadline, f"no result after 10 minutes; saw {seen}"
            bars = page.locator("[data-testid='stProgress']")
            if bars.count():
                try:
                    text = bars.first.inner_text(timeout=1_000).strip()
                except Exception:  # the bar went between count and read: the next poll
                    text = ""
                if text and (not seen or seen[-1] != text):
                    seen.append(text)
            page.wait_for_timeout(100)
        wait_until_ready(page, 60_000)
        assert any(t.startswith("Building the warehouse") for t in seen), seen
        assert page.locator("[data-testid='stException']").count() == 0

        # The result, on the same page: the new load is the one shown.
        shown = page.locator("[data-testid='stMainBlockContainer']").inner_text()
        assert "Something was held back or rejected" in result.first.inner_text()
        assert "Something was held back or rejected" in shown
        got = metrics(page)
        assert got["Files received"] == "2"
        assert got["Rows published"] == "26"  # Thanet's return; Dover's is held back
        assert got["Rows set aside"] == "26"
        assert "Of the 52 rows this load received" in shown
    finally:
        context.close()

    # The warehouse the report tables are built from changed: Thanet term 3 is published,
    # and the load is recorded as one from the browser.
    assert thanet_term_3(base) > 0
    after = report_tables(base, capsys)
    missing = [[m["district"], m["term"]] for m in after["missing_district_terms"]]
    assert 3 in after["published_terms"]  # Thanet's term 3 is in the committee's figures
    assert ["Thanet", 3] not in missing
    assert ["Dover", 3] in missing  # held back, so named as left out
    assert main(["--warehouse", str(base), "dq", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr()[0])
    assert report["kind"] == "upload"
    assert {h["file"] for h in report["held_submissions"]} == {"dover_2023-24_t3.csv"}
    assert any(r["value"] == "Doverr" and r["district"] == "Dover" for r in report["failing_rows"])


def test_a_director_is_not_offered_the_upload(base, browser):  # noqa: F811 (the fixture)
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    server = serve(base, {"STLS_LOCAL_ROLE": "director"})
    address = next(server)
    try:
        page.goto(f"{address}/data_quality")
        wait_until_ready(page, 60_000)
        page.wait_for_timeout(500)
        assert page.locator("[data-testid='stFileUploader']").count() == 0
        assert page.locator("input[type='file']").count() == 0
        assert page.get_by_role("button", name="Load these files").count() == 0
        navigation = page.locator("[data-testid='stSidebarNav']").inner_text()
        assert "Data quality" not in navigation and "Overview" in navigation
    finally:
        context.close()
        server.close()
