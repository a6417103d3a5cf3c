"""The dashboard's pages with AppTest (each renders, each filter changes what is shown,
suppression, downloads, the address), the modules behind them, and the real server."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from apptest import Downloads, open_tables
from streamlit.testing.v1 import AppTest

from warehouse.cli import main as stls
from warehouse.dashboard import filters, titles, ui
from warehouse.reporting import analysis, committee, formatting, stats

ROOT = Path(__file__).resolve().parents[2]

PAGES = {
    "overview": "pages/overview.py",
    "engagement": "pages/engagement.py",
    "funding": "pages/funding.py",
    "ehcp": "pages/ehcp.py",
    "data_quality": "pages/data_quality.py",
    "about": "pages/about.py",
}
CHARTS = {"overview": 1, "engagement": 4, "funding": 3, "ehcp": 3, "about": 0}
TITLES = {
    "overview": "overview",
    "engagement": "District engagement",
    "funding": "Funding per pupil",
    "ehcp": "EHCP trends",
    "data_quality": "Data quality",
    "about": "About the data",
}

# page -> (widget kind, key, new value) for each filter it has, in the order they are tried.
FILTERS = {
    "overview": [
        ("selectbox", "filter_year", "2022-23"),
        ("multiselect", "filter_terms", [1, 2]),
        ("selectbox", "filter_phase", "secondary"),
        ("selectbox", "filter_area", "East"),
        ("multiselect", "filter_district", ["Thanet"]),
    ],
    "engagement": [
        ("selectbox", "filter_year", "2022-23"),
        ("multiselect", "filter_terms", [1, 2]),
        ("selectbox", "filter_phase", "secondary"),
        ("selectbox", "filter_area", "East"),
        ("multiselect", "filter_district", ["Thanet", "Swale"]),
        ("radio", "filter_measure", "lift"),
    ],
    "funding": [
        ("selectbox", "filter_year", "2022-23"),
        ("multiselect", "filter_terms", [1, 2]),
        ("selectbox", "filter_area", "East"),
        ("multiselect", "filter_district", ["Thanet", "Swale"]),
        ("radio", "filter_basis", "sen"),
    ],
    "ehcp": [
        ("selectbox", "filter_year", "2022-23"),
        ("selectbox", "filter_phase", "early_years"),
        ("selectbox", "filter_area", "East"),
        ("multiselect", "filter_district", ["Thanet", "Swale"]),
        ("radio", "filter_rate", "sen_support"),
        ("radio", "filter_inclusion", "lift_attendance_pct"),
    ],
}


# ---------------------------------------------------------------- fixtures and helpers


def app(
    monkeypatch,
    warehouse: Path,
    page: str = "overview",
    params: dict | None = None,
    tables: bool = True,
) -> AppTest:
    """The app on ``page`` after its first run and, with ``tables``, a second with every
    data table opened (a notice shown on arrival only is gone by then)."""
    monkeypatch.setenv("STLS_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update(params or {})
    if page != "overview":
        at.switch_page(PAGES[page])
    at.run()
    if tables:
        open_tables(at)
    assert not at.exception, [e.value for e in at.exception]
    return at


def widget(at: AppTest, kind: str, key: str):
    return getattr(at, kind)(key=key)


def charts_of(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def chart_title(spec: dict) -> str:
    """A chart's title: set as text above it, and kept with the figure (``charts.finish``)."""
    return spec["layout"]["meta"]["title"]


def year_column(table: pd.DataFrame, year: str) -> list[str]:
    """The Overview's figures for ``year`` in one of its grouped tables (the column is
    "2023-24", or "Dover, Thanet 2023-24" for some districts; never Kent's beside them)."""
    (column,) = [c for c in table.columns if c.endswith(year) and not c.startswith("Kent")]
    return list(table[column])


def overview_figures(at: AppTest, year: str) -> list[str]:
    """Every figure of ``year`` in the Overview's grouped committee tables, in order."""
    grouped = [t.value for t in at.table if "Change (points)" not in t.value.columns]
    return [v for t in grouped for v in year_column(t, year)]  # not the chart's own table


def shown(at: AppTest) -> list[object]:
    """Everything a reader sees that carries figures: tables, charts, text, metrics."""
    out: list[object] = [t.value.to_csv() for t in at.table]
    out += [json.dumps(spec["data"], sort_keys=True) for spec in charts_of(at)]
    out += [chart_title(spec) for spec in charts_of(at)]
    out += [m.value for m in at.markdown]
    out += [(m.label, m.value) for m in at.metric]
    return out


def download_frames(at: AppTest, saved: Downloads) -> list[pd.DataFrame]:
    """Every CSV the page's buttons download (not the committee pack), in page order."""
    return [
        pd.read_csv(io.BytesIO(saved.of(button)), dtype=str, keep_default_na=False)
        for button in at.get("download_button")
        if saved.is_csv(button)
    ]


def parse_display(text: str) -> object:
    """Undo ``format_value``: "£1,234" -> 1234, "81%" -> 81, "+3 pts" -> 3; symbols stay.

    Tests use it to check that a download holds exactly the figures on the screen.
    """
    if text in formatting.SYMBOLS:
        return text
    cleaned = (
        text.replace("£", "")
        .replace(",", "")
        .replace("%", "")
        .replace(" pts", "")
        .replace(" pt", "")
        .strip()
    )
    try:
        number = float(cleaned)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in cleaned else number


def cells(frame: pd.DataFrame) -> list[list[object]]:
    return [[parse_display(str(v)) for v in row] for row in frame.itertuples(index=False)]


def csv_cells(frame: pd.DataFrame) -> list[list[object]]:
    """A download's cells as ``cells`` reads the table shown. The CSV writes "[x]" for a
    missing figure itself (``formatting.csv_bytes``), so a blank cell is blank on screen
    too (DfE's symbol beside a value it published)."""
    return [[parse_display(v) for v in row] for row in frame.itertuples(index=False)]


# ---------------------------------------------------------------- pages


@pytest.mark.dbt
@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_with_titled_charts(monkeypatch, demo_warehouse, page):
    at = app(monkeypatch, demo_warehouse, page)
    assert TITLES[page].lower() in at.title[0].value.lower()
    assert any("Illustrative data" in w.value for w in at.warning)
    specs = charts_of(at)
    if page in CHARTS:
        assert len(specs) == CHARTS[page]
    for spec in specs:
        title = chart_title(spec)
        assert title and titles.words(title) <= 10, title
        assert set(_colours(spec)) <= set(_GSS), f"{title}: {set(_colours(spec)) - set(_GSS)}"


_GSS = {
    "#12436D",
    "#28A197",
    "#801650",
    "#F46A25",
    "#3D3D3D",
    "#A285D1",
    "#2073BC",
    "#6BACE6",
    "#BFBFBF",
    "#FFFFFF",
    "#0B0C0C",
}


def _colours(spec: dict) -> list[str]:
    found = []
    for trace in spec["data"]:
        for part in ("marker", "line"):
            colour = trace.get(part, {}).get("color")
            if isinstance(colour, str):
                found.append(colour.upper())
    return found


@pytest.mark.dbt
@pytest.mark.parametrize("page", list(FILTERS))
def test_each_filter_changes_what_is_shown(monkeypatch, demo_warehouse, page):
    at = app(monkeypatch, demo_warehouse, page)
    before = shown(at)
    for kind, key, value in FILTERS[page]:
        control = widget(at, kind, key)
        control.set_value(value).run()
        assert not at.exception, (key, [e.value for e in at.exception])
        after = shown(at)
        assert after != before, f"{page}: changing {key} to {value!r} changed nothing"
        before = after


@pytest.mark.dbt
def test_filters_live_in_the_address_and_a_shared_link_restores_the_view(
    monkeypatch, demo_warehouse
):
    at = app(monkeypatch, demo_warehouse, "engagement")
    at.selectbox(key="filter_year").set_value("2022-23").run()
    at.multiselect(key="filter_terms").set_value([2, 3]).run()
    at.selectbox(key="filter_area").set_value("East").run()
    at.radio(key="filter_measure").set_value("training").run()
    params = dict(at.query_params)
    assert params["year"] == "2022-23"
    assert params["terms"] == "2-3"
    assert params["area"] == "East"
    assert params["measure"] == "training"
    view = shown(open_tables(at))  # the East area's own tables are new, and closed

    shared = app(monkeypatch, demo_warehouse, "engagement", params)
    assert shared.selectbox(key="filter_year").value == "2022-23"
    assert shared.multiselect(key="filter_terms").value == [2, 3]
    assert shown(shared) == view


@pytest.mark.dbt
def test_filters_follow_the_reader_to_the_next_page(monkeypatch, demo_warehouse):
    at = app(monkeypatch, demo_warehouse, "engagement")
    at.selectbox(key="filter_year").set_value("2022-23").run()
    at.switch_page(PAGES["about"]).run()
    at.switch_page(PAGES["funding"]).run()
    assert not at.exception
    assert at.selectbox(key="filter_year").value == "2022-23"
    assert at.query_params["year"] == "2022-23"


@pytest.mark.dbt
@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"year": "1999-00"}, "academic year '1999-00'"),
        ({"terms": "7-9"}, "terms '7-9'"),
        ({"phase": "sixth_form"}, "phase 'sixth_form'"),
        ({"area": "Atlantis"}, "area 'Atlantis'"),
        ({"district": ["Medway", "Thanet"]}, "'Medway'"),
        ({"area": "West", "district": "Thanet"}, "'Thanet', not a district of the West area"),
        ({"measure": "happiness"}, "measure 'happiness'"),
    ],
)
def test_a_bad_value_in_the_address_falls_back_with_a_notice(
    monkeypatch, demo_warehouse, params, fragment
):
    at = app(monkeypatch, demo_warehouse, "engagement", params, tables=False)
    notices = " ".join(i.value for i in at.info)
    assert fragment in notices
    assert at.selectbox(key="filter_year").value in ("2023-24", "2022-23")
    assert len(charts_of(at)) == CHARTS["engagement"]


@pytest.mark.dbt
@pytest.mark.parametrize(
    ("params", "cli"),
    [
        ({}, ["--year", "2023-24", "--terms", "1-4"]),
        ({"year": "2022-23", "terms": "1-6"}, ["--year", "2022-23", "--terms", "1-6"]),
        (
            {"terms": "2,3", "district": ["Thanet", "Dover"]},
            ["--year", "2023-24", "--terms", "2,3", "--district", "Dover", "Thanet"],
        ),
    ],
)
def test_the_overview_shows_what_stls_report_tables_gives(
    monkeypatch, capsys, demo_warehouse, params, cli
):
    at = app(monkeypatch, demo_warehouse, "overview", params)
    year = cli[1]
    code = stls(["--warehouse", str(demo_warehouse), "report", "tables", *cli, "--format", "csv"])
    out = capsys.readouterr().out
    assert code == 0
    published = list(csv.DictReader(io.StringIO(out)))
    assert overview_figures(at, year) == [row["display"] for row in published]
    headings = " ".join(h.value for h in at.subheader)
    for n in range(1, 8):
        assert f"Table {n}:" in headings


@pytest.mark.dbt
def test_the_overview_compares_with_the_year_before_and_says_which_way_is_good(
    monkeypatch, demo_warehouse
):
    at = app(monkeypatch, demo_warehouse)
    table = at.table[1].value  # Table 1 (after the headline chart's own table)
    assert list(table["2023-24"]) == ["81%", "100%", "90%"]
    assert list(table["2022-23"]) == ["78%", "99%", "84%"]
    assert list(table["Change"]) == ["+3 pts", "+1 pt", "+6 pts"]
    assert list(table["Reading"]) == ["▲ Improved"] * 3  # a word and a symbol, not colour
    worse = [v for t in at.table for v in t.value.get("Reading", [])]
    assert "▼ Worse" in worse
    captions = " ".join(c.value for c in at.caption)
    assert "Higher is better" in captions
    # Freshness first, then what changed, in sentences, and the headline chart.
    assert "Last load" in at.caption[0].value and "term 4" in at.caption[0].value
    assert "Expected next" in at.caption[0].value
    assert at.header[0].value == "What changed"
    sentences = " ".join(m.value for m in at.markdown)
    assert "Largest rise:" in sentences and "Largest fall:" in sentences
    assert "every district's return is published" in sentences
    (spec,) = charts_of(at)
    assert "figures better than in 2022-23" in chart_title(spec)
    links = at.get("page_link")
    assert [link.proto.page for link in links] == ["data_quality"]
    assert links[0].proto.label.startswith("Data quality")


@pytest.mark.dbt
def test_the_overview_leaves_out_other_phases(monkeypatch, demo_warehouse):
    at = app(monkeypatch, demo_warehouse, "overview", {"phase": "early_years"})
    breakdowns = {b for t in at.table for b in t.value.get("Breakdown", [])}
    assert "Early years" in breakdowns
    for other in ("Primary", "Secondary", "School age", "SEN Support", "Has EHCP"):
        assert other not in breakdowns, other


@pytest.mark.dbt
def test_a_charts_csv_is_written_when_pressed_not_on_every_run(
    monkeypatch, demo_warehouse, downloads
):
    """A chart's CSV is written when its button is pressed (Streamlit's deferred
    download): a page run wrote one per chart for downloads nobody had asked for (issue
    14: nothing is computed that the page does not show)."""
    written: list[int] = []
    real = formatting.csv_bytes
    monkeypatch.setattr(
        formatting, "csv_bytes", lambda *args, **kw: written.append(1) or real(*args, **kw)
    )
    at = app(monkeypatch, demo_warehouse, "funding", tables=False)
    buttons = [b for b in at.get("download_button") if downloads.is_csv(b)]
    assert len(buttons) == 4 and not any(b.proto.url for b in buttons) and written == []
    data = downloads.of(buttons[0])  # pressed
    assert written == [1] and data.startswith(b"District,")


@pytest.mark.dbt
@pytest.mark.parametrize("page", ["overview", "engagement", "funding", "ehcp", "about"])
def test_downloads_hold_the_figures_shown(monkeypatch, demo_warehouse, downloads, page):
    at = app(monkeypatch, demo_warehouse, page)
    frames = download_frames(at, downloads)
    tables = [t.value for t in at.table]
    if page == "overview":  # the grouped tables, and the CSV of them all with the change
        (comparison,) = [f for f in frames if "Direction of good" in f.columns]
        assert overview_figures(at, "2023-24") == list(comparison["2023-24"])
        return
    assert len(frames) == len(tables) > 0
    for table, frame in zip(tables, frames, strict=True):
        assert list(table.columns) == list(frame.columns)
        assert cells(table) == csv_cells(frame), list(table.columns)


@pytest.mark.dbt
def test_suppression_on_the_engagement_page(monkeypatch, edge_warehouse, downloads):
    at = app(monkeypatch, edge_warehouse, "engagement", {"terms": "1-4", "phase": "secondary"})
    caseload = at.table[-1].value.set_index("District")
    wells = caseload.loc["Tunbridge Wells"]
    assert wells["Caseload: secondary"] == "[c]"  # 3 pupils, primary suppression
    assert wells["Caseload: primary"] == "[c]"  # the next smallest of primary + secondary
    for line in (
        ["Caseload: early years", "Caseload: school age", "Caseload: all phases"],
        ["Caseload: primary", "Caseload: secondary", "Caseload: school age"],
    ):
        assert [wells[c] for c in line].count("[c]") != 1, line
    column = caseload["Caseload: secondary"]
    assert (column == "[c]").sum() >= 2  # the county row would give it away otherwise
    csv_frame = download_frames(at, downloads)[-1].set_index("District")
    assert csv_frame.loc["Tunbridge Wells", "Caseload: secondary"] == "[c]"
    assert "3" not in set(csv_frame["Caseload: secondary"])
    bars = charts_of(at)[-1]
    assert any("[c]" in (trace.get("text") or []) for trace in bars["data"])
    assert "suppressed" in " ".join(c.value for c in at.caption)


@pytest.mark.dbt
def test_suppression_on_the_ehcp_page(monkeypatch, edge_warehouse, downloads):
    at = app(monkeypatch, edge_warehouse, "ehcp", {"phase": "early_years"})
    table = at.table[0].value
    dover = table[(table["District"] == "Dover") & (table["Census year"] == "2024")].iloc[0]
    assert dover["Pupils with an EHC plan"] == "[c]"
    assert dover["EHC plan rate (%)"] == "[c]"  # worked out from the hidden count
    same_year = table[table["Census year"] == "2024"]
    assert (same_year["Pupils with an EHC plan"] == "[c]").sum() >= 2
    frame = download_frames(at, downloads)[0]
    assert (frame[frame["Census year"] == "2024"]["Pupils with an EHC plan"] == "[c]").sum() >= 2


@pytest.mark.dbt
def test_suppression_on_the_overview_for_one_district(monkeypatch, edge_warehouse):
    at = app(
        monkeypatch,
        edge_warehouse,
        "overview",
        {"district": "Tunbridge Wells", "terms": "1-4", "phase": "secondary"},
    )
    (caseload,) = [
        t.value
        for t in at.table
        if "Figure" in t.value.columns
        and "Change (points)" not in t.value.columns
        and t.value["Figure"].str.startswith("Caseload, average").any()
    ]
    caseload = caseload[caseload["Figure"].str.startswith("Caseload, average")]
    assert "[c]" in year_column(caseload, "2023-24")


@pytest.mark.dbt
def test_missing_and_held_district_terms_are_named(monkeypatch, edge_warehouse):
    at = app(monkeypatch, edge_warehouse, "engagement", {"terms": "1-4"})
    warning = " ".join(w.value for w in at.warning)
    assert "Dover (term 4)" in warning and "Swale (term 4)" in warning
    assert "unknown, not zero" in warning
    heat = at.table[1].value.set_index("District")
    assert heat.loc["Dover", "Term 4"] == "[x]"
    overview = app(monkeypatch, edge_warehouse, "overview", {"terms": "1-4"})
    text = " ".join(m.value for m in overview.markdown)
    assert "Dover" in text and "Swale" in text and "held back" in text.lower()


def test_without_a_warehouse_the_page_says_what_to_run(monkeypatch, tmp_path):
    monkeypatch.setenv("STLS_WAREHOUSE", str(tmp_path / "none.duckdb"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert "stls demo" in at.error[0].value


# ---------------------------------------------------------------- the modules behind


@pytest.mark.dbt
@pytest.mark.parametrize("phase", ["early_years", "primary", "secondary"])
def test_pooled_engagement_equals_the_committee_tables(demo_warehouse, phase):
    from warehouse.reporting import marts

    con = duckdb.connect(str(demo_warehouse), read_only=True)
    rows = marts.figure_rows(con.cursor(), analysis.SETTINGS_FIGURES, "2023-24")
    terms = (1, 2, 3, 4)
    names = [d for d in filters.districts_in("all")]
    view = analysis.settings_view(rows, "engagement_pct", phase, names, terms)
    county = committee.committee_tables(con.cursor(), committee.Selection("2023-24", terms))
    assert view.county == pytest.approx(county.figures["engagement_pct"][phase])
    for district, rate in zip(view.by_district["district"], view.by_district["rate"], strict=True):
        own = committee.committee_tables(
            con.cursor(), committee.Selection("2023-24", terms, (district,))
        )
        assert rate == pytest.approx(own.figures["engagement_pct"][phase])
    for term, rate in zip(view.county_by_term["term"], view.county_by_term["rate"], strict=True):
        one = committee.committee_tables(con.cursor(), committee.Selection("2023-24", (int(term),)))
        assert rate == pytest.approx(one.figures["engagement_pct"][phase])


@pytest.mark.dbt
@pytest.mark.parametrize("terms", [(1, 2, 3, 4), (2,)])
def test_the_caseload_table_is_each_district_pooled_on_its_own(demo_warehouse, terms):
    """``caseload_table`` pools every column for every district at once; each of its rows is
    exactly ``caseload_row`` of that district alone (the Engagement page's table)."""
    from warehouse.reporting import marts

    con = duckdb.connect(str(demo_warehouse), read_only=True)
    rows = marts.figure_rows(con.cursor(), analysis.CASELOAD_FIGURES, "2023-24")
    names = [*filters.districts_in("all"), "Nowhere"]  # a district with no rows: no values
    table = analysis.caseload_table(rows, names, terms)
    assert list(table.columns) == ["District", *analysis.CASELOAD_COLUMNS]
    expected = [analysis.caseload_row(rows, name, (name,), terms) for name in names]
    assert table.astype(object).where(table.notna(), None).to_dict("records") == expected
    assert all(v is None for k, v in expected[-1].items() if k != "District")
    assert any(v is not None for k, v in expected[0].items() if k != "District")


@pytest.mark.dbt
def test_the_ehcp_change_is_the_census_rates_of_the_two_censuses(demo_warehouse):
    """``ehcp_change``'s rates for each district, now and a year before, are those
    ``census_rates`` gives for the two censuses from every year's rows, and its change is
    their difference."""
    from warehouse.core import contracts
    from warehouse.reporting import marts

    con = duckdb.connect(str(demo_warehouse), read_only=True)
    figures_ = analysis.CENSUS_FIGURES + analysis.INCLUSION_MEASURES
    rows = marts.figure_rows(con.cursor(), figures_, None)
    names = list(filters.districts_in("all"))
    change = analysis.ehcp_change(rows, "2023-24", names).set_index("district")
    school_age = rows[rows["breakdown"] == contracts.SCHOOL_AGE]
    rates = analysis.census_rates(school_age, contracts.SCHOOL_AGE, names)
    rate = rates.set_index(["district", "census_year"])["ehcp_rate_pct"]
    census = contracts.census_year_for("2023-24")
    assert len(rates["census_year"].unique()) > 2  # more censuses than the two compared
    for name in names:
        now, before = rate[(name, census)], rate[(name, census - 1)]
        assert change.loc[name, "ehcp_rate_pct"] == now
        assert change.loc[name, "ehcp_rate_before_pct"] == before
        assert change.loc[name, "ehcp_change_pp"] == now - before


@pytest.mark.dbt
def test_the_ehcp_changes_inclusion_measures_are_each_district_pooled_on_its_own(
    demo_warehouse,
):
    """``ehcp_change`` pools its censuses, measures and terms in one pass; each district's
    inclusion measures and published terms are exactly its year's rows pooled alone, and a
    district with no rows has no values and no terms."""
    from warehouse.core import figures
    from warehouse.reporting import marts

    con = duckdb.connect(str(demo_warehouse), read_only=True)
    rows = marts.figure_rows(
        con.cursor(), analysis.CENSUS_FIGURES + analysis.INCLUSION_MEASURES, None
    )
    names = [*filters.districts_in("all"), "Nowhere"]
    change = analysis.ehcp_change(rows, "2023-24", names).set_index("district")
    year_rows = rows[rows["academic_year"] == "2023-24"]
    for name in names:
        for figure in analysis.INCLUSION_MEASURES:
            phases = figures.figure(figure).breakdowns
            alone = analysis.value(year_rows, figure, districts=(name,), breakdowns=phases)
            shown = change.loc[name, figure]
            assert (alone is None and pd.isna(shown)) or shown == alone, (name, figure)
        terms = analysis.pooled(year_rows, "engagement_pct", districts=(name,))["terms"]
        assert change.loc[name, "published_terms"] == int(terms.iloc[0])
    assert change.loc["Nowhere"].drop("published_terms").isna().all()
    assert change.loc["Nowhere", "published_terms"] == 0
    assert change.loc[names[0], "published_terms"] == 4


def test_small_multiples_share_one_y_range_and_label_each_panels_years():
    """Each district's panel: its line and the reference's, on the y-range of every panel
    (the reference's values included), its own x-axis labelled with the first and last
    year, and its title in the text colour."""
    from warehouse.dashboard import charts

    names = ["Ashford", "Dover", "Swale", "Thanet"]
    frame = pd.DataFrame(
        [
            {"district": name, "year": year, "rate": 2.0 + i + (year - 2022) / 2}
            for i, name in enumerate(names)
            for year in (2022, 2023, 2024)
        ]
    )
    kent = pd.DataFrame([{"year": y, "rate": 9.5} for y in (2022, 2023, 2024)])
    fig = charts.small_multiples(frame, "district", "year", "rate", kent, "Kent", "percent1", "T")
    layout = fig.to_plotly_json()["layout"]
    y_axes = [v for k, v in layout.items() if k.startswith("yaxis")]
    x_axes = [v for k, v in layout.items() if k.startswith("xaxis")]
    assert len(y_axes) == len(x_axes) == 6  # a 2-by-3 grid for four districts
    # 2.0 to 9.5 (the reference), padded by a tenth of that spread
    assert {tuple(a["range"]) for a in y_axes} == {(1.25, 10.25)}
    assert all(a["nticks"] == 4 and a["tickformat"] == ",.1f" for a in y_axes)
    assert all(a["tickvals"] == [2022, 2024] and a["showticklabels"] for a in x_axes)
    assert [a["text"] for a in layout["annotations"]] == names
    assert all(a["font"] == {"color": charts.TEXT, "size": 13} for a in layout["annotations"])
    assert len(fig.data) == 8 and {t.xaxis for t in fig.data} == {"x", "x2", "x3", "x4"}
    assert layout["meta"] == {"title": "T"}


def test_filters_parse_checks_every_value():
    years = ["2023-24", "2022-23"]
    parsed = filters.parse(
        {
            "year": ["2022-23"],
            "terms": ["1,3-4"],
            "phase": ["primary"],
            "area": ["East"],
            "district": ["Thanet", "Swale"],
        },
        years,
        lambda year: (1, 2, 3, 4),
    )
    assert parsed.year == "2022-23" and parsed.terms == (1, 3, 4)
    assert parsed.phase == "primary" and parsed.area == "East"
    assert parsed.chosen_districts == ("Swale", "Thanet")
    assert not parsed.notices
    assert parsed.params(filters.FIELDS) == {
        "year": "2022-23",
        "terms": "1,3,4",
        "phase": "primary",
        "area": "East",
        "district": ["Swale", "Thanet"],
    }
    bad = filters.parse(
        {"year": ["2030-31"], "terms": ["0"], "phase": ["x"], "area": ["y"], "district": ["z"]},
        years,
        lambda year: (1, 2),
    )
    assert (bad.year, bad.terms, bad.phase, bad.area, bad.districts) == (
        "2023-24",
        (1, 2),
        "all",
        "all",
        (),
    )
    assert len(bad.notices) == 5
    assert filters.parse({}, years, lambda y: (1, 2, 3, 4)).all_districts


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (80.94, "percent", "81%"),
        (5.25, "percent1", "5.3%"),
        (1234567.4, "GBP", "£1,234,567"),
        (-12345.6, "GBP_signed", "-£12,346"),
        (12345.4, "GBP_signed", "+£12,345"),
        (2550.25, "count", "2,550"),
        (1.0, "pp", "+1 pt"),
        (-6.4, "pp", "-6 pts"),
        (None, "percent", "[x]"),
        ("[c]", "count", "[c]"),
    ],
)
def test_uk_number_formats(value, unit, text):
    assert formatting.format_value(value, unit) == text


def test_a_table_and_its_csv_hold_the_same_figures():
    frame = pd.DataFrame(
        {"District": ["Dover", "Kent"], "Funding (£)": [1234.6, None], "Rate (%)": ["[c]", 81.2]}
    )
    units = {"Funding (£)": "GBP", "Rate (%)": "percent"}
    shown_frame = formatting.display_frame(frame, units)
    assert shown_frame.to_dict("list") == {
        "District": ["Dover", "Kent"],
        "Funding (£)": ["£1,235", "[x]"],
        "Rate (%)": ["[c]", "81%"],
    }
    data = pd.read_csv(io.BytesIO(formatting.csv_bytes(frame, units)), dtype=str)
    assert cells(shown_frame) == csv_cells(data)


def test_titles_stay_within_ten_words():
    long_names = [("Tonbridge and Malling", 12.0), ("Folkestone and Hythe", 99.0)]
    for title in (
        titles.lowest_against(long_names, 80.0, "LIFT attendance", "Selected districts"),
        titles.largest(long_names, "caseload", "count"),
        titles.funding_range(long_names, "per caseload pupil"),
        titles.biggest_gap(long_names, "SEN pupils"),
        titles.link(-0.45, "targets met", "EHC plan change", stats.strength(-0.45)),
        titles.rates_rose(long_names, "SEN Support rates", 2019),
        titles.spread([1.0, 2.0], "training attendance", "across districts and terms"),
        titles.trend({"Secondary": [(1, 80.0), (4, 90.0)]}, "training attendance"),
    ):
        assert titles.words(title) <= 10, title
    assert titles.rates_rose([("Dover", 0.5)], "EHC plan rates", 2019).startswith("EHC plan")


def test_needs_based_split_shares_out_the_same_total():
    funding = pd.DataFrame(
        {"District": ["A", "B"], "budget": [300.0, 100.0], "pupils": [100, 300], "sen": [10, 10]}
    )
    split = analysis.needs_based_split(funding, 400.0, 400.0, 20.0)
    assert list(split["by_pupils"]) == [100.0, 300.0]
    assert list(split["by_sen_pupils"]) == [200.0, 200.0]
    assert list(split["difference_by_pupils"]) == [200.0, -200.0]
    assert split["by_sen_pupils"].sum() == funding["budget"].sum()
    # A district lead's own district, shared out of Kent's whole.
    one = analysis.needs_based_split(funding.iloc[[0]], 4000.0, 1000.0, 40.0)
    assert list(one["by_pupils"]) == [400.0] and list(one["by_sen_pupils"]) == [1000.0]


def test_correlation_in_numbers_and_words():
    r, n = stats.correlation([1, 2, 3, 4], [2, 4, 6, 8.5])
    assert n == 4 and r == pytest.approx(0.997, abs=0.01)
    assert stats.strength(r) == "a strong positive link"
    assert stats.correlation([1, 2], [1, 2]) == (None, 2)
    assert stats.strength(0.05) == "no link"


# ---------------------------------------------------------------- the real server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.dbt
def test_stls_dashboard_serves_a_healthy_app(demo_warehouse):
    port = free_port()
    stls_command = Path(sys.executable).with_name("stls")
    server = subprocess.Popen(
        [str(stls_command), "--warehouse", str(demo_warehouse), "dashboard", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # stopped as a group: `stls` and the streamlit it starts
    )
    try:
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/_stcore/health", timeout=2
                ) as r:
                    health = r.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert health == "ok", server.stderr.read().decode() if server.poll() is not None else ""
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
            assert page.status == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


@pytest.mark.dbt
@pytest.mark.parametrize("page", ["engagement", "funding", "ehcp"])
def test_a_charts_table_is_drawn_only_once_opened_and_its_csv_is_always_offered(
    monkeypatch, demo_warehouse, page
):
    """Issue 14: a closed table costs the browser nothing. On arrival every data table's
    expander is closed and no table is drawn, yet each one's CSV is offered; opened, each
    expander holds its table."""
    at = app(monkeypatch, demo_warehouse, page, tables=False)
    keys = [key for key in at.session_state if key.startswith(ui.TABLE_KEY_PREFIX)]
    assert len(keys) >= CHARTS[page]
    assert not any(at.session_state[key] for key in keys)
    assert len(at.table) == 0
    names = [e.label.removeprefix("Table: ") for e in at.expander]
    offered = [b.proto.label for b in at.get("download_button")]
    assert all(f"Download the data: {name} (CSV)" in offered for name in names)
    open_tables(at)
    assert not at.exception
    assert all(at.session_state[key] for key in keys)
    assert len(at.table) == len(keys) == len(at.expander)
