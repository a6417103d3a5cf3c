"""Funding per pupil: what each district's SLA funding buys per pupil, against engagement,
and beside a needs-based split of the same total."""

from __future__ import annotations

import streamlit as st

from warehouse.dashboard import app_data, filters, funding_view, ui

ui.page_setup()
st.title("Funding per pupil")

years = app_data.available_years()
if not years:
    st.info("No termly returns have been published yet.")
    st.stop()

chosen = filters.sidebar(
    (filters.YEAR, filters.TERMS, filters.AREA, filters.DISTRICT), years, app_data.published_terms
)
basis = filters.choice("basis", "SLA funding", funding_view.BASES)
districts = funding_view.district_funding(chosen)
if not funding_view.has_funding(districts):
    st.info(f"No SLA funding has been published for {chosen.year}.")
    st.stop()

st.markdown(funding_view.intro(chosen))
ui.spell_out("SLA funding", "pupils with SEN")  # the acronyms of the sentence above

# The chosen districts and their comparator (the chosen districts together, or Kent as a
# whole for a viewer who sees only their own district), suppressed.
funding = funding_view.funding(chosen, basis, districts)

# ---------------------------------------------------------------- sorted bars
st.header(funding_view.bars_header(funding))
ui.show(funding_view.bars(funding))
ui.show_table(funding_view.all_measures(funding))

# ---------------------------------------------------------------- funding vs engagement
st.header(funding_view.link_header(funding))
link = funding_view.engagement_link(funding)
if link.section is None:
    st.info(link.notice)
else:
    ui.show(link.section)

# ---------------------------------------------------------------- needs-based split
st.header("Historical allocation against a needs-based split")
ui.show(funding_view.needs_split(funding))
