"""EHCP trends against inclusion: EHC plan and SEN support rates by district across census
years, and the change in EHC plan rate against the service's inclusion measures."""

from __future__ import annotations

import streamlit as st

from warehouse.core import safe_text
from warehouse.dashboard import app_data, benchmark_charts, charts, ehcp_view, filters, ui

ui.page_setup()
st.title("EHCP trends against inclusion")

years = app_data.available_years()
if not years:
    st.info("No termly returns have been published yet.")
    st.stop()

chosen = filters.sidebar(
    (filters.YEAR, filters.PHASE, filters.AREA, filters.DISTRICT), years, app_data.published_terms
)
census_year = ehcp_view.census_year(chosen)
st.markdown(ehcp_view.heading(chosen))
# The title's EHCP, SEN Support, and LIFT among the inclusion measures, spelt out.
ui.spell_out("EHCP", "SEN Support", "Settings attending LIFT")

by_district = ehcp_view.district_rates(chosen)
if by_district.empty:
    st.info(f"No census up to January {census_year} has been published.")
    st.stop()
rates = ehcp_view.census_rates(chosen, by_district)

st.header(ehcp_view.rates_header(rates))
rate = filters.choice("rate", "Rate", ehcp_view.RATES)
ui.show(ehcp_view.rate_chart(rates, rate, chosen))

# ---------------------------------------------------------------- the county and England (DfE)
national = ehcp_view.dfe_rates()
if national is not None:
    st.header("The county and England: DfE's published EHC plan and SEN support rates")
    st.caption(ehcp_view.DFE_CAPTION)
    nat_fig, nat_alt = benchmark_charts.ehcp_context(national)
    st.plotly_chart(nat_fig, theme=None, config=charts.CONFIG, key="chart_dfe", alt=nat_alt)
    st.caption(safe_text.markdown_text(nat_alt))
    ui.show_table(ehcp_view.dfe_table(national))

# ---------------------------------------------------------------- change vs inclusion
st.header("Change in EHC plan rate against inclusion measures")
inclusion_measure = filters.choice("inclusion", "Inclusion measure", ehcp_view.MEASURES)
change = ehcp_view.ehcp_change(chosen)
if not ehcp_view.has_change(change):
    st.info(
        f"The census before January {census_year} is needed to show a change: choose a later "
        "academic year."
    )
    st.stop()
link = ehcp_view.link(change, inclusion_measure)
if not link.can_be_judged:
    # No correlation over one district (a district lead's view): its own rates over time
    # against Kent are in the chart above.
    st.markdown(ehcp_view.too_few_words(link, inclusion_measure, chosen))
else:
    ui.show(ehcp_view.change_chart(change, inclusion_measure, link, chosen))
    st.subheader("Correlation, in numbers and words")
    st.markdown(ehcp_view.link_sentence(link, inclusion_measure))
    st.warning(ehcp_view.CAUSE_WARNING, icon=":material/warning:")
    ui.show_table(ehcp_view.correlations(change, chosen))
