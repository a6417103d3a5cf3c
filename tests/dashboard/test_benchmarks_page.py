"""The "Kent among councils" page (Source 4) on the demo warehouse, which bundles DfE's national
figures (warehouse/demo/data/national/, the SEND and inclusion and Attainment topics): with
AppTest, and in the browser (charts drawn, axe clean, within the page limit), served by
`stls dashboard` as test_browser.py serves the other pages. The rules themselves are checked on
a small file in tests/reporting/test_benchmarks.py."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from test_browser import (  # noqa: F401
    LIMIT_SECONDS,
    browser,
    open_every_table,
    page,
    serve,
    wait_until_ready,
)

from warehouse.publish import connect
from warehouse.reporting import benchmarks

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def national_warehouse(demo_warehouse) -> Path:
    return demo_warehouse


def run_page(monkeypatch, warehouse: Path, params: dict | None = None) -> AppTest:
    monkeypatch.setenv("STLS_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update(params or {})
    at.switch_page("pages/benchmarks.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_page_shows_kent_against_its_neighbours(monkeypatch, national_warehouse, downloads):
    at = run_page(monkeypatch, national_warehouse, {"indicator": "SEN_EHC_Excpt_20wks"})
    con = connect.connect(national_warehouse)
    try:
        expected = benchmarks.benchmark(con.cursor(), "Kent", "SEN_EHC_Excpt_20wks")
    finally:
        con.close()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Rank among councils"] == f"{expected.rank} of {expected.las_ranked}"
    assert metrics["Quartile band"] == expected.quartile_band
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    texts = " ".join(str(e.value) for e in at.caption)
    assert "Open Government Licence v3.0" in texts and "Interactive Tool" in texts
    buttons = at.get("download_button")
    assert len(buttons) == 2 and all(downloads.is_csv(b) for b in buttons)
    for button in buttons:
        frame = pd.read_csv(io.BytesIO(downloads.of(button)), dtype=str, keep_default_na=False)
        assert set(frame["source"]) == {f"{benchmarks.ATTRIBUTION} {benchmarks.SOURCE}"}


def test_ehc_plan_rates_get_no_band_or_colour(monkeypatch, national_warehouse):
    at = run_page(monkeypatch, national_warehouse, {"indicator": "SEN_TotStat"})
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Quartile band"] == "-" and metrics["Rank among councils"] == "-"
    assert "no direction of good" in " ".join(str(c.value) for c in at.caption)


def test_the_indicators_list_send_and_inclusion_first(monkeypatch, national_warehouse):
    at = run_page(monkeypatch, national_warehouse)
    box = at.selectbox(key="nat_indicator")
    assert box.options[0].startswith("SEND and inclusion")
    assert box.value == "SEN_EHC_Excpt_20wks" or box.options[0].endswith(f"({box.value})")


def test_the_home_authority_is_a_setting(monkeypatch, national_warehouse):
    monkeypatch.setenv("STLS_HOME_AUTHORITY", "Essex")
    at = run_page(monkeypatch, national_warehouse, {"indicator": "SEN_TotStat"})
    assert at.title[0].value.startswith("Essex")


@pytest.fixture(scope="module")
def national_server(national_warehouse) -> Iterator[str]:
    yield from serve(national_warehouse)


def test_the_page_in_the_browser(national_server, page):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    page.goto(f"{national_server}/benchmarks")  # warm-up
    wait_until_ready(page)
    started = time.monotonic()
    page.goto(f"{national_server}/benchmarks?indicator=SEN_EHC_Excpt_20wks")
    wait_until_ready(page)
    seconds = time.monotonic() - started
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stPlotlyChart'] .js-plotly-plot").count() == 2
    open_every_table(page)
    serious = [
        v for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert not serious, [(v["id"], v["help"]) for v in serious]
    assert seconds < LIMIT_SECONDS, seconds
