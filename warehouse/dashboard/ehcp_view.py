"""What the "EHCP trends against inclusion" page shows, worked out before it is drawn.

The chosen districts' EHC plan and SEN Support counts and rates in each January census up
to the chosen year's, beside their comparator's (the chosen districts together, or Kent as
a whole for a viewer who sees only their own district), suppressed; DfE's published rates
for the county and England; and each district's change in EHC plan rate against an
inclusion measure, with the correlations in numbers and words. The page lays these out.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from warehouse.core import contracts, figures
from warehouse.dashboard import app_data, charts, filters, national_data, titles
from warehouse.dashboard.filters import PHASES
from warehouse.dashboard.sections import ChartSection, TableSection
from warehouse.reporting import analysis, formatting, national_context, stats
from warehouse.reporting.suppression import Suppressed, hide_derived, suppress

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
COUNTS = ["ehcp", "sen_support"]
DERIVED = {"ehcp_rate_pct": ["ehcp"], "sen_support_rate_pct": ["sen_support"]}
SUPPRESSION_NOTE = (
    "Counts of children from 1 to 4 are shown as [c], with the next-smallest count of the "
    "same census year hidden too so it cannot be worked out from the total; a rate worked "
    "out from a hidden count is hidden with it."
)

# The page's choice of rate: its key (the count it is worked out from) -> its label.
RATES = {"ehcp": "Pupils with an EHC plan", "sen_support": "Pupils on SEN Support"}
# Per rate: the chart title's plural and the singular for the table and text alternative.
RATE_WORDS = {
    "ehcp": ("EHC plan rates", "EHC plan rate"),
    "sen_support": ("SEN Support rates", "SEN Support rate"),
}

# The page's choice of inclusion measure: its column -> its label, and its noun in a sentence.
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

DFE_NAMES = {
    "measure": "Measure",
    "year": "Year",
    "area": "Area",
    "value": "Value (% of pupils)",
    "symbol": "DfE symbol",
}
DFE_CAPTION = (
    "Real figures as DfE publishes them (all schools, % of all pupils), beside the "
    f"illustrative district rates above. {national_context.ATTRIBUTED}"
)
CAUSE_WARNING = (
    "**A correlation is not a cause.** Districts differ in many ways (deprivation, school "
    "size, local SEND practice, how many plans were already in place), and EHC plans take "
    "months to be issued, so this year's inclusion work may not show in this year's census. "
    "With 12 districts or fewer, one unusual district can make a link look strong or "
    "hide it. Read this as a prompt for questions, not as evidence that inclusion work "
    "raises or lowers EHC plans."
)


# ---------------------------------------------------------------- the page's words


def census_year(chosen: filters.Filters) -> int:
    """The January census of the chosen academic year."""
    return contracts.census_year_for(chosen.year)


def phase_label(chosen: filters.Filters) -> str:
    return PHASES[chosen.phase].lower()


def heading(chosen: filters.Filters) -> str:
    """The bold line under the page title: what the page covers."""
    return (
        f"**Pupils with an EHC plan and on SEN Support, January census up to "
        f"{census_year(chosen)} (the census of {chosen.year}): {phase_label(chosen)}, "
        + (
            contracts.all_districts_label()
            if chosen.all_districts
            else ", ".join(chosen.chosen_districts)
        )
        + ".**"
    )


# ---------------------------------------------------------------- rates by census year


def district_rates(chosen: filters.Filters) -> pd.DataFrame:
    """The chosen districts' counts and rates, census year by year, up to the chosen
    year's census (empty: none published)."""
    by_district = app_data.view(
        analysis.census_rates, analysis.CENSUS_FIGURES, None, chosen.phase, chosen.chosen_districts
    )
    return analysis.up_to_census(by_district, census_year(chosen))


def comparator_rates(chosen: filters.Filters) -> pd.DataFrame:
    """The comparator's counts and rates, census year by year, up to the chosen year's."""
    together = (
        app_data.county_census_rates(chosen.phase)
        if chosen.restricted  # compared with Kent as a whole, not the districts shown
        else app_data.view(
            analysis.census_rates,
            analysis.CENSUS_FIGURES,
            None,
            chosen.phase,
            chosen.chosen_districts,
            by_district=False,
        )
    )
    return analysis.up_to_census(together, census_year(chosen))


def suppressed(by_district: pd.DataFrame, together: pd.DataFrame, comparator: str) -> Suppressed:
    """The districts' rows then the comparator's, counts of 1 to 4 hidden with the
    next-smallest count of the same census year, and a rate with its hidden count."""
    long = pd.concat([by_district, together.assign(district=comparator)], ignore_index=True)
    lines = []
    for year in sorted(by_district["census_year"].unique()):
        idx = list(long.index[long["census_year"] == year])
        lines.append([(i, "ehcp") for i in idx])
        lines.append([(i, "sen_support") for i in idx])
    return hide_derived(suppress(long, COUNTS, lines), DERIVED)


@dataclass(frozen=True)
class CensusRates:
    """The suppressed rates of the districts and their comparator, census by census."""

    result: Suppressed
    comparator: str
    first_year: int
    census_year: int

    @property
    def values(self) -> pd.DataFrame:
        return self.result.values

    @property
    def district_rows(self) -> pd.DataFrame:
        return self.values[self.values["district"] != self.comparator]

    @property
    def county_rows(self) -> pd.DataFrame:
        return self.values[self.values["district"] == self.comparator]

    @property
    def table(self) -> pd.DataFrame:
        """Every row with the table's headings, census years as text."""
        table = self.values[list(NAMES)].rename(columns=NAMES)
        table["Census year"] = table["Census year"].astype(str)
        return table


def census_rates(chosen: filters.Filters, by_district: pd.DataFrame) -> CensusRates:
    """``district_rates`` (not empty) beside the comparator's, suppressed."""
    together = comparator_rates(chosen)
    return CensusRates(
        result=suppressed(by_district, together, chosen.comparator),
        comparator=chosen.comparator,
        first_year=int(by_district["census_year"].min()),
        census_year=census_year(chosen),
    )


def rates_header(rates: CensusRates) -> str:
    return (
        "EHC plan and SEN Support rates by district, census "
        f"{rates.first_year} to {rates.census_year}"
    )


def rate_chart(rates: CensusRates, rate: str, chosen: filters.Filters) -> ChartSection:
    """Small multiples of the chosen rate, one per district, the comparator dashed."""
    column, count_column = f"{rate}_rate_pct", rate
    what, short = RATE_WORDS[rate]
    first_year, year = rates.first_year, rates.census_year
    district_rows = rates.district_rows
    fig = charts.small_multiples(
        district_rows,
        "district",
        "census_year",
        column,
        rates.county_rows,
        rates.comparator,
        "percent1",
        titles.rates_rose(
            analysis.first_to_last(district_rows, "district", "census_year", column),
            what,
            first_year,
        ),
    )
    columns = ["District", "Census year", NAMES[count_column], "Pupils on roll", NAMES[column]]
    return ChartSection(
        fig,
        TableSection(
            rates.table[columns],
            UNITS,
            f"{short} by district and census year",
            f"stls_{column}_{chosen.phase}_{year}.csv",
        ),
        alt=(
            f"Small line charts, one per district: the {short} ({phase_label(chosen)}) in "
            f"each January census from {first_year} to {year} (solid blue line), with "
            f"{rates.comparator} as a dashed grey line."
        ),
        notes=(SUPPRESSION_NOTE,) if rates.result.hidden_cells else (),
    )


# ---------------------------------------------------------------- the county and England (DfE)


def dfe_rates() -> pd.DataFrame | None:
    """DfE's published EHC plan and SEN support rates of the county and England (``None``:
    no national figures loaded, or none for the county)."""
    home_number = national_data.home_number() if national_data.has_figures() else None
    if home_number is None:
        return None
    national = national_data.ehcp_rates(home_number)
    return None if national.empty else national


def dfe_table(national: pd.DataFrame) -> TableSection:
    table = formatting.blank_where_missing(national[list(DFE_NAMES)], ["symbol"])
    table = table.rename(columns=DFE_NAMES)
    return TableSection(
        table.assign(Source=national_context.ATTRIBUTED),
        {"Value (% of pupils)": "percent1"},
        "the county and England (DfE)",
        "stls_dfe_ehcp_rates.csv",
    )


# ---------------------------------------------------------------- change vs inclusion


@dataclass(frozen=True)
class Link:
    """Pearson's r between the change in EHC plan rate and a measure, over ``n`` districts."""

    r: float | None
    n: int

    @property
    def can_be_judged(self) -> bool:
        return self.n >= stats.FEWEST_FOR_A_LINK


def ehcp_change(chosen: filters.Filters) -> pd.DataFrame:
    """Per district: the EHC plan rate change to the chosen year's census and the year's
    inclusion measures (``analysis.ehcp_change``)."""
    return app_data.view(
        analysis.ehcp_change,
        analysis.CENSUS_FIGURES + analysis.INCLUSION_MEASURES,
        None,
        chosen.year,
        chosen.chosen_districts,
    )


def has_change(change: pd.DataFrame) -> bool:
    """Whether any district has a change to show (it needs the census a year earlier)."""
    return not (change.empty or change["ehcp_change_pp"].isna().all())


def link(change: pd.DataFrame, measure: str) -> Link:
    r, n = stats.correlation(
        list(change["ehcp_change_pp"].astype(float)), list(change[measure].astype(float))
    )
    return Link(r, n)


def too_few_words(found: Link, measure: str, chosen: filters.Filters) -> str:
    """In place of the scatter plot: why no link can be judged (a district lead's view)."""
    return (
        f"A link between {NOUNS[measure]} and the change in EHC plan rate cannot "
        f"be judged from {found.n} district"
        + ("s" if found.n != 1 else "")
        + f": the chart above follows {', '.join(chosen.chosen_districts)} and "
        f"{chosen.comparator} over time."
    )


def change_chart(
    change: pd.DataFrame, measure: str, found: Link, chosen: filters.Filters
) -> ChartSection:
    """Each district's inclusion measure against its change in EHC plan rate."""
    year = census_year(chosen)
    label = f"{MEASURES[measure]}, {chosen.year} (%)"
    before, now = f"EHC plan rate {year - 1} (%)", f"EHC plan rate {year} (%)"
    fig = charts.scatter(
        change,
        measure,
        "ehcp_change_pp",
        "district",
        titles.link(found.r, NOUNS[measure], "EHC plan change", stats.link_words(found.r, found.n)),
        label,
        f"Change in EHC plan rate, {year - 1} to {year} (points)",
        "percent",
        "pp1",
    )
    table = change[
        ["district", "ehcp_rate_before_pct", "ehcp_rate_pct", "ehcp_change_pp", measure]
    ].rename(
        columns={
            "district": "District",
            "ehcp_rate_before_pct": before,
            "ehcp_rate_pct": now,
            "ehcp_change_pp": "Change (percentage points)",
            measure: label,
        }
    )
    units = {before: "percent1", now: "percent1", "Change (percentage points)": "pp1"}
    return ChartSection(
        fig,
        TableSection(
            table,
            {**units, label: "percent"},
            f"EHC plan change and {NOUNS[measure]} by district",
            f"stls_ehcp_change_vs_{measure}_{year}.csv",
        ),
        alt=(
            f"Scatter plot: each district's {MEASURES[measure].lower()} in "
            f"{chosen.year} (across) against the change in its EHC plan rate from January "
            f"{year - 1} to January {year} (up), in percentage points."
        ),
        notes=(
            "EHC plan rates here are primary and secondary pupils together; inclusion measures "
            f"are pooled over all published terms of {chosen.year} (all phases for settings).",
        ),
    )


def link_sentence(found: Link, measure: str) -> str:
    """The chosen measure's correlation in words and numbers, and how to read its interval."""
    return (
        f"Across the {found.n} districts chosen, the change in EHC plan rate shows "
        f"**{stats.link_words(found.r, found.n)}** with {NOUNS[measure]}: "
        f"{stats.describe_link(found.r, found.n)}. The 95% interval is the range of r that "
        "these few districts are consistent with; where it takes in zero, there is no clear "
        "link."
    )


def correlations(change: pd.DataFrame, chosen: filters.Filters) -> TableSection:
    """Every inclusion measure's correlation with the change, in numbers and words."""
    rows = []
    for key, name in MEASURES.items():
        found = link(change, key)
        rows.append(
            {
                "Inclusion measure": name,
                "Correlation with change in EHC plan rate (r)": found.r,
                "Districts": found.n,
                "In words": stats.link_words(found.r, found.n),
                "In numbers": stats.describe_link(found.r, found.n),
            }
        )
    return TableSection(
        pd.DataFrame(rows),
        {"Correlation with change in EHC plan rate (r)": "r", "Districts": "count"},
        "Correlations with the change in EHC plan rate",
        f"stls_ehcp_correlations_{census_year(chosen)}.csv",
    )
