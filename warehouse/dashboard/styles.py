"""The dashboard's own style sheet: contrast, phones and paper.

* Captions dark enough for WCAG AA (Streamlit's pale grey is below 4.5:1).
* Phones (390 px): headings and long words wrap instead of being cut; a table scrolls
  inside its own box, never the page; a chart is never wider than the column.
* Print: the page alone, on A4, without the sidebar, the toolbar, buttons, filters,
  closed tables or chart tools; a chart, table or notice is not split across pages.

Served inline with the page (``apply``): nothing is fetched from anywhere else.
"""

from __future__ import annotations

import streamlit as st

CSS = """
[data-testid='stCaptionContainer'], [data-testid='stCaptionContainer'] p {
  color: #505A5F !important; opacity: 1 !important;
}
[data-testid='stMainBlockContainer'] h1, [data-testid='stMainBlockContainer'] h2,
[data-testid='stMainBlockContainer'] h3, [data-testid='stMarkdownContainer'] p,
[data-testid='stAlert'] p {
  overflow-wrap: anywhere; white-space: normal;
}
[data-testid='stTable'], [data-testid='stTableStyledTable'] {
  max-width: 100%; overflow-x: auto;
}
[data-testid='stTable'] th, [data-testid='stTable'] td { overflow-wrap: anywhere; }
[data-testid='stPlotlyChart'], [data-testid='stPlotlyChart'] > div { max-width: 100%; }
[data-testid='stMetricValue'] div { overflow-wrap: anywhere; white-space: normal; }
@media (max-width: 640px) {
  [data-testid='stMainBlockContainer'] { padding-left: 1rem; padding-right: 1rem; }
  [data-testid='stMainBlockContainer'] h1 { font-size: 1.9rem; }
  [data-testid='stMainBlockContainer'] h2 { font-size: 1.45rem; }
  [data-testid='stMainBlockContainer'] h3 { font-size: 1.15rem; }
  /* A table fits the phone's width: its columns share the width and its cells wrap, so it
     never needs a sideways-scrolling box (which a keyboard could not reach). */
  [data-testid='stTable'] table { width: 100% !important; table-layout: fixed; }
  [data-testid='stTable'] th, [data-testid='stTable'] td {
    white-space: normal !important; word-break: break-word; padding: 0.25rem !important;
    font-size: 0.8rem;
  }
}
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  [data-testid='stSidebar'], [data-testid='stHeader'], [data-testid='stToolbar'],
  [data-testid='stDecoration'], [data-testid='stSidebarCollapsedControl'],
  [data-testid='stExpandSidebarButton'], [data-testid='stStatusWidget'],
  [data-testid='stDownloadButton'], [data-testid='stButton'], [data-testid='stPageLink'],
  [data-testid='stRadio'], [data-testid='stSelectbox'], [data-testid='stMultiSelect'],
  [data-testid='stExpander']:has(details:not([open])), .modebar-container,
  [data-testid='stElementToolbar'] {
    display: none !important;
  }
  [data-testid='stAppViewContainer'], [data-testid='stMain'] { position: static !important; }
  [data-testid='stMainBlockContainer'] {
    max-width: 100% !important; padding: 0 !important; margin: 0 !important;
  }
  [data-testid='stPlotlyChart'], [data-testid='stTable'], [data-testid='stAlert'],
  [data-testid='stMetric'] {
    break-inside: avoid; page-break-inside: avoid;
  }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
}
"""


def apply() -> None:
    """Put the style sheet on the page (call once per run, before the page)."""
    st.html(f"<style>{CSS}</style>")
