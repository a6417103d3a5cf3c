"""What the "Funding per pupil" page shows, worked out before it is drawn.

The chosen districts' SLA funding beside their comparator's row (the chosen districts
together, or Kent as a whole for a viewer who sees only their own district), suppressed;
funding per pupil of the chosen basis as sorted bars, against engagement as a scatter, and
beside a needs-based split of the same total. The page lays these sections out.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from warehouse.core import contracts, figures, safe_text
from warehouse.dashboard import app_data, charts, filters, titles
from warehouse.dashboard.sections import ChartSection, TableSection
from warehouse.dashboard.titles import sentence
from warehouse.reporting import analysis, funding_check, stats
from warehouse.reporting.suppression import hide_derived, lines_for, suppress

# The page's choice of what funding is per: its key -> its label.
BASES = {
    "pupil": "Per pupil on roll",
    "caseload": "Per caseload pupil",
    "sen": "Per pupil with SEN",
}
# Per basis: the column of funding per that pupil, its noun, and the count it is per.
PER_COLUMN = {"pupil": "pupil", "caseload": "caseload_per", "sen": "sen_per"}
NOUN = {"pupil": "per pupil", "caseload": "per caseload pupil", "sen": "per SEN pupil"}
DENOMINATOR = {"pupil": "pupils", "caseload": "caseload", "sen": "sen"}

COUNTS = ["pupils", "caseload", "sen"]
DERIVED = {"caseload_per": ["caseload"], "sen_per": ["sen"]}
FIGURES = {
    "budget": figures.figure("sla_funding"),
    "caseload": figures.figure("caseload_avg"),
    "pupil": figures.figure("funding_per_pupil"),
    "caseload_per": figures.figure("funding_per_caseload_pupil"),
    "sen_per": figures.figure("funding_per_sen_pupil"),
}
NAMES = {
    **{key: figure.column for key, figure in FIGURES.items()},
    "pupils": "Pupils on roll",
    "sen": "Pupils with SEN",
}
UNITS = {
    **{figure.column: "GBP" if figure.unit == "GBP" else "count" for figure in FIGURES.values()},
    "Pupils on roll": "count",
    "Pupils with SEN": "count",
}
ENGAGEMENT = "Settings engaging, all phases (%)"
SPLIT_COLUMNS = {
    "budget": "SLA allocation (£)",
    "by_pupils": "Split by pupils on roll (£)",
    "by_sen_pupils": "Split by pupils with SEN (£)",
    "difference_by_pupils": "Allocation minus split by pupils (£)",
    "difference_by_sen_pupils": "Allocation minus split by SEN pupils (£)",
}
SPLIT_UNITS = {
    "SLA allocation (£)": "GBP",
    "Split by pupils on roll (£)": "GBP",
    "Split by pupils with SEN (£)": "GBP",
    "Allocation minus split by pupils (£)": "GBP_signed",
    "Allocation minus split by SEN pupils (£)": "GBP_signed",
}
SPLIT_SERIES = {
    "budget": "SLA allocation",
    "by_pupils": "Split by pupils on roll",
    "by_sen_pupils": "Split by pupils with SEN",
}


@dataclass(frozen=True)
class Funding:
    """The chosen districts' funding and their comparator's, for one basis.

    ``frame``: one row per district and the comparator's row last, as worked out;
    ``values``: the same after suppression (``[c]`` where hidden); ``together``: the
    comparator's row."""

    chosen: filters.Filters
    basis: str
    frame: pd.DataFrame
    values: pd.DataFrame
    together: dict

    @property
    def comparator(self) -> str:
        return self.chosen.comparator

    @property
    def per_column(self) -> str:
        return PER_COLUMN[self.basis]

    @property
    def noun(self) -> str:
        return NOUN[self.basis]

    @property
    def districts_only(self) -> pd.DataFrame:
        """The suppressed rows of the districts, without the comparator's."""
        return self.values[self.values["District"] != self.comparator]


def district_funding(chosen: filters.Filters) -> pd.DataFrame:
    """One row of funding figures per chosen district (``analysis.funding_table``)."""
    return app_data.view(
        analysis.funding_table,
        analysis.FUNDING_FIGURES,
        chosen.year,
        chosen.chosen_districts,
        chosen.terms,
    )


def has_funding(frame: pd.DataFrame) -> bool:
    """Whether any chosen district has SLA funding published."""
    return not frame["budget"].isna().all()


def intro(chosen: filters.Filters) -> str:
    """The sentence saying what the page's figures cover."""
    return (
        f"**SLA funding per pupil: {chosen.describe()}.** SLA funding is for the whole year and "
        "pupils on roll and pupils with SEN (primary and secondary) come from the year's census; "
        "the terms chosen set only the caseload, the average per term over "
        f"{filters.terms_text(chosen.terms)}, all phases."
    )


def comparator_row(chosen: filters.Filters) -> dict:
    """The comparator's funding row: the chosen districts together, or Kent as a whole for a
    viewer who sees only their own district."""
    if chosen.restricted:
        return app_data.county_funding_row(chosen.year, chosen.terms)
    return app_data.view(
        analysis.funding_row,
        analysis.FUNDING_FIGURES,
        chosen.year,
        chosen.comparator,
        chosen.chosen_districts,
        chosen.terms,
    )


def funding(chosen: filters.Filters, basis: str, districts: pd.DataFrame) -> Funding:
    """The districts' rows (from ``district_funding``) and the comparator's, suppressed:
    counts of children from 1 to 4, and figures worked out from them, are hidden."""
    together = comparator_row(chosen)
    frame = pd.concat([districts, pd.DataFrame([together])], ignore_index=True)
    result = suppress(frame, COUNTS, lines_for(frame, column_lines=COUNTS))
    result = hide_derived(result, DERIVED)
    return Funding(chosen, basis, frame, result.values, together)


def reference(data: Funding) -> float | None:
    """The comparator's funding of the basis, or None where it is hidden or unknown."""
    values = data.values
    value = values.loc[values["District"] == data.comparator, data.per_column].iloc[0]
    return None if isinstance(value, str) or pd.isna(value) else float(value)


# ---------------------------------------------------------------- sorted bars


def bars_header(data: Funding) -> str:
    return f"SLA funding {data.noun}, by district"


def bars(data: Funding) -> ChartSection:
    """Each district's funding of the basis, sorted, against the comparator's."""
    noun, per_column, comparator = data.noun, data.per_column, data.comparator
    shown = data.districts_only
    ref = reference(data)
    columns = ["District", "budget", DENOMINATOR[data.basis], per_column]
    fig = charts.district_bars(
        list(shown["District"]),
        list(shown[per_column]),
        "GBP",
        titles.funding_range(
            list(zip(shown["District"], shown[per_column], strict=True)),
            noun,
            ref,
            comparator,
        ),
        f"SLA funding {noun} (£)",
        reference=ref,
        reference_name=comparator,
    )
    return ChartSection(
        fig,
        TableSection(
            data.values[columns].rename(columns=NAMES),
            UNITS,
            f"SLA funding {noun} by district",
            f"stls_funding_{data.basis}_{data.chosen.year}.csv",
        ),
        alt=(
            f"Bar chart of each district's SLA funding {noun} in {data.chosen.year}, sorted, "
            f"with {charts.district_bars_key(comparator)}."
        ),
        notes=(
            "Counts of children from 1 to 4 and figures worked out from them are shown as [c].",
        ),
    )


def all_measures(data: Funding) -> TableSection:
    """Every funding figure of every district and the comparator."""
    return TableSection(
        data.values.rename(columns=NAMES),
        UNITS,
        "All three funding measures by district",
        f"stls_funding_all_measures_{data.chosen.year}.csv",
    )


# ---------------------------------------------------------------- funding vs engagement


@dataclass(frozen=True)
class EngagementLink:
    """The scatter of funding against engagement, or (``section`` None) why there is none."""

    section: ChartSection | None
    notice: str = ""


def link_header(data: Funding) -> str:
    return f"Funding {data.noun} against engagement"


def _engagement(chosen: filters.Filters) -> tuple[pd.Series, float | None]:
    """Each chosen district's engagement rate (all phases) by district, and the
    comparator's (Kent's for a viewer who sees only their own district)."""
    view = app_data.view(
        analysis.settings_view,
        ("engagement_pct",),
        chosen.year,
        "engagement_pct",
        filters.ALL,
        chosen.chosen_districts,
        chosen.terms,
    )
    county = view.county
    if chosen.restricted:
        county = app_data.county_settings_view(
            chosen.year, "engagement_pct", filters.ALL, chosen.terms
        ).county
    return view.by_district.set_index("district")["rate"], county


def too_few_text(data: Funding, n: int) -> str:
    """Why no link is judged from ``n`` districts."""
    return (
        f"A link between funding and engagement cannot be judged from {n} district"
        + ("s" if n != 1 else "")
        + f": the chart above compares {', '.join(data.chosen.chosen_districts)} with "
        f"{data.comparator}."
    )


def engagement_link(data: Funding) -> EngagementLink:
    """Each district's funding of the basis against its share of settings engaging, with
    the comparator as a reference point; too few districts give a notice instead."""
    noun, per_column, comparator = data.noun, data.per_column, data.comparator
    engagement, county = _engagement(data.chosen)
    pairs = data.districts_only[["District", per_column]].copy()
    pairs["engagement"] = [engagement.get(d) for d in pairs["District"]]
    numeric = pairs[per_column].map(lambda v: None if isinstance(v, str) else v)
    r, n = stats.correlation(list(numeric.astype(float)), list(pairs["engagement"].astype(float)))
    if n < stats.FEWEST_FOR_A_LINK:
        return EngagementLink(None, too_few_text(data, n))
    fig = charts.scatter(
        pairs,
        per_column,
        "engagement",
        "District",
        titles.link(r, f"funding {noun}", "engagement", stats.link_words(r, n)),
        f"SLA funding {noun} (£)",
        ENGAGEMENT,
        "GBP",
        "percent",
        reference=(comparator, reference(data), county),
    )
    table = pairs.rename(columns={per_column: NAMES[per_column], "engagement": ENGAGEMENT})
    return EngagementLink(
        ChartSection(
            fig,
            TableSection(
                table,
                {NAMES[per_column]: "GBP", ENGAGEMENT: "percent"},
                f"Funding {noun} and engagement by district",
                f"stls_funding_{data.basis}_vs_engagement_{data.chosen.year}.csv",
            ),
            alt=(
                f"Scatter plot: each district's SLA funding {noun} (across) against the share "
                "of its settings engaging with the service, all phases (up); "
                f"{comparator} is the orange diamond."
            ),
            notes=(
                f"{sentence(stats.link_words(r, n))}: {stats.describe_link(r, n)}. With so few "
                "districts, one district can change the picture; a link is not evidence that "
                "funding causes engagement.",
            ),
        )
    )


# ---------------------------------------------------------------- needs-based split


def _slip(data: Funding, total_budget: float) -> list[str]:
    """Where Kent's total is shown, why the funding file's (and the report's) differs by
    £1. The note quotes the file's name: plain text, never Markdown."""
    chosen = data.chosen
    slip_note = (
        funding_check.slip_note(app_data.county_total_checks(chosen.year), total_budget)
        if chosen.all_districts or chosen.restricted
        else None
    )
    return [safe_text.markdown_text(slip_note)] if slip_note else []


def needs_split(data: Funding) -> ChartSection:
    """Each district's SLA allocation beside the comparator's total shared out by pupils on
    roll and by pupils with SEN."""
    chosen = data.chosen
    total_budget, pool_pupils, pool_sen = (data.together[k] for k in ("budget", "pupils", "sen"))
    split = analysis.needs_based_split(
        data.frame[data.frame["District"] != data.comparator], total_budget, pool_pupils, pool_sen
    )
    table = split.rename(columns=SPLIT_COLUMNS)[["District", *SPLIT_COLUMNS.values()]]
    slip = _slip(data, total_budget)
    fig = charts.dot_plot(
        split,
        "District",
        SPLIT_SERIES,
        "GBP",
        titles.biggest_gap(
            list(zip(split["District"], split["difference_by_sen_pupils"], strict=True)),
            "SEN pupils",
        ),
        "SLA funding (£)",
    )
    return ChartSection(
        fig,
        TableSection(
            table,
            SPLIT_UNITS,
            "Allocation against a needs-based split",
            f"stls_funding_needs_split_{chosen.year}.csv",
        ),
        alt=(
            f"Dot plot: for each district, its SLA allocation for {chosen.year} (dark blue "
            "circle) beside what the same total would give it if shared by pupils on roll "
            "(orange diamond) or by pupils with SEN (purple square)."
        ),
        notes=(
            "The total shared out is "
            + (f"{contracts.COUNTY}'s" if chosen.restricted else "the chosen districts'")
            + f" SLA funding, £{total_budget:,.0f}. A positive difference means the district "
            "receives more than that split would give it. A needs-based split is an "
            "illustration, not a proposal: "
            "it ignores costs that do not scale with pupils (travel, settings, staff grades).",
            *slip,
        ),
    )
