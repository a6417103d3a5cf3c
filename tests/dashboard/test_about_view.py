"""The "About the data" page's tables, built from the catalogues without a warehouse."""

from __future__ import annotations

from warehouse.core import contracts, figures
from warehouse.dashboard import about_view
from warehouse.reporting import analysis, footnotes


def test_a_figure_is_shown_as_its_unit_and_places():
    catalogue = figures.catalogue().values()
    with_places = next(f for f in catalogue if f.decimals)
    assert about_view.shown_as(with_places).endswith(f", {with_places.decimals} decimal place")
    whole = next(f for f in catalogue if not f.decimals)
    assert about_view.shown_as(whole) == about_view.UNITS_IN_WORDS[whole.unit]


def test_the_measure_catalogue_names_phases_in_words():
    section = about_view.measure_catalogue()
    assert len(section.table) == len(contracts.measures())
    assert not section.table["Phases"].str.contains("_").any()
    assert section.file_name == "stls_measure_catalogue.csv"


def test_the_analyses_table_lists_every_analysis():
    section = about_view.analyses()
    assert list(section.table["Analysis"]) == list(analysis.ANALYSES)


def test_the_symbols_are_the_committee_packs_own_words():
    """About the data lists the symbols, suppression and rounding in the words the pack
    prints (``reporting.footnotes``), not a copy that could drift from them."""
    text = about_view.symbols_and_rounding()
    for symbol, meaning in footnotes.SYMBOLS.items():
        assert f"- **{symbol}** {meaning}." in text
    assert footnotes.SUPPRESSION in text and footnotes.ROUNDING in text
    assert about_view.DOWNLOADS in text
