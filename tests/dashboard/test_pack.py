"""The committee pack (``stls report pack``) and the rules behind what it and the pages
say: correlation worded for 12 districts, money rounded for readers, chart rules enforced,
one district never ranked."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from collections import Counter

import pandas as pd
import plotly.graph_objects as go
import pytest

from warehouse.cli import main as stls
from warehouse.dashboard import chart_rules, charts, titles
from warehouse.reporting import stats
from warehouse.reporting.formatting import format_value, money_short


def _published(warehouse, capsys) -> dict[str, list[str]]:
    """Every figure of Tables 1-7 as ``stls report tables`` publishes it, by table."""
    code = stls(
        [
            "--warehouse",
            str(warehouse),
            "report",
            "tables",
            "--year",
            "2023-24",
            "--terms",
            "1-4",
            "--format",
            "csv",
        ]
    )
    assert code == 0
    by_table: dict[str, list[str]] = {}
    for row in csv.DictReader(io.StringIO(capsys.readouterr().out)):
        found = re.search(r"\((Table [1-7])\)$", row["title"])
        if found:
            by_table.setdefault(found.group(1), []).append(row["display"])
    return by_table


@pytest.mark.dbt
@pytest.mark.browser
def test_the_pack_pdf_holds_every_figure_of_tables_1_to_7(demo_warehouse, tmp_path, capsys):
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "poppler's pdftotext reads the PDF back (apt-get install poppler-utils)"
    published = _published(demo_warehouse, capsys)
    assert sorted(published) == [f"Table {n}" for n in range(1, 8)]
    pdf = tmp_path / "pack.pdf"
    code = stls(
        [
            "--warehouse",
            str(demo_warehouse),
            "report",
            "pack",
            "--year",
            "2023-24",
            "--terms",
            "1-4",
            "--format",
            "pdf",
            "--output",
            str(pdf),
        ]
    )
    assert code == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for table, displays in published.items():
        section = text.split(f"{table}:", 1)[1].split("Table ", 1)[0]
        (row,) = [
            line for line in section.splitlines() if line.strip().startswith("Terms 1-4 2023-24")
        ]
        cells = row.split("2023-24", 1)[1].replace("(", " ").replace(")", " ").split()
        assert Counter(cells) == Counter(displays), (table, row, displays)
    assert "ILLUSTRATIVE DATA" in text  # the demo says so
    assert "What changed" in text and "Largest rise" in text
    for fragment in ("[c]", "suppress", "Last load", "LIFT (", "version"):
        assert fragment.lower() in text.lower(), fragment


@pytest.mark.dbt
@pytest.mark.browser
def test_the_pack_html_needs_nothing_from_outside(demo_warehouse, tmp_path):
    page = tmp_path / "pack.html"
    args = ["--warehouse", str(demo_warehouse), "report", "pack", "--year", "2023-24"]
    assert stls([*args, "--terms", "1-4", "--output", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.IGNORECASE)
    assert html.count('<img src="data:image/svg+xml') >= 3  # the key charts, as images
    assert "js-plotly-tester" not in html and html.count("<!DOCTYPE") == 1
    assert "@page" in html and "A4" in html


@pytest.mark.dbt
def test_the_pack_says_which_year_it_cannot_make(demo_warehouse, tmp_path, capsys):
    args = ["--warehouse", str(demo_warehouse), "report", "pack", "--year", "1999-00"]
    code = stls([*args, "--output", str(tmp_path / "pack.pdf")])
    err = capsys.readouterr().err
    assert code != 0 and "1999-00" in err and "Traceback" not in err
    assert not (tmp_path / "pack.pdf").exists()


# ---------------------------------------------------------------- words and numbers


def test_a_correlation_over_12_districts_is_worded_for_12():
    low, high = stats.confidence_interval(-0.33, 12)
    assert low == pytest.approx(-0.76, abs=0.01) and high == pytest.approx(0.30, abs=0.01)
    assert stats.link_words(-0.33, 12) == "no clear link"
    assert stats.describe_link(-0.33, 12) == (
        "r = -0.33 (95% interval -0.76 to +0.30), 12 districts"
    )
    assert stats.link_words(-0.9, 12) == "a negative link"
    assert stats.link_words(0.5, 1) == "too few districts to judge a link"
    assert "moderate" not in titles.link(-0.33, "funding", "engagement", "no clear link")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (143723, "£144k"),
        (-143723, "-£144k"),
        (1505, "£1,505"),
        (5856469, "£5.86m"),
        (9999.5, "£10k"),
    ],
)
def test_money_is_rounded_to_what_a_reader_needs(value, text):
    assert money_short(value) == text
    assert format_value(value, "GBP_short") == text


def test_one_district_is_compared_with_kent_never_ranked():
    one = [("Thanet", 32.4)]
    for title in (
        titles.funding_range(one, "per pupil", 25.0, "Kent"),
        titles.largest([("Thanet", 410.0)], "caseload", "count"),
        titles.lowest_against([("Thanet", 86.0)], 89.0, "engagement", "Kent"),
    ):
        assert not re.search(r"\b(most|largest|lowest|highest)\b", title), title
        assert title.startswith("Thanet")
    assert titles.lowest_against([("Thanet", 86.0)], 89.0, "engagement", "Kent") == (
        "Thanet 3 points below Kent for engagement"
    )
    assert "Kent £25" in titles.funding_range(one, "per pupil", 25.0, "Kent")


# ---------------------------------------------------------------- the chart rules


def test_the_chart_helpers_keep_the_rules():
    bars = charts.district_bars(
        ["Thanet", "Dover", "Swale"],
        [80.0, 90.0, "[c]"],
        "percent",
        "A title",
        "Rate",
        reference=85.0,
        reference_name="Kent",
    )
    assert chart_rules.problems(bars) == []
    assert not [t for t in bars.data if t.type == "bar" and t.text is not None]
    assert {a.text for a in bars.layout.annotations} >= {"80%", "90%", "[c]"}
    assert bars.layout.legend.y >= 1 and bars.layout.legend.yanchor == "bottom"
    assert not bars.layout.title.text and charts.title_of(bars) == "A title"

    matrix = pd.DataFrame({"Term 1": [83.0, 93.0]}, index=["Thanet", "Dover"])
    heat = charts.heatmap(matrix, "percent", "Heat", "%")
    assert heat.data[0].zmin == 0 and heat.data[0].zmax == 100

    frame = pd.DataFrame(
        {
            "district": ["A", "A", "B", "B"],
            "year": [2022, 2023, 2022, 2023],
            "rate": [2.0, 2.5, 4.0, 4.4],
        }
    )
    county = pd.DataFrame({"year": [2022, 2023], "rate": [3.0, 3.2]})
    panels = charts.small_multiples(
        frame, "district", "year", "rate", county, "Kent", "percent1", "Panels"
    )
    ranges = {tuple(a.range) for a in panels.select_yaxes()}
    assert len(ranges) == 1
    assert all(a.showticklabels is not False for a in panels.select_xaxes())


def test_a_chart_that_breaks_a_rule_is_refused():
    fig = go.Figure(go.Bar(x=[1, 2], y=["a", "b"], text=["1", "2"], textposition="outside"))
    fig.add_vline(x=1.5, line={"dash": "dash"})
    fig.update_layout(title={"text": "A moderate link"}, meta={"title": "£143,723 less"})
    broken = " ".join(chart_rules.problems(fig))
    assert "beside a reference line" in broken
    assert "title is drawn in the figure" in broken
    assert "£143,723" in broken
    with pytest.raises(chart_rules.ChartRuleBroken):
        chart_rules.enforce(fig)
    heat = go.Figure(go.Heatmap(z=[[83, 93]], zmin=83, zmax=93))
    heat.update_layout(meta={"title": "Heat"})
    assert any("not zero" in p for p in chart_rules.problems(heat))
