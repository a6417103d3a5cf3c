"""Overview: the answer at a glance (what changed, in sentences and a chart), how fresh the
data are, the committee pack, then the committee tables grouped as the report groups them."""

from __future__ import annotations

import streamlit as st

from warehouse.dashboard import app_data, auth, filters, overview_view, ui
from warehouse.reporting import glance, grouped

ui.page_setup()
st.title("STLS Insight: overview")

years = app_data.available_years()
if not years:
    st.info("No termly returns have been published yet: the data steward loads each term's files.")
    st.stop()

chosen = filters.sidebar(filters.FIELDS, years, app_data.published_terms)
districts = overview_view.districts(chosen)
view = app_data.glance(chosen.year, chosen.terms, districts, chosen.phase)
current = view.current
previous = overview_view.previous_year(view)

# ---------------------------------------------------------------- freshness, selection
st.caption(glance.freshness(app_data.recent_loads(1), chosen.year, current.published_terms))
st.markdown(overview_view.selection_line(chosen, previous))

# ---------------------------------------------------------------- what changed
sentences = glance.what_changed(view)
ui.spell_out(*sentences)
st.header("What changed")
st.markdown(overview_view.what_changed_markdown(sentences))

headline = overview_view.headline_section(chosen, view, previous)
if headline is not None:
    ui.show(headline)

# ---------------------------------------------------------------- the committee pack
st.header("Committee pack")
st.markdown(
    "The committee tables as the report prints them, these sentences, the key charts and "
    "the notes on sources, symbols and suppression, laid out for A4."
)
pdf_name, html_name = overview_view.pack_file_names(current)
left, right = st.columns(2)
left.download_button(
    "Download the committee pack (PDF)",
    app_data.pack_file(chosen.year, chosen.terms, districts, chosen.phase, "pdf"),
    file_name=pdf_name,
    mime="application/pdf",
    icon=":material/picture_as_pdf:",
    key="download_pack_pdf",
    on_click="ignore",
)
right.download_button(
    "Download the committee pack (HTML)",
    app_data.pack_file(chosen.year, chosen.terms, districts, chosen.phase, "html"),
    file_name=html_name,
    mime="text/html",
    icon=":material/description:",
    key="download_pack_html",
    on_click="ignore",
)

# ---------------------------------------------------------------- committee tables
st.header("Committee tables")
st.caption(
    "Each figure as the committee report publishes it (whole percentages, whole pupils, "
    "whole pounds), for the terms chosen in both years. The change is worked out from "
    "unrounded figures; ▲ Improved and ▼ Worse say whether it moved the way that is good."
)
for group in grouped.groups(current, view.before, chosen.phase, view.county):
    st.subheader(group.heading, anchor=False)
    st.caption(group.note)
    st.table(group.frame, hide_index=True)
st.download_button(
    "Download the data: committee tables with change (CSV)",
    lambda: overview_view.comparison_csv(view, chosen.phase),  # written when pressed
    file_name=overview_view.comparison_file_name(chosen.year, previous),
    mime="text/csv",
    icon=":material/download:",
    key="download_comparison",
    on_click="ignore",
)
st.download_button(
    f"Download {chosen.year}'s committee tables, unrounded (CSV)",
    lambda: overview_view.report_csv(current),
    file_name=overview_view.report_file_name(chosen.year),
    mime="text/csv",
    icon=":material/download:",
    key="download_report_csv",
    on_click="ignore",
)
for note in overview_view.table_notes(current):
    st.caption(note)
ui.missing_notice(current.missing)
if auth.current_viewer().may_open(auth.DATA_QUALITY):
    st.page_link(
        "pages/data_quality.py",
        label="Data quality: loads, checks and held returns",
        icon=":material/arrow_forward:",
    )
