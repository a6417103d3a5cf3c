"""What the "District engagement" page shows, worked out before it is drawn.

One settings measure (settings engaging, attending LIFT or attending training, as a share
of settings in the census) for the chosen districts against their comparator (the chosen
districts pooled, or Kent as a whole for a viewer who sees only their own district): as
sorted bars, as a district-by-term heat map and over the terms by phase; then caseload and
active support by district, suppressed. The page lays these sections out.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from warehouse.core import figures
from warehouse.dashboard import app_data, chart_rules, charts, filters, titles
from warehouse.dashboard.filters import PHASES
from warehouse.dashboard.sections import ChartSection, TableSection
from warehouse.reporting import analysis
from warehouse.reporting.suppression import Suppressed, hide_derived, lines_for, suppress

# Draw a line per district over the terms only for this many chosen districts or fewer
# (and never for all of them): more lines than this cannot be told apart.
MOST_DISTRICT_LINES = 4

# ---------------------------------------------------------------- caseload columns
CASELOAD_COLUMNS = {
    "cy_ey": "Caseload: early years",
    "cy_pri": "Caseload: primary",
    "cy_sec": "Caseload: secondary",
    "cy_sa": "Caseload: school age",
    "cy_all": "Caseload: all phases",
    "as_ey": "Actively supported: early years",
    "as_sa": "Actively supported: school age",
    "as_all": "Actively supported: all",
}
SHARE_COLUMNS = {
    "pct_ey": "Actively supported: early years (% of caseload)",
    "pct_sa": "Actively supported: school age (% of caseload)",
}
CASELOAD_UNITS = {name: "count" for name in CASELOAD_COLUMNS.values()} | {
    name: "percent" for name in SHARE_COLUMNS.values()
}
# Lines of the table whose counts add up (a hidden count must not be worked out from them).
CASELOAD_ROW_GROUPS = [
    ["cy_ey", "cy_sa", "cy_all"],
    ["cy_pri", "cy_sec", "cy_sa"],
    ["as_ey", "as_sa", "as_all"],
]
# The shares worked out from counts: hidden where one of those counts is.
CASELOAD_DERIVED = {"pct_ey": ["cy_ey", "as_ey"], "pct_sa": ["cy_sa", "as_sa"]}


@dataclass(frozen=True)
class CaseloadPair:
    """The caseload column and active support column the chart draws for a phase, and the
    words for each."""

    caseload: str
    active: str
    caseload_words: str
    active_words: str


# Active support is reported for early years and school age only: a primary or secondary
# caseload is drawn beside school-age active support.
CASELOAD_PAIRS = {
    "all": CaseloadPair("cy_all", "as_all", "all phases", "all phases"),
    "early_years": CaseloadPair("cy_ey", "as_ey", "early years", "early years"),
    "primary": CaseloadPair("cy_pri", "as_sa", "primary", "school age"),
    "secondary": CaseloadPair("cy_sec", "as_sa", "secondary", "school age"),
}
# The share of caseload the chart's title speaks of, by the active support column drawn:
# all phases take school age, where most of the caseload is.
SHARE_OF = {"as_ey": "pct_ey", "as_sa": "pct_sa", "as_all": "pct_sa"}
SHARE_WORDS = {"pct_ey": "early years", "pct_sa": "school-age"}
SUPPRESSION_NOTE = (
    "Counts of children from 1 to 4 are shown as [c], with the next-smallest figure in the "
    "same row or column hidden too, so a hidden figure cannot be worked out from a total."
)


# ---------------------------------------------------------------- the measure


def measure_labels() -> dict[str, str]:
    """The page's choice of measure: its key -> its label."""
    return {
        key: figures.figure(figure).label
        for key, (figure, _noun) in analysis.SETTINGS_CHOICES.items()
    }


def label_of(measure: str) -> str:
    figure, _noun = analysis.SETTINGS_CHOICES[measure]
    return figures.figure(figure).label


def intro(chosen: filters.Filters, measure: str) -> str:
    """The sentence saying what the page's figures cover."""
    return f"**{label_of(measure)} as a share of settings in the census: {chosen.describe()}.**"


def acronym_texts(measure: str) -> tuple[str, ...]:
    """The texts whose acronyms the page spells out at first use: the chosen measure's label
    and every measure's label (the measures it offers name LIFT)."""
    return (label_of(measure), *measure_labels().values())


# ---------------------------------------------------------------- the settings figures


@dataclass(frozen=True)
class Engagement:
    """One settings measure for the chosen districts (``view``) and what each district is
    compared with (``compared``): the chosen districts pooled, or for a viewer who sees only
    their own district, Kent as a whole."""

    chosen: filters.Filters
    measure: str
    view: analysis.SettingsView
    compared: analysis.SettingsView

    @property
    def noun(self) -> str:
        return analysis.SETTINGS_CHOICES[self.measure][1]

    @property
    def label(self) -> str:
        return label_of(self.measure)

    @property
    def phase_label(self) -> str:
        return PHASES[self.chosen.phase].lower()

    @property
    def districts(self) -> tuple[str, ...]:
        return self.chosen.chosen_districts

    @property
    def comparator(self) -> str:
        return self.chosen.comparator

    @property
    def value_column(self) -> str:
        return f"{self.label} (%)"

    @property
    def stem(self) -> str:
        """The start of the page's CSV file names."""
        chosen = self.chosen
        return f"{self.measure}_{chosen.year}_{filters.terms_param(chosen.terms)}_{chosen.phase}"


def engagement(chosen: filters.Filters, measure: str) -> Engagement:
    """The chosen measure for the chosen districts, and their comparator's."""
    figure = analysis.SETTINGS_CHOICES[measure][0]
    view = app_data.view(
        analysis.settings_view,
        analysis.SETTINGS_FIGURES,
        chosen.year,
        figure,
        chosen.phase,
        chosen.chosen_districts,
        chosen.terms,
    )
    compared = (
        app_data.county_settings_view(chosen.year, figure, chosen.phase, chosen.terms)
        if chosen.restricted
        else view
    )
    return Engagement(chosen, measure, view, compared)


def missing(chosen: filters.Filters) -> list[tuple[str, int]]:
    """The chosen district-terms with no published return."""
    return analysis.missing_district_terms(
        app_data.return_status(chosen.year), chosen.chosen_districts, chosen.terms
    )


def has_returns(data: Engagement) -> bool:
    """Whether any chosen district has a published return for the choice."""
    return not data.view.by_district.empty


# ---------------------------------------------------------------- districts against county


def districts_header(data: Engagement) -> str:
    who = ", ".join(data.districts) if data.chosen.restricted else "Each district"
    return f"{who} against {data.comparator}"


def against(value: object, reference: float) -> str:
    """A district's figure against its comparator's, in words (``chart_rules.below``, the
    rule the bars are coloured by); "[x]" where the figure is unknown."""
    low = chart_rules.below(value, reference)
    if low is None:
        return "[x]"
    return "Below" if low else "At or above"


def by_district(data: Engagement) -> pd.DataFrame:
    """One row per chosen district, in their order: District, the figure, terms with a
    return (a district with no return has no figure)."""
    return (
        pd.DataFrame({"District": list(data.districts)})
        .merge(
            data.view.by_district.rename(columns={"district": "District"}),
            on="District",
            how="left",
        )
        .rename(columns={"rate": data.value_column, "terms": "Terms with a return"})
    )


def districts_table(data: Engagement, rows: pd.DataFrame) -> pd.DataFrame:
    """The districts' rows (``by_district``), each against the comparator, and the
    comparator's row last."""
    value_col, comparator, compared = data.value_column, data.comparator, data.compared
    table = rows[["District", value_col, "Terms with a return"]].copy()
    table["Against " + comparator] = [against(v, compared.county) for v in table[value_col]]
    comparator_row = {
        "District": comparator,
        value_col: compared.county,
        "Terms with a return": len(compared.county_by_term),
        "Against " + comparator: "[z]",
    }
    return pd.concat([table, pd.DataFrame([comparator_row])], ignore_index=True)


def districts_section(data: Engagement) -> ChartSection:
    """Each district's figure as sorted bars against the comparator's dashed line."""
    rows = by_district(data)
    value_col, label, comparator = data.value_column, data.label, data.comparator
    county = data.compared.county
    fig = charts.district_bars(
        list(rows["District"]),
        list(rows[value_col]),
        "percent",
        titles.lowest_against(
            list(zip(rows["District"], rows[value_col], strict=True)),
            county,
            data.noun,
            comparator,
        ),
        f"{label}, % of settings ({data.phase_label})",
        reference=county,
        reference_name=comparator,
    )
    return ChartSection(
        fig,
        TableSection(
            districts_table(data, rows),
            {value_col: "percent", "Terms with a return": "count"},
            f"{label} by district",
            f"stls_{data.stem}_by_district.csv",
        ),
        alt=(
            f"Bar chart of {label.lower()} as a percentage of settings ({data.phase_label}), "
            f"one bar per district over {filters.terms_text(data.chosen.terms)}, sorted, "
            f"with {charts.district_bars_key(comparator)}."
        ),
    )


# ---------------------------------------------------------------- heat map


def district_term_matrix(data: Engagement) -> pd.DataFrame:
    """District (rows, in the chosen order) by term (columns "Term 1"...): the figure."""
    matrix = data.view.by_district_term.pivot(
        index="district", columns="term", values="rate"
    ).reindex(index=list(data.districts), columns=list(data.chosen.terms))
    matrix.columns = [f"Term {t}" for t in matrix.columns]
    return matrix


def heat_section(data: Engagement) -> ChartSection:
    """The figure by district and term as a heat map."""
    matrix = district_term_matrix(data)
    label = data.label
    fig = charts.heatmap(
        matrix,
        "percent",
        titles.spread(list(matrix.to_numpy().ravel()), data.noun, "across districts and terms"),
        f"{label} (%)",
    )
    return ChartSection(
        fig,
        TableSection(
            matrix.reset_index().rename(columns={"district": "District"}),
            {c: "percent" for c in matrix.columns},
            f"{label} by district and term",
            f"stls_{data.stem}_district_term.csv",
        ),
        alt=(
            f"Heat map of {label.lower()} ({data.phase_label}): one row per district, one "
            "column per term, each cell labelled with its percentage; darker blue is higher. "
            "[x]: no published return."
        ),
    )


# ---------------------------------------------------------------- over terms by phase


def draws_district_lines(chosen: filters.Filters) -> bool:
    """Whether the trend draws a line per chosen district beside the comparator's: for a
    few districts only, never for all of them."""
    return not chosen.all_districts and len(chosen.chosen_districts) <= MOST_DISTRICT_LINES


def trend_lines(data: Engagement) -> pd.DataFrame:
    """term, rate and series (the line's name) of each line the trend draws, sorted by
    series and term: the comparator's phases (only the chosen one where a phase is chosen)
    and, for a few districts, each district's line."""
    chosen, compared = data.chosen, data.compared
    trend = compared.by_phase_term.copy()
    trend["series"] = trend["phase"].map(PHASES)
    if chosen.phase != filters.ALL:
        trend = trend[trend["phase"] == chosen.phase]
    if draws_district_lines(chosen):
        per_district = data.view.by_district_term.assign(series=lambda f: f["district"])
        # Like with like: a district's all-phase line beside Kent's all-phase line (Kent's
        # per-phase lines only when a phase is chosen, and then the district's is that phase).
        county_lines = (
            compared.county_by_term.assign(series=PHASES[filters.ALL])
            if chosen.phase == filters.ALL
            else trend
        )
        trend = pd.concat(
            [
                county_lines.assign(series=lambda f: data.comparator + ": " + f["series"]),
                per_district.assign(series=lambda f: f["series"] + f" ({data.phase_label})"),
            ]
        )
    return trend.sort_values(["series", "term"])


def trend_table(trend: pd.DataFrame) -> pd.DataFrame:
    """One row per term ("Term 1"...), one column per line."""
    table = trend.pivot(index="term", columns="series", values="rate").reset_index()
    table["term"] = [f"Term {t}" for t in table["term"]]
    table = table.rename(columns={"term": "Term"})
    table.columns.name = None
    return table


def trend_section(data: Engagement) -> ChartSection:
    """The figure over the terms: the comparator's phases, and a few districts' lines."""
    trend = trend_lines(data)
    label = data.label
    series_points = {
        name: list(zip(part["term"], part["rate"], strict=True))
        for name, part in trend.groupby("series", sort=False)
    }
    fig = charts.lines(
        trend,
        "term",
        "rate",
        "series",
        "percent",
        titles.trend(series_points, data.noun),
        "Term",
        f"{label} (%)",
        x_labels={t: f"Term {t}" for t in range(1, 7)},
    )
    table = trend_table(trend)
    return ChartSection(
        fig,
        TableSection(
            table,
            {c: "percent" for c in table.columns if c != "Term"},
            f"{label} over the terms",
            f"stls_{data.stem}_over_terms.csv",
        ),
        alt=(
            f"Line chart of {label.lower()} for {data.comparator} by phase over "
            f"{filters.terms_text(data.chosen.terms)}; each phase has its own colour, marker "
            "and line style."
        ),
    )


# ---------------------------------------------------------------- caseload


def caseload_rows(chosen: filters.Filters) -> pd.DataFrame:
    """One row per chosen district and the comparator's row last: caseload and active
    support, average per term (``analysis.CASELOAD_COLUMNS``)."""
    districts = chosen.chosen_districts
    caseload = app_data.view(
        analysis.caseload_table, analysis.CASELOAD_FIGURES, chosen.year, districts, chosen.terms
    )
    comparator_row = (
        app_data.county_caseload_row(chosen.year, chosen.terms)
        if chosen.restricted
        else app_data.view(
            analysis.caseload_row,
            analysis.CASELOAD_FIGURES,
            chosen.year,
            chosen.comparator,
            districts,
            chosen.terms,
        )
    )
    return pd.concat([caseload, pd.DataFrame([comparator_row])], ignore_index=True)


def suppressed_caseload(caseload: pd.DataFrame) -> Suppressed:
    """The caseload rows with counts of children from 1 to 4 hidden, the next-smallest in a
    line of counts that add up hidden too, and the shares worked out from hidden counts."""
    result = suppress(
        caseload,
        list(CASELOAD_COLUMNS),
        lines_for(caseload, row_groups=CASELOAD_ROW_GROUPS),
    )
    return hide_derived(result, CASELOAD_DERIVED)


def caseload_notes(chosen: filters.Filters, hidden_cells: int) -> tuple[str, ...]:
    notes = [SUPPRESSION_NOTE]
    if chosen.phase in ("primary", "secondary"):
        notes.append(
            "Active support is reported for school age (primary and secondary together), so "
            f"the chart shows {CASELOAD_PAIRS[chosen.phase].caseload_words} caseload beside "
            "school-age active support."
        )
    if hidden_cells:
        notes.append(f"{hidden_cells} figure(s) in this table are suppressed.")
    return tuple(notes)


def caseload_section(chosen: filters.Filters) -> ChartSection:
    """Each district's caseload beside its active support for the chosen phase, suppressed;
    the table has every phase and the comparator's row."""
    districts, comparator = chosen.chosen_districts, chosen.comparator
    result = suppressed_caseload(caseload_rows(chosen))
    pair = CASELOAD_PAIRS[chosen.phase]
    bars = result.values[result.values["District"] != comparator]
    share = SHARE_OF[pair.active]
    fig = charts.grouped_bars(
        bars,
        "District",
        {
            pair.caseload: f"Caseload ({pair.caseload_words})",
            pair.active: f"Actively supported ({pair.active_words})",
        },
        "count",
        # Titled on a share, not a raw count: a large district has a large caseload.
        titles.spread(
            list(bars[share]),
            f"{SHARE_WORDS[share]} active support",
            f"of caseload in {districts[0]}"
            if len(districts) == 1
            else "of caseload across districts",
        ),
        "Pupils, average per term",
    )
    return ChartSection(
        fig,
        TableSection(
            result.values.rename(columns={**CASELOAD_COLUMNS, **SHARE_COLUMNS}),
            CASELOAD_UNITS,
            "Caseload and active support by district",
            f"stls_caseload_{chosen.year}_{filters.terms_param(chosen.terms)}.csv",
        ),
        alt=(
            f"Grouped bar chart: for each district, pupils on caseload ({pair.caseload_words}) "
            f"and pupils actively supported ({pair.active_words}), average per term; each bar "
            "is labelled with its figure, [c] where it is suppressed."
        ),
        notes=caseload_notes(chosen, result.hidden_cells),
    )
