"""Outcomes for supported children: how many children the service supported went on to need
an EHC plan within 12 and 24 months of their episode closing, beside similar children the
service never saw (shared/contracts.md, "Outcome definitions"), with the caveats in plain
words. Cohort figures for every role (counts of 1 to 4 as [c]); child-level rows for data
stewards only; a district lead sees their district and Kent."""

from __future__ import annotations

import streamlit as st

from warehouse.dashboard import app_data, auth, outcomes_data, outcomes_view, ui

ui.page_setup()
st.title("Outcomes for supported children")

viewer = auth.current_viewer()
where = outcomes_view.coverage(viewer)
years = outcomes_data.closed_years()
if not years:
    st.info(
        f"No child-level data (caseload episodes and pupil-level censuses) has been "
        f"published yet for {where}: load the episodes extract and the January censuses."
    )
    st.stop()

if app_data.illustrative():
    st.caption(
        "The child-level records in this demo are invented children, made up from a fixed "
        "seed: no real child is in them, and their outcomes say nothing about the service."
    )
year = st.selectbox(
    "Episodes closed in (academic year)",
    years,
    index=outcomes_view.default_year_index(years),
    key="outcomes_year",
)
breakdown = st.radio(
    "Break the supported children down by",
    list(outcomes_view.BREAKDOWNS),
    format_func=outcomes_view.BREAKDOWNS.get,
    horizontal=True,
    key="outcomes_breakdown",
)
st.markdown(
    f"**Children whose episode with the service closed in {year} ({where}): how many had "
    "an EHC plan at a January census within 12 and 24 months of the close, beside the "
    "comparison group.**"
)

unfinished = outcomes_view.unfinished_warning(year)
if unfinished:
    st.warning(unfinished, icon=":material/schedule:")

cohort, comparison = outcomes_view.tables(year, breakdown, viewer)

# ---------------------------------------------------------------- headline figures
columns = st.columns(4)
for column, (label, value) in zip(
    columns, outcomes_view.headlines(cohort, comparison), strict=True
):
    column.metric(label, value)

# ---------------------------------------------------------------- tables
st.header(outcomes_view.cohort_header(breakdown))
shown = outcomes_view.cohort_table(cohort, year, breakdown)
ui.show_table(shown, expanded=True)
st.caption(
    "Children not followed (no January census within the horizon: they left Kent's "
    "schools, or the census has not happened yet) are shown, never counted as not "
    "escalated. Children who already had a plan when their episode opened are left out "
    "of what follows."
)
for note in outcomes_view.suppression_notes(cohort, comparison):
    st.caption(note)

st.header("Comparison group, by district")
shown = outcomes_view.comparison_table(comparison, year)
ui.show_table(shown, expanded=True)
st.caption(outcomes_view.comparison_caption(year))

# ---------------------------------------------------------------- cohort curves
st.header("Share with an EHC plan, by months since the episode closed")
places = outcomes_view.curve_places(viewer)
place = st.selectbox(
    "Curves for",
    places,
    format_func=outcomes_view.place_name,
    index=outcomes_view.curve_place_index(viewer, places),
    key="outcomes_curve_place",
)
ui.show(outcomes_view.curve_chart(year, place))

# ---------------------------------------------------------------- caveats
st.header("What these figures can and cannot say")
st.info(
    "**This is not a controlled comparison.** The children the service supported were "
    "referred because a school was worried about them: referral itself marks higher "
    "need, so they would be expected to need an EHC plan more often than the comparison "
    "group even if support made no difference at all. A higher rate among supported "
    "children is therefore not evidence that support does harm, and a lower one would not "
    "by itself prove it works.\n\n"
    "Children not followed (who left Kent's schools, or whose next census has not "
    "happened yet) are not counted as having avoided a plan. A year whose 24 months are "
    "not over yet will still rise.\n\n"
    "**What would make the comparison fairer:** comparing children with similar need "
    "before referral (the same SEN status, year group, school and prior attainment, "
    "matched or weighted), children referred but not yet seen (a waiting list), or "
    "districts that started the service at different times; and following children "
    "for longer.",
    icon=":material/info:",
)

# ---------------------------------------------------------------- child level (stewards)
if viewer.role == auth.DATA_STEWARD:
    with st.expander(f"Child-level rows for {year} (data stewards only)"):
        st.caption(
            "Each child of the cohort and the comparison group at each horizon, by the "
            "council's keyed hash (never a UPN or a name). Not for sharing."
        )
        st.dataframe(outcomes_data.child_rows(year), hide_index=True)
