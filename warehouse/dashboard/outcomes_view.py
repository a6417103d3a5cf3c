"""What the "Outcomes for supported children" page shows, worked out before it is drawn.

The year to open on, what is not yet final, the cohort's and comparison group's tables
(suppressed: counts of 1 to 4 as [c]), the headline figures, and the cohort curves for Kent
or one district the viewer may see. The page lays these out; the data and its role rules
are ``warehouse.dashboard.outcomes_data``'s.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from warehouse.core import contracts, safe_text
from warehouse.dashboard import auth, charts, outcomes_data
from warehouse.dashboard.sections import ChartSection, TableSection
from warehouse.reporting import outcomes
from warehouse.reporting.formatting import format_value

# The page's choice of breakdown of the supported children: its key -> its label.
BREAKDOWNS = {
    "district": "District",
    "phase": "Phase at referral",
    "closure_reason": "Closure reason",
}
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
# The headline tiles: label, which table's Kent row, and which percentage.
HEADLINES = (
    ("Supported: EHC plan within 12 months", outcomes.COHORT, "ehcp_12_pct"),
    ("Comparison: EHC plan within 12 months", outcomes.COMPARISON, "ehcp_12_pct"),
    ("Supported: EHC plan within 24 months", outcomes.COHORT, "ehcp_24_pct"),
    ("Comparison: EHC plan within 24 months", outcomes.COMPARISON, "ehcp_24_pct"),
)
CURVE_NAMES = {
    "group": "Group",
    "months_since_band": "Months since",
    "children_seen": "Children seen in a census",
    "with_plan": "With an EHC plan",
    "with_plan_pct": "% with an EHC plan",
}
CURVE_UNITS = {
    "Children seen in a census": "count",
    "With an EHC plan": "count",
    "% with an EHC plan": "percent1",
}


# ---------------------------------------------------------------- the year and its words


def coverage(viewer: auth.Viewer) -> str:
    """What the viewer's figures cover: Kent, or their district and Kent."""
    return f"{viewer.district} and {contracts.COUNTY}" if viewer.restricted else contracts.COUNTY


def default_year_index(years: list[str]) -> int:
    """The year the page opens on: the latest whose cohort is followed for every horizon,
    else the latest."""
    followed = [
        y for y in years if all(outcomes_data.horizons_complete(y)[outcomes.COHORT].values())
    ]
    return years.index(followed[-1]) if followed else len(years) - 1


def unfinished_warning(year: str) -> str | None:
    """Which horizons of the year still wait for a census (``None``: every one is final)."""
    complete = outcomes_data.horizons_complete(year)
    unfinished = sorted({m for side in complete.values() for m, done in side.items() if not done})
    if not unfinished:
        return None
    return (
        f"Not every January census that falls within {' and '.join(map(str, unfinished))} "
        f"months of the {year} closes is published yet: those figures will still change."
    )


# ---------------------------------------------------------------- the tables


@dataclass(frozen=True)
class Shown:
    """A breakdown as the page shows it (suppressed, labelled), and how many cells hide."""

    table: pd.DataFrame
    hidden_cells: int


def shown(frame: pd.DataFrame, label: str, rows_add_up: bool) -> Shown:
    """The breakdown suppressed, headed, its labels (first column ``label``) as
    Markdown-safe text."""
    result = outcomes.suppressed(frame, rows_add_up=rows_add_up)
    values = result.values[list(outcomes.HEADINGS)].rename(columns=outcomes.HEADINGS)
    values.insert(0, label, [safe_text.markdown_text(str(v)) for v in values.index])
    return Shown(values.reset_index(drop=True), result.hidden_cells)


def tables(year: str, breakdown: str, viewer: auth.Viewer) -> tuple[Shown, Shown]:
    """The supported children by the breakdown, and the comparison group by district."""
    cohort = outcomes_data.table(year, outcomes.COHORT, breakdown)
    comparison = outcomes_data.table(year, outcomes.COMPARISON, "district")
    # A district lead's district table is Kent and one district: its rows do not add up.
    return (
        shown(
            cohort,
            BREAKDOWNS[breakdown].split(" ")[0],
            not (breakdown == "district" and viewer.restricted),
        ),
        shown(comparison, "District", not viewer.restricted),
    )


def headlines(cohort: Shown, comparison: Shown) -> list[tuple[str, str]]:
    """The tiles: each label (Kent) and its Kent percentage, formatted."""
    kent = {outcomes.COHORT: cohort.table.iloc[0], outcomes.COMPARISON: comparison.table.iloc[0]}
    return [
        (
            f"{label} ({contracts.COUNTY})",
            format_value(kent[side][outcomes.HEADINGS[key]], "percent1"),
        )
        for label, side, key in HEADLINES
    ]


def cohort_header(breakdown: str) -> str:
    return f"Supported children, by {BREAKDOWNS[breakdown].lower()}"


def cohort_table(cohort: Shown, year: str, breakdown: str) -> TableSection:
    return TableSection(
        cohort.table,
        UNITS,
        f"Supported children whose episode closed in {year}, by {BREAKDOWNS[breakdown].lower()}",
        f"stls_outcomes_{year}_{breakdown}.csv",
    )


def comparison_table(comparison: Shown, year: str) -> TableSection:
    return TableSection(
        comparison.table,
        UNITS,
        f"Comparison group of {year}, by district",
        f"stls_outcomes_comparison_{year}.csv",
    )


def suppression_notes(cohort: Shown, comparison: Shown) -> tuple[str, ...]:
    return (SUPPRESSION_NOTE,) if cohort.hidden_cells or comparison.hidden_cells else ()


def comparison_caption(year: str) -> str:
    """Who the comparison group is: the census of the January after the year began."""
    return (
        f"Children at SEN Support in the January {int(year[:4]) + 1} census who had never been "
        "open to the service by census day, followed from census day the same way."
    )


# ---------------------------------------------------------------- cohort curves


def curve_places(viewer: auth.Viewer) -> list[str | None]:
    """Where the curves can be drawn for: Kent (``None``), then each district the viewer
    may see."""
    return [None, *viewer.allowed_districts()]


def curve_place_index(viewer: auth.Viewer, places: list[str | None]) -> int:
    """A district lead's curves open on their district; everyone else's on Kent."""
    return len(places) - 1 if viewer.restricted else 0


def place_name(place: str | None) -> str:
    return contracts.COUNTY if place is None else place


def curve_chart(year: str, place: str | None) -> ChartSection:
    """The share of each group with an EHC plan, by six-month band since the close."""
    curve = outcomes.suppressed_curve(outcomes_data.curve(year, place))
    curve_table = curve[list(CURVE_NAMES)].rename(columns=CURVE_NAMES)
    curve_table["Months since"] = [f"{m} to {m + 5}" for m in curve["months_since_band"]]
    name = place_name(place)
    fig = charts.lines(
        curve_table,
        "Months since",
        "% with an EHC plan",
        "Group",
        "percent1",
        f"Supported children and the comparison group with an EHC plan over time, {name}",
        "Months since the episode closed (comparison group: since census day)",
        "With an EHC plan (%)",
    )
    return ChartSection(
        fig,
        TableSection(
            curve_table,
            CURVE_UNITS,
            f"Share with an EHC plan by months since, {name}, {year}",
            f"stls_outcomes_curve_{year}_{safe_text.slug(place_name(place))}.csv",
        ),
        alt=(
            f"Line chart for {name}: of the supported children whose episode closed in "
            f"{year} (one line) and the comparison group (another), the percentage with an "
            "EHC plan in the January censuses that fell 0 to 5, 6 to 11, 12 to 17 months "
            "and so on after the close (or census day); points with too few children are "
            "left out as [c]."
        ),
    )
