"""About the data: definitions, the measure catalogue, sources, symbols and accessibility."""

from __future__ import annotations

import streamlit as st

from warehouse.core import glossary
from warehouse.dashboard import about_view, app_data, ui
from warehouse.reporting import benchmarks

ui.page_setup()
st.title("About the data")

if app_data.illustrative():
    st.markdown(
        "**The figures in this warehouse are illustrative.** They come from the demo data "
        "bundled with STLS Insight. Only the county totals are calibrated to the July 2024 "
        "committee report; the split between districts is invented. Do not quote district "
        "figures from it."
    )

# Acronyms, spelt out before the page first uses them.
st.caption(glossary.key(glossary.terms()))

st.header("Where the figures come from")
st.markdown(
    """
- **Termly returns**: each of the 12 district teams sends one return per term (settings
  engaged, LIFT, caseload, targets and more). Only returns that pass the data-quality checks
  are published; a district that has not sent a term is unknown, not zero.
- **January school census** (the census team): settings, pupils on roll, SEN Support and EHC
  plans per district and phase. The January census of calendar year Y belongs to academic
  year (Y-1)-Y; if it is missing, the latest earlier census is used and the page says so.
- **SLA funding** (finance): each district's service level agreement for the year; the
  SLA's stated total is the figure used.

Every figure is worked out by the same code as the committee report's tables, from the
warehouse's published figures. Kent has six terms a year: 1 = September to October ...
6 = June to July.
"""
)

st.header("England's councils: DfE's published figures (real)")
st.markdown(
    f"""
The "among councils" page shows **real official statistics**, as the Department for
Education publishes them for every English local authority in its Local Authority Interactive
Tool (LAIT): its indicators, its statistical-neighbour groups and each indicator's polarity.
They are loaded like any source (Source 4), never changed, and shown with DfE's own
comparisons: the neighbours' mean, quartile bands A-D and ranks (only where DfE says which
way is better; EHC plan rates are neither). {benchmarks.ATTRIBUTED} The district figures
elsewhere are the council's own returns (in the demo: illustrative).
"""
)

st.header("Published definitions")
st.markdown(
    "All rates are **pooled**: the sum of the numerator over the chosen districts and terms "
    "divided by the sum of the denominator over the same districts and terms. Only "
    "district-terms with a published return count, in the numerator and the denominator "
    "alike. **Average per term** counts are the sum over districts, averaged over the chosen "
    "terms that have at least one published return."
)
definitions = about_view.definitions()
ui.show_table(definitions, expanded=True)
docs_note = about_view.docs_note()
if docs_note:
    st.markdown(docs_note)
st.subheader("What the pages work out from the figures")
added = about_view.analyses()
ui.show_table(added, expanded=True)

st.header("Measure catalogue of the termly return")
catalogue = about_view.measure_catalogue()
ui.show_table(catalogue, expanded=True)

st.header("Symbols and rounding")
st.markdown(about_view.symbols_and_rounding())

st.header("Accessibility statement")
st.markdown(
    """
STLS Insight aims to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA,
as the Public Sector Bodies Accessibility Regulations 2018 require.

- Every chart has an active title saying what it shows, a text description, and its data
  as a table and as a CSV file.
- Charts use the Government Statistical Service colour palette, and never colour alone:
  series also differ by marker shape, line style or bar pattern, and figures are written on
  the charts.
- Filters are labelled form controls that work with a keyboard, and are kept in the page
  address, so a view can be bookmarked or shared.
- Each page is checked in a real browser by automated tests (axe-core) for serious and
  critical accessibility problems.

**Known limitations.** The interactive charts' hover labels are not announced by screen
readers: use the table under each chart instead. Heat map cells are labelled with their
figures, but the shading itself carries no extra information.

If you find a problem, or need the figures in another format, contact the STLS data
steward (below). We aim to reply within 5 working days. If you are not happy with our response,
contact the Equality Advisory and Support Service (EASS).
"""
)

st.markdown(about_view.steward_line())

# The county SLA total: the sum of the districts' SLAs here; the funding file (and the
# committee report) state a total £1 different. Say so where both totals can be met.
note = about_view.county_total_note()
if note:
    st.header("The county SLA total")
    st.markdown(note)
