"""The committee tables for a year beside the year before: change and direction of good.

The figures are ``committee_tables``' own, shown with ``render.display`` exactly as
``stls report tables`` prints them. The change is worked out from the unrounded figures
and shown in the figure's own terms (percentage points, pounds, pupils).
"""

from __future__ import annotations

import pandas as pd

from warehouse.core import contracts, figures
from warehouse.reporting import render
from warehouse.reporting.committee import CommitteeTables
from warehouse.reporting.formatting import NOT_AVAILABLE, format_value
from warehouse.reporting.suppression import SUPPRESSED, is_small

HIGHER_IS_BETTER = "Higher is better"
LOWER_IS_BETTER = "Lower is better"
NO_DIRECTION = "No direction: context"
DIRECTION_WORDS = {
    figures.UP: HIGHER_IS_BETTER,
    figures.DOWN: LOWER_IS_BETTER,
    figures.NONE: NO_DIRECTION,
}


def _change_unit(figure: str) -> str:
    spec = figures.figure(figure)
    if spec.unit == "percent":
        return "pp1" if spec.decimals else "pp"
    if spec.unit == "GBP":
        return "GBP_signed"
    return "count_signed"


def keep_breakdown(breakdown: str, phase: str) -> bool:
    """Whether a row belongs to the phase chosen (school age goes with its school-age
    phases; breakdowns that are not phases always show)."""
    catalogue = contracts.phase_catalogue()
    if phase == "all" or breakdown not in catalogue:
        return True
    return breakdown == phase or (
        breakdown == contracts.SCHOOL_AGE and catalogue[phase].is_school_age
    )


def _display(figure: str, value: float | None, hidden: bool) -> str:
    return SUPPRESSED if hidden else render.display(figure, value)


def hidden_breakdowns(tables: CommitteeTables) -> set[tuple[str, str]]:
    """(figure, breakdown) pairs to show as [c] when the selection is not the whole county:
    a count of children of 1 to 4, and a figure worked out from a count of children (the
    catalogue's ``child_counts``) where a count for its breakdown is hidden, or any count
    is, for a figure shown per district."""
    if tables.selection.all_districts:
        return set()
    catalogue = figures.catalogue()
    hidden = {
        (figure, breakdown)
        for figure, values in tables.figures.items()
        if catalogue[figure].child_counts == figures.CHILD_COUNT
        for breakdown, value in values.items()
        if is_small(value)
    }
    hidden_breakdowns_of_counts = {breakdown for _, breakdown in hidden}
    for figure, values in tables.figures.items():
        spec = catalogue[figure]
        if spec.child_counts != figures.FROM_CHILD_COUNT:
            continue
        for breakdown in values:
            if breakdown in hidden_breakdowns_of_counts or (
                spec.shown_by == figures.BY_DISTRICT and hidden
            ):
                hidden.add((figure, breakdown))
    return hidden


def comparison(
    current: CommitteeTables, before: CommitteeTables | None, phase: str = "all"
) -> pd.DataFrame:
    """One row per figure and breakdown: this year, the year before, change, direction."""
    year = current.selection.academic_year
    previous = before.selection.academic_year if before else None
    hidden_now = hidden_breakdowns(current)
    hidden_before = hidden_breakdowns(before) if before else set()
    rows = []
    for spec in figures.committee_figures():
        figure, title = spec.key, spec.title
        for breakdown, value in current.figures.get(figure, {}).items():
            if not keep_breakdown(breakdown, phase):
                continue
            hide_now = (figure, breakdown) in hidden_now
            row = {
                "Figure": title,
                "Breakdown": figures.breakdown_label(breakdown),
                year: _display(figure, value, hide_now),
            }
            if before is not None and previous is not None:
                old = before.figures.get(figure, {}).get(breakdown)
                hide_old = (figure, breakdown) in hidden_before
                row[previous] = _display(figure, old, hide_old)
                change = None if (value is None or old is None) else value - old
                if hide_now or hide_old:
                    row["Change"] = SUPPRESSED
                else:
                    row["Change"] = _format_change(figure, change)
                row["Direction of good"] = DIRECTION_WORDS[spec.direction]
                row["Reading"] = (
                    SUPPRESSED if hide_now or hide_old else _reading(figure, row["Change"], change)
                )
            rows.append(row)
    return pd.DataFrame(rows)


def _format_change(figure: str, change: float | None) -> str:
    if change is None:
        return NOT_AVAILABLE
    unit = _change_unit(figure)
    if unit == "count_signed":
        text = format_value(change, "count")
        return text if text.startswith("-") or text == "0" else f"+{text}"
    return format_value(change, unit)


def _reading(figure: str, shown_change: str, change: float | None) -> str:
    """Improved / Worse for figures with a direction of good; Up / Down for context."""
    if change is None:
        return NOT_AVAILABLE
    digits = shown_change.replace("£", "").replace(",", "").split()[0]
    if float(digits) == 0:
        return "No change"
    rising = change > 0
    direction = figures.figure(figure).direction
    if direction in (figures.UP, figures.DOWN):
        return "Improved" if rising == (direction == figures.UP) else "Worse"
    return "Up" if rising else "Down"
