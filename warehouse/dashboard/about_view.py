"""What the "About the data" page shows, worked out before it is drawn: the published
definitions, the analyses the pages add, the measure catalogue of the termly return, and the
sentences that depend on the warehouse (its documentation, the steward's contact, the county
SLA total). The page lays them out."""

from __future__ import annotations

import pandas as pd

from warehouse.core import contracts, figures, paths, safe_text, settings
from warehouse.dashboard import app_data
from warehouse.dashboard.sections import TableSection
from warehouse.reporting import analysis, footnotes, funding_check

UNITS_IN_WORDS = {"percent": "%", "GBP": "£", "pupils": "pupils", "events": "events"}


def shown_as(figure: figures.Figure) -> str:
    """How a figure is shown: its unit in words, and its decimal places if any."""
    places = f", {figure.decimals} decimal place" if figure.decimals else ""
    return UNITS_IN_WORDS[figure.unit] + places


def definitions() -> TableSection:
    """Every figure of the catalogue: its definition, source and how it is shown."""
    sources = app_data.figure_sources()
    table = pd.DataFrame(
        [
            {
                "Figure": figure.title,
                "Definition": figure.definition,
                "Source": sources.get(figure.key, ""),
                "Shown as": shown_as(figure),
                "In the committee tables": "Yes" if figure.in_committee_tables else "No",
            }
            for figure in figures.catalogue().values()
        ]
    )
    return TableSection(table, {}, "Published definitions", "stls_definitions.csv")


def docs_note() -> str | None:
    """Where the warehouse's documentation (dbt) is, when it has been built."""
    if not paths.DBT_DOCS.exists():
        return None
    return (
        f"Every model, column and test of the warehouse, and which page reads what, is in "
        f"[the warehouse's documentation (dbt)]({paths.DBT_DOCS_URL})."
    )


def analyses() -> TableSection:
    """What the pages work out from the published figures."""
    table = pd.DataFrame(
        [
            {"Analysis": name, "What it is": description}
            for name, description in analysis.ANALYSES.items()
        ]
    )
    return TableSection(table, {}, "What the pages work out", "stls_page_analyses.csv")


def measure_catalogue() -> TableSection:
    """Every measure of the termly return, its meaning and the phases it is returned for."""
    table = pd.DataFrame(
        [
            {
                "Measure": m.label,
                "Meaning": m.description,
                "Phases": ", ".join(p.replace("_", " ") for p in m.allowed_phases),
            }
            for m in contracts.measures()
        ]
    )
    return TableSection(table, {}, "Measure catalogue", "stls_measure_catalogue.csv")


def steward_line() -> str:
    """Who the STLS data steward is (received text: never read as Markdown)."""
    contact = settings.steward_contact()
    return "**The STLS data steward:** " + (
        safe_text.markdown_text(contact)
        if contact
        else "not set up yet (the council sets the steward's contact for this dashboard)."
    )


def county_total_note() -> str | None:
    """The county SLA total is the sum of the districts' SLAs here; the funding file (and
    the committee report) state a total £1 different: why, for the latest year, as
    Markdown-safe text (it quotes the file's name), or None when the totals agree or no
    year is published."""
    years = app_data.available_years()
    if not years:
        return None
    checks = app_data.county_total_checks(years[0])
    total = app_data.county_funding_row(years[0], tuple(app_data.published_terms(years[0])))
    note = funding_check.slip_note(checks, total["budget"])
    return safe_text.markdown_text(note) if note else None


# What only the dashboard does with its figures, beside the words it shares with the pack.
DASHBOARD_ROUNDING = (
    "Thousands are separated by commas: £5,856,469. Charts round money to what a reader "
    "needs (£144k, £5.86m); the table under each chart keeps the pound."
)
DOWNLOADS = (
    "Every chart has its data as a table and a CSV download holding the figures shown, with "
    "the same symbols."
)


def symbols_and_rounding() -> str:
    """The symbols, suppression and rounding as a Markdown list: the committee pack's own
    words (``reporting.footnotes``), then what only the dashboard does."""
    lines = [f"- **{symbol}** {meaning}." for symbol, meaning in footnotes.SYMBOLS.items()]
    lines += [
        f"- {footnotes.SUPPRESSION}",
        f"- {footnotes.ROUNDING} {DASHBOARD_ROUNDING}",
        f"- {DOWNLOADS}",
    ]
    return "\n".join(lines)
