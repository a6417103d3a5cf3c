"""The committee pack: one A4 document to attach to a committee paper, as HTML or PDF.

``stls report pack`` and the Overview's button both build it from ``PackData``: the
selection's glance (``reporting.glance``: the committee tables, the year before, the latest
terms, return status), the last load, the published version, the audit's finding on the
funding file's stated total, and the data of the key charts. The CLI gathers it straight
from the warehouse (``gather``); the dashboard through its role-aware data layer, so a
district lead's pack holds their district and Kent, nothing else.

The pack holds: title and selection; the illustrative-data notice for the demo; what
changed, in sentences; the key charts; Tables 1-7 as the report prints them; the other
committee figures; footnotes (sources, symbols and suppression, rounding, the notes on this
selection, the funding total, acronyms, the data's version and load, who to contact).

The charts are the dashboard's own Plotly figures (``charts``, ``glance_chart``), drawn
once by the machine's Chromium from the plotly.js that the plotly package ships and kept
as SVG images (``printing.static_html``): the HTML needs no script and no network, and the
PDF is that HTML printed (``printing.pdf``). Text from received files (a held return's
reason, a file name) is HTML-escaped.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import plotly
import plotly.graph_objects as go

from warehouse.core import contracts, glossary, settings
from warehouse.dashboard import charts, glance_chart, titles
from warehouse.publish import connect, versions
from warehouse.reporting import (
    analysis,
    committee,
    footnotes,
    funding_check,
    glance,
    grouped,
    marts,
    printing,
    render,
)

FORMATS = ("pdf", "html")
WIDTH = 680  # CSS pixels across an A4 page inside its margins


@dataclass
class PackData:
    glance: glance.Glance
    loads: pd.DataFrame  # the latest load (marts.recent_loads)
    version_id: str | None
    total_checks: list[funding_check.TotalCheck]
    county_funding: float | None  # SLA funding, Kent (for the note on its stated total)
    engagement: pd.DataFrame | None = None  # district, rate: every district, all phases
    county_engagement: float | None = None
    census: pd.DataFrame | None = None  # census_year, series, rate: EHC plan rate by phase
    contact: str | None = field(default_factory=settings.steward_contact)


def census_series(rows: pd.DataFrame, districts, up_to: int) -> pd.DataFrame:
    """The EHC plan rate of each census phase, census year by year, for the districts."""
    parts = []
    for phase in contracts.CENSUS_PHASES:
        rates = analysis.up_to_census(
            analysis.census_rates(rows, phase, districts, by_district=False), up_to
        )
        parts.append(
            pd.DataFrame(
                {
                    "census_year": rates["census_year"].astype(str),
                    "series": contracts.phase_catalogue()[phase].label,
                    "rate": rates["ehcp_rate_pct"],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def gather(
    cur: duckdb.DuckDBPyConnection,
    warehouse: Path,
    selection: committee.Selection,
    phase: str = "all",
) -> PackData:
    """Everything the pack shows, straight from the warehouse (``stls report pack``)."""
    view = glance.gather(cur, selection, phase)
    year, terms = selection.academic_year, selection.terms
    everyone = contracts.district_names()
    engagement = county_rate = None
    if selection.all_districts:
        rows = marts.figure_rows(cur, ("engagement_pct",), year)
        settings_view = analysis.settings_view(rows, "engagement_pct", "all", everyone, terms)
        engagement, county_rate = settings_view.by_district, settings_view.county
    funding_rows = marts.figure_rows(cur, analysis.FUNDING_FIGURES, year)
    county_funding = analysis.funding_row(funding_rows, committee.COUNTY, everyone, terms)["budget"]
    census = census_series(
        marts.figure_rows(cur, analysis.CENSUS_FIGURES),
        selection.district_list(),
        contracts.census_year_for(year),
    )
    return PackData(
        glance=view,
        loads=marts.recent_loads(cur, 1),
        version_id=versions.live_version(warehouse).version_id,
        total_checks=funding_check.county_total_checks(cur, year),
        county_funding=county_funding,
        engagement=engagement,
        county_engagement=county_rate,
        census=census,
    )


def gather_from(path: Path, selection: committee.Selection, phase: str = "all") -> PackData:
    con = connect.connect(path)
    try:
        return gather(con.cursor(), path, selection, phase)
    finally:
        con.close()


# ---------------------------------------------------------------- charts


def headline_title(rows: pd.DataFrame, then_year: str) -> str:
    known = rows[rows["points"].notna()]
    better = int((known["better"] == True).sum())  # noqa: E712 (a column of objects)
    return titles.fit(
        f"{better} of {len(known)} figures better than in {then_year}",
        f"{better} of {len(known)} figures improved",
    )


def key_charts(data: PackData) -> list[tuple[go.Figure, str]]:
    """(figure, text alternative) for each of the pack's charts."""
    view = data.glance
    out = []
    if view.before is not None:
        rows = glance.headline(view)
        then = view.before.selection.academic_year
        if rows["points"].notna().any():
            out.append(
                (
                    glance_chart.headline_change(rows, headline_title(rows, then), then),
                    f"Each figure with a direction of good for {view.who}, as points better "
                    f"(right, upward triangle) or worse (left, downward triangle) than the "
                    f"same terms of {then}; the figures now and then are written beside it.",
                )
            )
    if data.engagement is not None and len(data.engagement):
        frame = data.engagement
        values = list(zip(frame["district"], frame["rate"], strict=True))
        out.append(
            (
                charts.district_bars(
                    list(frame["district"]),
                    list(frame["rate"]),
                    "percent",
                    titles.lowest_against(
                        values, data.county_engagement, "engagement", committee.COUNTY
                    ),
                    "Settings engaging, % of settings (all phases)",
                    reference=data.county_engagement,
                    reference_name=committee.COUNTY,
                ),
                "Bar chart of each district's settings engaging with the service (all phases), "
                f"sorted, with {charts.district_bars_key(committee.COUNTY)}; each bar's figure "
                "is written at the right.",
            )
        )
    if data.census is not None and len(data.census):
        series = {
            name: list(zip(part["census_year"], part["rate"], strict=True))
            for name, part in data.census.groupby("series", sort=False)
        }
        first, last = data.census["census_year"].min(), data.census["census_year"].max()
        rose = [n for n, pts in series.items() if len(pts) > 1 and pts[-1][1] > pts[0][1]]
        title = titles.fit(
            f"EHC plan rate rose in {len(rose)} of {len(series)} phases since {first}",
            f"EHC plan rate by phase, {first} to {last}",
        )
        out.append(
            (
                charts.lines(
                    data.census,
                    "census_year",
                    "rate",
                    "series",
                    "percent1",
                    title,
                    "January census",
                    "Pupils with an EHC plan (%)",
                ),
                f"Line chart of the share of pupils with an EHC plan for {view.who}, by "
                f"phase, in each January census from {first} to {last}.",
            )
        )
    return out


def _figure_json(fig: go.Figure) -> str:
    sized = go.Figure(fig)
    sized.update_layout(width=WIDTH, margin={"autoexpand": True})
    return sized.to_json()


# ---------------------------------------------------------------- the page


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


STYLE = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
* { box-sizing: border-box; }
body { font-family: "Source Sans Pro", "Source Sans 3", Arial, sans-serif; color: #0B0C0C;
  font-size: 10.5pt; line-height: 1.4; margin: 0; max-width: 182mm; }
h1 { font-size: 20pt; margin: 0 0 4pt; } h2 { font-size: 14pt; margin: 16pt 0 6pt; }
h2, h3 { break-after: avoid; page-break-after: avoid; }
h3 { font-size: 11.5pt; margin: 12pt 0 4pt; }
p, li { margin: 0 0 5pt; } ul { padding-left: 16pt; }
.selection { font-size: 12pt; margin-bottom: 8pt; }
.notice { border-left: 5pt solid #F46A25; background: #FEF0E7; padding: 6pt 9pt; margin: 8pt 0; }
table { border-collapse: collapse; width: 100%; margin: 2pt 0 6pt; page-break-inside: avoid; }
table.report { table-layout: fixed; } table.report th:first-child { width: 36%; }
caption { text-align: left; font-weight: bold; padding-bottom: 3pt; }
th, td { border-bottom: 1px solid #B1B4B6; padding: 3pt 5pt; text-align: right;
  vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
thead th { border-bottom: 2px solid #0B0C0C; }
.note { font-size: 9pt; color: #383F43; }
figure { margin: 6pt 0 12pt; page-break-inside: avoid; }
figure img { width: 100%; height: auto; }
figcaption { font-size: 9pt; color: #383F43; }
.footnotes { font-size: 9pt; } .footnotes h2 { font-size: 12pt; }
section.tables { page-break-before: always; }
"""

# Draws each chart from its JSON with the plotly.js in the page, keeps it as an SVG image,
# then removes every script and the styles plotly.js added: the HTML left needs neither.
SCRIPT = """
(async () => {
  for (const div of document.querySelectorAll('div[data-figure]')) {
    const fig = JSON.parse(div.dataset.figure);
    const url = await Plotly.toImage(fig, {format: 'svg', width: fig.layout.width,
                                           height: fig.layout.height});
    const img = document.createElement('img');
    img.src = url; img.alt = div.dataset.alt;
    div.replaceWith(img);
  }
  document.querySelectorAll('script, style[id]').forEach(node => node.remove());
  document.body.dataset.drawn = 'yes';
})();
"""


def _report_table(table: grouped.ReportTable) -> str:
    head = "".join(f"<th scope='col'>{_e(c)}</th>" for c in table.columns)
    body = "".join(
        f"<tr><th scope='row'>{_e(label)}</th>"
        + "".join(f"<td>{_e(c)}</td>" for c in cells)
        + "</tr>"
        for label, cells in table.rows
    )
    note = f"<p class='note'>{_e(table.bracket_note)}</p>" if table.bracket_note else ""
    return (
        f"<table class='report'><caption>{_e(table.caption)}</caption>"
        f"<thead><tr><th></th>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>{note}"
    )


def _frame_table(frame: pd.DataFrame, caption: str) -> str:
    head = "".join(f"<th scope='col'>{_e(c)}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return (
        f"<table><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _selection(view: glance.Glance) -> str:
    sel = view.current.selection
    who = (
        contracts.all_districts_label()
        if sel.all_districts
        else ", ".join(sel.districts) + f", with {committee.COUNTY}"
    )
    phase = "all phases" if view.phase == "all" else contracts.phase_catalogue()[view.phase].label
    return (
        f"{sel.academic_year}, {render.terms_label(list(sel.terms)).lower()}, {who}, "
        f"{phase.lower()}"
        + (
            f"; compared with the same terms of {view.before.selection.academic_year}"
            if view.before is not None
            else ""
        )
        + "."
    )


def _load_line(data: PackData) -> str:
    if data.loads.empty:
        return "No load has finished."
    last = data.loads.iloc[0]
    finished = last["finished_at"]
    when = f"{finished:%-d %B %Y at %H:%M} UTC" if pd.notna(finished) else "not finished"
    version = f"published version {data.version_id}; " if data.version_id else ""
    return (
        f"Data: {version}latest load {last['load_id']} (number {last['load_seq']}), finished "
        f"{when}, {str(last['status']).replace('_', ' ')}."
    )


def html_page(data: PackData, drawn: bool = False) -> str:
    """The pack as one HTML page; its charts still to be drawn (``drawn=False``: the page
    carries plotly.js and the figures' JSON) or given as images already."""
    view = data.glance
    sel = view.current.selection
    title = f"STLS committee pack: {sel.academic_year}, {render.terms_label(list(sel.terms))}"
    sentences = glance.what_changed(view)
    parts = [f"<h1>{_e(title)}</h1>", f"<p class='selection'>{_e(_selection(view))}</p>"]
    fresh = glance.freshness(data.loads, sel.academic_year, view.current.published_terms)
    parts.append(f"<p class='note'>{_e(fresh)}</p>")
    if view.current.illustrative:
        parts.append(f"<p class='notice'><strong>{_e(render.ILLUSTRATIVE)}</strong></p>")
    parts.append("<h2>What changed</h2><ul>")
    parts += [f"<li>{_e(s)}</li>" for s in sentences]
    parts.append("</ul>")
    charts_html = []
    for fig, alt in key_charts(data):
        charts_html.append(
            f"<figure><h3>{_e(charts.title_of(fig))}</h3>"
            f"<div data-figure='{_e(_figure_json(fig))}' data-alt='{_e(alt)}'></div>"
            f"<figcaption>{_e(alt)}</figcaption></figure>"
        )
    if charts_html:
        parts.append("<h2>Key charts</h2>" + "".join(charts_html))
    parts.append("<section class='tables'><h2>The committee tables</h2>")
    parts.append(
        "<p class='note'>Each figure as the committee report publishes it, on average per "
        "term over the terms chosen.</p>"
    )
    for table in grouped.report_tables(view.current, view.before, view.county):
        parts.append(_report_table(table))
    others = grouped.other_figures(view.current, view.before, view.phase)
    if len(others):
        parts.append(_frame_table(others, "Other committee figures"))
    parts.append("</section>")
    parts.append(_footnotes(data))
    body = "\n".join(parts)
    # Acronyms, spelt out once near the top, before any of them is used.
    words = html.unescape(re.sub(r"<[^>]+>", " ", body))
    key = glossary.key(glossary.used_in(words))
    if key:
        body = body.replace(
            "<h2>What changed</h2>",
            f"<p class='note'><strong>Acronyms.</strong> {_e(key)}</p><h2>What changed</h2>",
            1,
        )
    script = ""
    if not drawn:
        plotly_js = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text(
            encoding="utf-8"
        )
        script = f"<script>{plotly_js}</script><script>{SCRIPT}</script>"
    return (
        f"<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'>"
        f"<title>{_e(title)}</title><style>{STYLE}</style></head>"
        f"<body>{body}{script}</body></html>"
    )


def _footnotes(data: PackData) -> str:
    view = data.glance
    notes = render.notes(view.current)
    slip = funding_check.slip_note(data.total_checks, data.county_funding)
    items = [
        "<h2>Notes</h2>",
        "<h3>Sources</h3><ul>"
        + "".join(f"<li>{_e(s)}.</li>" for s in footnotes.sources())
        + "</ul>",
        "<h3>Symbols and suppression</h3><ul>"
        + "".join(f"<li>{_e(k)} {_e(v)}.</li>" for k, v in footnotes.SYMBOLS.items())
        + f"<li>{_e(footnotes.SUPPRESSION)}</li></ul>",
        "<h3>Definitions and rounding</h3>"
        f"<p>{_e(footnotes.POOLING)}</p><p>{_e(footnotes.ROUNDING)}</p>",
    ]
    selection_notes = [n for n in notes if n != render.ILLUSTRATIVE]
    if slip:
        selection_notes.append(slip)
    if selection_notes:
        items.append(
            "<h3>About these figures</h3><ul>"
            + "".join(f"<li>{_e(n)}</li>" for n in selection_notes)
            + "</ul>"
        )
    contact = (
        f"Questions about these figures: the STLS data steward, {data.contact}."
        if data.contact
        else "Questions about these figures: the STLS data steward."
    )
    items.append(f"<h3>Version</h3><p>{_e(_load_line(data))}</p><p>{_e(contact)}</p>")
    return "<section class='footnotes'>" + "".join(items) + "</section>"


def build(data: PackData, fmt: str) -> bytes:
    """The pack as HTML (charts as SVG images, no script) or as an A4 PDF."""
    if fmt not in FORMATS:
        raise ValueError(f"not a pack format: {fmt!r}")
    drawn = printing.static_html(html_page(data))
    if 'data-drawn="yes"' not in drawn:
        raise printing.PrintFailed("Chromium did not finish drawing the pack's charts")
    if fmt == "html":
        return drawn.encode("utf-8")
    return printing.pdf(drawn)


def file_name(selection: committee.Selection, fmt: str) -> str:
    who = (
        committee.COUNTY.lower()
        if selection.all_districts
        else "_".join(d.lower().replace(" ", "_") for d in selection.districts)
    )
    return (
        f"stls_committee_pack_{selection.academic_year}_"
        f"{contracts.format_terms(selection.terms).replace(',', '_')}_{who}.{fmt}"
    )
