"""Page building blocks: a chart with its text alternative, data table and CSV download."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from warehouse.core import glossary, safe_text
from warehouse.dashboard import charts
from warehouse.dashboard.sections import ChartSection, TableSection
from warehouse.reporting import formatting

# A data table's expander is keyed TABLE_KEY_PREFIX + its file's slug: its state in
# ``st.session_state`` says whether the table is open.
TABLE_KEY_PREFIX = "table_"


def table_key(file_name: str) -> str:
    """The widget key of the expander holding the table downloaded as ``file_name``."""
    return TABLE_KEY_PREFIX + safe_text.slug(file_name)


def data_table(
    table: pd.DataFrame,
    units: Mapping[str, str],
    name: str,
    file_name: str,
    expanded: bool = False,
) -> None:
    """A table of figures (formatted for reading) and the same figures as CSV.

    The table is drawn only while its expander is open: the expander tracks its state
    (``on_change="rerun"``), and opening it re-runs the page with the table in it. A closed
    table costs the browser nothing; drawn, each of its cells is a Markdown element, and a
    chart's tables were 726 of the 765 Markdown elements of the EHCP page (docs/performance.md).
    The CSV is offered either way, and written when its button is pressed: the table shown
    is the one downloaded, and a run no longer writes a CSV per chart that nobody asked for
    (on a filter change, 62 ms of the District engagement page's 498 ms in AppTest).

    ``st.table`` renders every cell as Markdown, so the text columns (labels: districts,
    phases, terms) go through ``safe_text.markdown_text``; the figures are the product's
    own formatting. The CSV neutralises formulas (``formatting.csv_bytes``)."""
    box = st.expander(
        f"Table: {name}", expanded=expanded, key=table_key(file_name), on_change="rerun"
    )
    if box.open:
        with box:
            st.table(_markdown_safe(formatting.display_frame(table, units), units), hide_index=True)
    st.download_button(
        f"Download the data: {name} (CSV)",
        lambda: formatting.csv_bytes(table, units),
        file_name=file_name,
        mime="text/csv",
        icon=":material/download:",
        key=f"download_{safe_text.slug(file_name)}",
        on_click="ignore",
    )


def _markdown_safe(shown: pd.DataFrame, units: Mapping[str, str]) -> pd.DataFrame:
    """The label cells of a displayed table as Markdown-safe text (symbols kept as they
    are: "[x]" is already plain text in Markdown). The headings are the product's own."""
    out = shown.copy()
    for column in out.columns:
        if column not in units:
            out[column] = out[column].map(
                lambda v: v if v in formatting.SYMBOLS else safe_text.markdown_text(v)
            )
    return out


def chart(
    fig: go.Figure,
    table: pd.DataFrame,
    units: Mapping[str, str],
    name: str,
    file_name: str,
    alt: str,
    notes: Sequence[str] = (),
) -> None:
    """A chart under its title (text, which wraps on a phone), a caption saying what it
    shows, its data as a table, and a CSV download."""
    st.subheader(charts.title_of(fig), anchor=False)
    st.plotly_chart(
        fig, theme=None, config=charts.CONFIG, key=f"chart_{safe_text.slug(file_name)}", alt=alt
    )
    st.caption(alt)
    for note in notes:
        st.caption(note)
    data_table(table, units, name, file_name)


def show(section: ChartSection) -> None:
    """A chart worked out by a page's module (``sections.ChartSection``), as ``chart``."""
    data = section.data
    chart(
        section.fig,
        data.table,
        data.units,
        data.name,
        data.file_name,
        alt=section.alt,
        notes=section.notes,
    )


def show_table(section: TableSection, expanded: bool = False) -> None:
    """A table worked out by a page's module, as ``data_table``."""
    data_table(section.table, section.units, section.name, section.file_name, expanded)


def missing_notice(missing: Sequence[tuple[str, int]]) -> None:
    """Say which district-terms have no published return: they are unknown, not zero."""
    if not missing:
        return
    by_district: dict[str, list[int]] = {}
    for district, term in missing:
        by_district.setdefault(district, []).append(term)
    listed = "; ".join(
        f"{d} (term{'s' if len(t) > 1 else ''} {', '.join(map(str, t))})"
        for d, t in by_district.items()
    )
    st.warning(
        f"No published return for {listed}. These district-terms are unknown, not zero: "
        "they are left out of numerators and denominators alike, and shown as [x].",
        icon=":material/help:",
    )


def page_setup() -> None:
    """Make sure ``app.py`` frames this page: call it first in every page file.

    Streamlit treats a folder named ``pages`` beside the app as its older multipage layout
    until ``st.navigation`` has run once in the process: the first request after the server
    starts (or every AppTest run) for a page other than the overview would run the page
    file alone, without the app's navigation, banner and styles. Switching to
    ``st.navigation`` and rerunning puts the page back inside ``app.py``.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def spell_out(*texts: str) -> None:
    """A line spelling out the acronyms the texts use (``core.glossary``): call it with the
    page's first text that uses them, before or beside it."""
    used = glossary.used_in(" ".join(texts))
    if used:
        st.caption(glossary.key(used))


def status_notice(kind: str, text: str) -> None:
    """A return's status as a notice: the words say it, the colour and icon repeat it. The
    text may quote a received file (a held return's reason): never read as Markdown."""
    shown = safe_text.markdown_text(text)
    if kind == "published":
        st.success(shown, icon=":material/check_circle:")
    elif kind == "missing":
        st.warning(shown, icon=":material/help:")
    else:
        st.error(shown, icon=":material/block:")
