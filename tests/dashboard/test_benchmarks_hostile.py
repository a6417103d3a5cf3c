"""Received text on the "Kent among councils" page: DfE's area names are from a received file,
so a name holding HTML or Markdown reaches the charts escaped (Plotly renders <a href>, <b>,
<br> and <span style> in trace names, tick labels, bar text and titles) and the tiles as text.
A real load of a long-data file whose Kent and Essex rows carry such names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from apptest import open_tables
from national_files import KENT, folder_with, synthetic_rows, write_long_csv
from streamlit.testing.v1 import AppTest

from warehouse import cli
from warehouse.core import safe_text
from warehouse.dashboard import benchmark_charts
from warehouse.publish import connect
from warehouse.reporting import benchmarks

ROOT = Path(__file__).resolve().parents[2]
ESSEX = 881  # Kent's closest statistical neighbour
HOME = 'Kent <a href="https://evil.example">x</a> **bold**'
NEIGHBOUR = '<span style="color:red">Essex</span> & <b>b</b><br>'
RAW_TAGS = ("<a href", "<b>", "<br>", "<span")


def test_chart_text_escapes_what_plotly_would_render():
    assert safe_text.chart_text(HOME) == (
        'Kent &lt;a href="https://evil.example"&gt;x&lt;/a&gt; **bold**'
    )
    assert safe_text.chart_text("a &amp; b\nc") == "a &amp;amp; b c"
    assert safe_text.chart_text("Folkestone and Hythe") == "Folkestone and Hythe"
    assert safe_text.chart_text(None) is None


@pytest.fixture(scope="module")
def hostile_national(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("national_hostile")
    renamed = {KENT: HOME, ESSEX: NEIGHBOUR}
    rows = [
        (code, year, renamed.get(int(number), area), value, number, region)
        for code, year, area, value, number, region in synthetic_rows()
    ]
    folder_with(folder, write_long_csv(folder / "lait_bds_long.csv", rows))
    warehouse = folder / "w.duckdb"
    assert cli.main(["--warehouse", str(warehouse), "load", str(folder)]) == 0
    return warehouse


def _no_raw_tags(spec: str) -> None:
    for tag in RAW_TAGS:
        assert tag not in spec, tag


def test_the_figures_hold_received_names_escaped(hostile_national):
    con = connect.connect(hostile_national)
    try:
        result = benchmarks.benchmark(con.cursor(), HOME, "SEN_EHC_Excpt_20wks")
        trend = benchmarks.series(con.cursor(), KENT, "SEN_EHC_Excpt_20wks")
    finally:
        con.close()
    assert result.la == HOME and NEIGHBOUR in {n.la for n in result.neighbours}
    line, _ = benchmark_charts.trend(trend, result.la, "<b>%</b>")
    table, bars, _ = benchmark_charts.neighbours(result, "<b>%</b>")
    for fig in (line, bars):
        spec = json.dumps(fig.to_plotly_json())
        _no_raw_tags(spec)
        assert "Kent &lt;a href" in spec
    assert safe_text.chart_text(HOME) in {t.name for t in line.data}
    assert safe_text.chart_text(NEIGHBOUR) in list(bars.data[0].y)
    assert HOME in set(table["area"])  # as received: ui.data_table escapes it when drawn


def test_the_page_shows_received_names_as_text(monkeypatch, hostile_national):
    monkeypatch.setenv("STLS_WAREHOUSE", str(hostile_national))
    monkeypatch.setenv("STLS_HOME_AUTHORITY", str(KENT))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update({"indicator": "SEN_EHC_Excpt_20wks"})
    at.switch_page("pages/benchmarks.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    plots = at.get("plotly_chart")
    assert len(plots) == 2
    specs = [p.proto.spec for p in plots]
    for spec in specs:
        _no_raw_tags(spec)
    assert any("Kent &lt;a href" in spec for spec in specs)
    assert any("&lt;span style" in spec for spec in specs)
    labels = [m.label for m in at.metric]
    assert safe_text.markdown_text(HOME) in labels
    assert HOME not in labels
    shown = [str(e.value) for e in [*at.caption, *at.markdown, *at.title, *at.header]]
    for text in shown:  # Markdown elements get the name escaped, never as received
        assert HOME not in text and NEIGHBOUR not in text
    assert any(safe_text.markdown_text(HOME) in text for text in shown)

    open_tables(at)  # the tables are drawn with st.table: every cell is Markdown
    assert not at.exception, [e.value for e in at.exception]
    cells = [str(v) for table in at.table for v in table.value.to_numpy().ravel()]
    assert len(at.table) == 2 and cells
    assert HOME not in cells and NEIGHBOUR not in cells
    assert safe_text.markdown_text(HOME) in cells
    assert safe_text.markdown_text(NEIGHBOUR) in cells
