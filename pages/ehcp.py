"""EHCP trends against inclusion: EHC plan and SEN support rates by district across census
years, and the change in EHC plan rate against the service's inclusion measures."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from warehouse.core import contracts, figures, safe_text
from warehouse.dashboard import (
    app_data,
    benchmark_charts,
    charts,
    filters,
    national_data,
    titles,
    ui,
)
from warehouse.dashboard.filters import PHASES
from warehouse.reporting import analysis, national_context, stats
from warehouse.reporting.suppression import hide_derived, suppress

ui.page_setup()
st.title("EHCP trends against inclusion")

years = app_data.available_years()
if not years:
    st.info("No termly returns have been published yet.")
    st.stop()

chosen = filters.sidebar(
    (filters.YEAR, filters.PHASE, filters.AREA, filters.DISTRICT), years, app_data.published_terms
)
districts = chosen.chosen_districts
comparator = chosen.comparator
census_year = contracts.census_year_for(chosen.year)
phase_label = PHASES[chosen.phase].lower()
st.markdown(
    f"**Pupils with an EHC plan and on SEN Support, January census up to {census_year} "
    f"(the census of {chosen.year}): {phase_label}, "
    + ("all 12 districts" if chosen.all_districts else ", ".join(districts))
    + ".**"
)
# The title's EHCP, SEN Support, and LIFT among the inclusion measures, spelt out.
ui.spell_out("EHCP", "SEN Support", "Settings attending LIFT")

by_district = app_data.view(
    analysis.census_rates, analysis.CENSUS_FIGURES, None, chosen.phase, districts
)
by_district = by_district[by_district["census_year"] <= census_year]
if by_district.empty:
    st.info(f"No census up to January {census_year} has been published.")
    st.stop()
together = (
    app_data.county_census_rates(chosen.phase)
    if chosen.restricted  # compared with Kent as a whole, not the districts shown
    else app_data.view(
        analysis.census_rates,
        analysis.CENSUS_FIGURES,
        None,
        chosen.phase,
        districts,
        by_district=False,
    )
)
together = together[together["census_year"] <= census_year]
first_year = int(by_district["census_year"].min())

# ---------------------------------------------------------------- counts, suppressed
years_shown = sorted(by_district["census_year"].unique())
long = pd.concat([by_district, together.assign(district=comparator)], ignore_index=True)
lines = []
for year in years_shown:
    idx = list(long.index[long["census_year"] == year])
    lines.append([(i, "ehcp") for i in idx])
    lines.append([(i, "sen_support") for i in idx])
result = suppress(long, ["ehcp", "sen_support"], lines)
result = hide_derived(result, {"ehcp_rate_pct": ["ehcp"], "sen_support_rate_pct": ["sen_support"]})
values = result.values
NAMES = {
    "district": "District",
    "census_year": "Census year",
    "pupils": "Pupils on roll",
    "sen_support": "Pupils on SEN Support",
    "ehcp": "Pupils with an EHC plan",
    "sen_support_rate_pct": figures.figure("sen_support_rate_pct").column,
    "ehcp_rate_pct": figures.figure("ehcp_rate_pct").column,
}
UNITS = {
    "Pupils on roll": "count",
    "Pupils on SEN Support": "count",
    "Pupils with an EHC plan": "count",
    NAMES["sen_support_rate_pct"]: "percent1",
    NAMES["ehcp_rate_pct"]: "percent1",
}
table = values[list(NAMES)].rename(columns=NAMES)
table["Census year"] = table["Census year"].astype(str)
district_rows = values[values["district"] != comparator]
county_rows = values[values["district"] == comparator]
SUPPRESSION_NOTE = (
    "Counts of children from 1 to 4 are shown as [c], with the next-smallest count of the "
    "same census year hidden too so it cannot be worked out from the total; a rate worked "
    "out from a hidden count is hidden with it."
)


st.header(f"EHC plan and SEN Support rates by district, census {first_year} to {census_year}")
RATES = {"ehcp": "Pupils with an EHC plan", "sen_support": "Pupils on SEN Support"}
rate = filters.choice("rate", "Rate", RATES)
column, count_column = f"{rate}_rate_pct", rate
what, short = {
    "ehcp": ("EHC plan rates", "EHC plan rate"),
    "sen_support": ("SEN Support rates", "SEN Support rate"),
}[rate]
fig = charts.small_multiples(
    district_rows,
    "district",
    "census_year",
    column,
    county_rows,
    comparator,
    "percent1",
    titles.rates_rose(
        analysis.first_to_last(district_rows, "district", "census_year", column), what, first_year
    ),
)
ui.chart(
    fig,
    table[["District", "Census year", NAMES[count_column], "Pupils on roll", NAMES[column]]],
    UNITS,
    f"{short} by district and census year",
    f"stls_{column}_{chosen.phase}_{census_year}.csv",
    alt=(
        f"Small line charts, one per district: the {short} ({phase_label}) in each "
        f"January census from {first_year} to {census_year} (solid blue line), with "
        f"{comparator} as a dashed grey line."
    ),
    notes=[SUPPRESSION_NOTE] if result.hidden_cells else [],
)

# ---------------------------------------------------------------- the county and England (DfE)
home_number = national_data.home_number() if national_data.has_figures() else None
if home_number is not None:
    national = national_data.ehcp_rates(home_number)
    if not national.empty:
        st.header("The county and England: DfE's published EHC plan and SEN support rates")
        st.caption(
            "Real figures as DfE publishes them (all schools, % of all pupils), beside the "
            f"illustrative district rates above. {national_context.ATTRIBUTED}"
        )
        nat_fig, nat_alt = benchmark_charts.ehcp_context(national)
        st.plotly_chart(nat_fig, theme=None, config=charts.CONFIG, key="chart_dfe", alt=nat_alt)
        st.caption(safe_text.markdown_text(nat_alt))
        nat_table = national[["measure", "year", "area", "value", "symbol"]].rename(
            columns={
                "measure": "Measure",
                "year": "Year",
                "area": "Area",
                "value": "Value (% of pupils)",
                "symbol": "DfE symbol",
            }
        )
        ui.data_table(
            nat_table.assign(Source=national_context.ATTRIBUTED),
            {"Value (% of pupils)": "percent1"},
            "the county and England (DfE)",
            "stls_dfe_ehcp_rates.csv",
        )

# ---------------------------------------------------------------- change vs inclusion
st.header("Change in EHC plan rate against inclusion measures")
MEASURES = {
    "engagement_pct": "Settings engaging",
    "lift_attendance_pct": "Settings attending LIFT",
    "cases_closed_targets_met_pct_of_reviewed": "Reviewed cases closed, targets met",
}
NOUNS = {
    "engagement_pct": "engagement",
    "lift_attendance_pct": "LIFT attendance",
    "cases_closed_targets_met_pct_of_reviewed": "targets met",
}
inclusion_measure = filters.choice("inclusion", "Inclusion measure", MEASURES)
change = app_data.view(
    analysis.ehcp_change,
    analysis.CENSUS_FIGURES + analysis.INCLUSION_MEASURES,
    None,
    chosen.year,
    districts,
)
if change.empty or change["ehcp_change_pp"].isna().all():
    st.info(
        f"The census before January {census_year} is needed to show a change: choose a later "
        "academic year."
    )
    st.stop()
r, n = stats.correlation(
    list(change["ehcp_change_pp"].astype(float)), list(change[inclusion_measure].astype(float))
)
if n < 3:
    # No correlation over one district (a district lead's view): its own rates over time
    # against Kent are in the chart above.
    st.markdown(
        f"A link between {NOUNS[inclusion_measure]} and the change in EHC plan rate cannot "
        f"be judged from {n} district"
        + ("s" if n != 1 else "")
        + f": the chart above follows {', '.join(districts)} and {comparator} over time."
    )
else:
    fig = charts.scatter(
        change,
        inclusion_measure,
        "ehcp_change_pp",
        "district",
        titles.link(r, NOUNS[inclusion_measure], "EHC plan change", stats.link_words(r, n)),
        f"{MEASURES[inclusion_measure]}, {chosen.year} (%)",
        f"Change in EHC plan rate, {census_year - 1} to {census_year} (points)",
        "percent",
        "pp1",
    )
    scatter_table = change[
        ["district", "ehcp_rate_before_pct", "ehcp_rate_pct", "ehcp_change_pp", inclusion_measure]
    ].rename(
        columns={
            "district": "District",
            "ehcp_rate_before_pct": f"EHC plan rate {census_year - 1} (%)",
            "ehcp_rate_pct": f"EHC plan rate {census_year} (%)",
            "ehcp_change_pp": "Change (percentage points)",
            inclusion_measure: f"{MEASURES[inclusion_measure]}, {chosen.year} (%)",
        }
    )
    ui.chart(
        fig,
        scatter_table,
        {
            f"EHC plan rate {census_year - 1} (%)": "percent1",
            f"EHC plan rate {census_year} (%)": "percent1",
            "Change (percentage points)": "pp1",
            f"{MEASURES[inclusion_measure]}, {chosen.year} (%)": "percent",
        },
        f"EHC plan change and {NOUNS[inclusion_measure]} by district",
        f"stls_ehcp_change_vs_{inclusion_measure}_{census_year}.csv",
        alt=(
            f"Scatter plot: each district's {MEASURES[inclusion_measure].lower()} in "
            f"{chosen.year} (across) against the change in its EHC plan rate from January "
            f"{census_year - 1} to January {census_year} (up), in percentage points."
        ),
        notes=[
            "EHC plan rates here are primary and secondary pupils together; inclusion measures "
            f"are pooled over all published terms of {chosen.year} (all phases for settings)."
        ],
    )

    rows = []
    for key, name in MEASURES.items():
        coefficient, pairs = stats.correlation(
            list(change["ehcp_change_pp"].astype(float)), list(change[key].astype(float))
        )
        rows.append(
            {
                "Inclusion measure": name,
                "Correlation with change in EHC plan rate (r)": coefficient,
                "Districts": pairs,
                "In words": stats.link_words(coefficient, pairs),
                "In numbers": stats.describe_link(coefficient, pairs),
            }
        )
    correlations = pd.DataFrame(rows)
    st.subheader("Correlation, in numbers and words")
    st.markdown(
        f"Across the {n} districts chosen, the change in EHC plan rate shows "
        f"**{stats.link_words(r, n)}** with {NOUNS[inclusion_measure]}: "
        f"{stats.describe_link(r, n)}. The 95% interval is the range of r that these few "
        "districts are consistent with; where it takes in zero, there is no clear link."
    )
    st.warning(
        "**A correlation is not a cause.** Districts differ in many ways (deprivation, school "
        "size, local SEND practice, how many plans were already in place), and EHC plans take "
        "months to be issued, so this year's inclusion work may not show in this year's census. "
        "With 12 districts or fewer, one unusual district can make a link look strong or "
        "hide it. Read this as a prompt for questions, not as evidence that inclusion work "
        "raises or lowers EHC plans.",
        icon=":material/warning:",
    )
    ui.data_table(
        correlations,
        {"Correlation with change in EHC plan rate (r)": "r", "Districts": "count"},
        "Correlations with the change in EHC plan rate",
        f"stls_ehcp_correlations_{census_year}.csv",
    )
