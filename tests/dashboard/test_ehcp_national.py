"""The EHCP trends page shows the county's and England's EHC plan and SEN support rates as DfE
publishes them (the demo bundles DfE's files), beside the districts' rates: a chart, a table
and a CSV carrying the OGL attribution. Expected values are read from the bundled file itself."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import polars as pl
from apptest import open_tables
from streamlit.testing.v1 import AppTest

from warehouse.demo import national
from warehouse.reporting import national_context

ROOT = Path(__file__).resolve().parents[2]
KENT, ENGLAND = 886, 970


def published(code: str, number: int, year: str) -> str:
    data = pl.read_parquet(national.NATIONAL_DIR / national.DATA)
    row = data.filter(
        (pl.col("Short Desc") == code)
        & (pl.col("LA Number") == float(number))
        & (pl.col("Years") == year)
    )
    assert row.height == 1
    return str(row["Values"][0])


def test_the_ehcp_page_shows_dfes_rates_for_kent_and_england(
    monkeypatch, demo_warehouse, downloads
):
    monkeypatch.setenv("STLS_WAREHOUSE", str(demo_warehouse))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.switch_page("pages/ehcp.py")
    at.run()
    open_tables(at)
    assert not at.exception, [e.value for e in at.exception]
    assert any("DfE's published EHC plan and SEN support rates" in h.value for h in at.header)
    specs = [p.proto.spec for p in at.get("plotly_chart")]
    assert any("Kent and England: EHC plan and SEN support rates" in s for s in specs)
    button = next(b for b in at.get("download_button") if "(DfE)" in b.proto.label)
    frame = pd.read_csv(io.BytesIO(downloads.of(button)), dtype=str)
    assert set(frame["Source"]) == {national_context.ATTRIBUTED}
    shown = frame.set_index(["Measure", "Area", "Year"])["Value (% of pupils)"]
    for code, measure in national_context.MEASURES.items():
        for number, area in ((KENT, "Kent"), (ENGLAND, "England")):
            for year in ("2016", "2025"):
                expected = float(published(code, number, year))
                assert float(shown[(measure, area, year)]) == expected, (code, area, year)
    # the figures: Kent 5.8% of pupils with an EHC plan in 2025, England 5.3%
    assert float(shown[("EHC plan rate", "Kent", "2025")]) == 5.8
    assert float(shown[("EHC plan rate", "England", "2025")]) == 5.3
    captions = " ".join(str(c.value) for c in at.caption)
    assert "Open Government Licence v3.0" in captions
