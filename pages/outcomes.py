"""Outcomes for supported children: how many children the service supported went on to need
an EHC plan within 12 and 24 months of their episode closing, beside similar children the
service never saw (shared/contracts.md, "Outcome definitions"), with the caveats in plain
words. Cohort figures for every role (counts of 1 to 4 as [c]); child-level rows for data
stewards only; a district lead sees their district and Kent."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from warehouse.core import safe_text
from warehouse.dashboard import app_data, auth, charts, outcomes_data, ui
from warehouse.reporting import outcomes
from warehouse.reporting.formatting import format_value

ui.page_setup()
st.title("Outcomes for supported children")

viewer = auth.current_viewer()
where = f"{viewer.district} and Kent" if viewer.restricted else "Kent"
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
BREAKDOWNS = {
    "district": "District",
    "phase": "Phase at referral",
    "closure_reason": "Closure reason",
}
followed = [y for y in years if all(outcomes_data.horizons_complete(y)[outcomes.COHORT].values())]
year = st.selectbox(
    "Episodes closed in (academic year)",
    years,
    index=years.index(followed[-1]) if followed else len(years) - 1,
    key="outcomes_year",
)
breakdown = st.radio(
    "Break the supported children down by",
    list(BREAKDOWNS),
    format_func=BREAKDOWNS.get,
    horizontal=True,
    key="outcomes_breakdown",
)
st.markdown(
    f"**Children whose episode with the service closed in {year} ({where}): how many had "
    "an EHC plan at a January census within 12 and 24 months of the close, beside the "
    "comparison group.**"
)

complete = outcomes_data.horizons_complete(year)
unfinished = sorted({m for side in complete.values() for m, done in side.items() if not done})
if unfinished:
    st.warning(
        f"Not every January census that falls within {' and '.join(map(str, unfinished))} "
        f"months of the {year} closes is published yet: those figures will still change.",
        icon=":material/schedule:",
    )

COUNT_UNITS = {outcomes.HEADINGS[c]: "count" for c in outcomes.COUNT_COLUMNS}
UNITS = {
    **COUNT_UNITS,
    outcomes.HEADINGS["ehcp_12_pct"]: "percent1",
    outcomes.HEADINGS["ehcp_24_pct"]: "percent1",
}
SUPPRESSION_NOTE = (
    "Counts of children from 1 to 4 are shown as [c], with another count of the same row "
    "or column hidden too where it could otherwise be worked out from a total; a "
    "percentage worked out from a hidden count is hidden with it."
)


def _shown(frame: pd.DataFrame, label: str, by_district: bool) -> tuple[pd.DataFrame, int]:
    # A district lead's district table is Kent and one district: its rows do not add up.
    result = outcomes.suppressed(frame, rows_add_up=not (by_district and viewer.restricted))
    values = result.values[list(outcomes.HEADINGS)].rename(columns=outcomes.HEADINGS)
    values.insert(0, label, [safe_text.markdown_text(str(v)) for v in values.index])
    return values.reset_index(drop=True), result.hidden_cells


cohort = outcomes_data.table(year, outcomes.COHORT, breakdown)
comparison = outcomes_data.table(year, outcomes.COMPARISON, "district")
cohort_shown, cohort_hidden = _shown(
    cohort, BREAKDOWNS[breakdown].split(" ")[0], breakdown == "district"
)
comparison_shown, comparison_hidden = _shown(comparison, "District", True)

# ---------------------------------------------------------------- headline figures
kent_cohort, kent_comparison = cohort_shown.iloc[0], comparison_shown.iloc[0]
columns = st.columns(4)
for column, (label, row, key) in zip(
    columns,
    [
        ("Supported: EHC plan within 12 months", kent_cohort, "ehcp_12_pct"),
        ("Comparison: EHC plan within 12 months", kent_comparison, "ehcp_12_pct"),
        ("Supported: EHC plan within 24 months", kent_cohort, "ehcp_24_pct"),
        ("Comparison: EHC plan within 24 months", kent_comparison, "ehcp_24_pct"),
    ],
    strict=True,
):
    column.metric(f"{label} (Kent)", format_value(row[outcomes.HEADINGS[key]], "percent1"))

# ---------------------------------------------------------------- tables
st.header(f"Supported children, by {BREAKDOWNS[breakdown].lower()}")
ui.data_table(
    cohort_shown,
    UNITS,
    f"Supported children whose episode closed in {year}, by {BREAKDOWNS[breakdown].lower()}",
    f"stls_outcomes_{year}_{breakdown}.csv",
    expanded=True,
)
st.caption(
    "Children not followed (no January census within the horizon: they left Kent's "
    "schools, or the census has not happened yet) are shown, never counted as not "
    "escalated. Children who already had a plan when their episode opened are left out "
    "of what follows."
)
if cohort_hidden or comparison_hidden:
    st.caption(SUPPRESSION_NOTE)

st.header("Comparison group, by district")
ui.data_table(
    comparison_shown,
    UNITS,
    f"Comparison group of {year}, by district",
    f"stls_outcomes_comparison_{year}.csv",
    expanded=True,
)
st.caption(
    f"Children at SEN Support in the January {int(year[:4]) + 1} census who had never been "
    "open to the service by census day, followed from census day the same way."
)

# ---------------------------------------------------------------- cohort curves
st.header("Share with an EHC plan, by months since the episode closed")
places = [None, *viewer.allowed_districts()] if viewer.restricted else [None]
if not viewer.restricted:
    places += list(viewer.allowed_districts())
place = st.selectbox(
    "Curves for",
    places,
    format_func=lambda p: "Kent" if p is None else p,
    index=len(places) - 1 if viewer.restricted else 0,
    key="outcomes_curve_place",
)
curve = outcomes.suppressed_curve(outcomes_data.curve(year, place))
CURVE_NAMES = {
    "group": "Group",
    "months_since_band": "Months since",
    "children_seen": "Children seen in a census",
    "with_plan": "With an EHC plan",
    "with_plan_pct": "% with an EHC plan",
}
curve_table = curve[list(CURVE_NAMES)].rename(columns=CURVE_NAMES)
curve_table["Months since"] = [f"{m} to {m + 5}" for m in curve["months_since_band"]]
place_name = "Kent" if place is None else place
fig = charts.lines(
    curve_table,
    "Months since",
    "% with an EHC plan",
    "Group",
    "percent1",
    f"Supported children and the comparison group with an EHC plan over time, {place_name}",
    "Months since the episode closed (comparison group: since census day)",
    "With an EHC plan (%)",
)
ui.chart(
    fig,
    curve_table,
    {
        "Children seen in a census": "count",
        "With an EHC plan": "count",
        "% with an EHC plan": "percent1",
    },
    f"Share with an EHC plan by months since, {place_name}, {year}",
    f"stls_outcomes_curve_{year}_{'kent' if place is None else ui.slug(place)}.csv",
    alt=(
        f"Line chart for {place_name}: of the supported children whose episode closed in "
        f"{year} (one line) and the comparison group (another), the percentage with an "
        "EHC plan in the January censuses that fell 0 to 5, 6 to 11, 12 to 17 months "
        "and so on after the close (or census day); points with too few children are "
        "left out as [c]."
    ),
)

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
