"""District engagement: settings engaging, attending LIFT and attending training by district,
phase and term; caseload and active support by district."""

from __future__ import annotations

import streamlit as st

from warehouse.dashboard import app_data, engagement_view, filters, ui

ui.page_setup()
st.title("District engagement")

years = app_data.available_years()
if not years:
    st.info("No termly returns have been published yet.")
    st.stop()

chosen = filters.sidebar(filters.FIELDS, years, app_data.published_terms)
measure = filters.choice("measure", "Measure", engagement_view.measure_labels())
st.markdown(engagement_view.intro(chosen, measure))
# Acronyms the page uses (the measures it offers name LIFT), spelt out at first use.
ui.spell_out(*engagement_view.acronym_texts(measure))

data = engagement_view.engagement(chosen, measure)
ui.missing_notice(engagement_view.missing(chosen))
if not engagement_view.has_returns(data):
    st.info(f"No published returns for {chosen.describe()}.")
    st.stop()

# ---------------------------------------------------------------- districts against county
st.header(engagement_view.districts_header(data))
ui.show(engagement_view.districts_section(data))

# ---------------------------------------------------------------- heat map
st.header("District by term")
ui.show(engagement_view.heat_section(data))

# ---------------------------------------------------------------- over terms by phase
st.header("Over the terms, by phase")
ui.show(engagement_view.trend_section(data))

# ---------------------------------------------------------------- caseload
st.header("Caseload and active support by district")
ui.show(engagement_view.caseload_section(chosen))
