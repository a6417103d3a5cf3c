"""The committee tables for a year beside the year before: change and direction of good.

The figures are ``committee_tables``' own, shown with ``render.display`` exactly as
``stls report tables`` prints them. The change is worked out from the unrounded figures
and shown in the figure's own terms (percentage points, pounds, pupils).
"""

from __future__ import annotations

import pandas as pd

from warehouse import render
from warehouse.formatting import NOT_AVAILABLE, format_value
from warehouse.report import FIGURES, CommitteeTables
from warehouse.suppression import SUPPRESSED, is_small

HIGHER_IS_BETTER = "Higher is better"
NO_DIRECTION = "No direction: context"

# +1: a rise is an improvement for the service. 0: context, neither good nor bad.
DIRECTION: dict[str, int] = {
    "engagement_pct": 1,
    "lift_attendance_pct": 1,
    "training_attendance_pct": 1,
    "actively_supported_pct_of_caseload": 1,
    "targets_reviewed_pct_of_open_cases": 1,
    "cases_closed_targets_met_pct_of_reviewed": 1,
    "transition_events_avg": 1,
}

# Figures that count children, and figures worked out from such a count with a known
# denominator: hidden at district level when the count is 1 to 4.
CHILD_COUNTS = ("caseload_avg", "actively_supported_avg")
FROM_CHILD_COUNTS = {
    "caseload_share_of_age_group_pct": "caseload_avg",
    "funding_per_caseload_pupil": "caseload_avg",
}

PHASE_BREAKDOWNS = {"early_years", "primary", "secondary", "school_age"}


def _change_unit(figure: str) -> str:
    unit = FIGURES[figure][1]
    if unit == "percent":
        return "pp1" if render.DECIMALS.get(figure) else "pp"
    if unit == "GBP":
        return "GBP_signed"
    return "count_signed"


def keep_breakdown(breakdown: str, phase: str) -> bool:
    """Whether a row belongs to the phase chosen (school age goes with primary and
    secondary; breakdowns that are not phases always show)."""
    if phase == "all" or breakdown not in PHASE_BREAKDOWNS:
        return True
    return breakdown == phase or (breakdown == "school_age" and phase in ("primary", "secondary"))


def _display(figure: str, value: float | None, hidden: bool) -> str:
    return SUPPRESSED if hidden else render.display(figure, value)


def hidden_breakdowns(tables: CommitteeTables) -> set[tuple[str, str]]:
    """(figure, breakdown) pairs to show as [c]: a count of children of 1 to 4 (and what is
    worked out from it) when the selection is not the whole county."""
    if tables.selection.all_districts:
        return set()
    hidden = {
        (figure, breakdown)
        for figure in CHILD_COUNTS
        for breakdown, value in tables.figures.get(figure, {}).items()
        if is_small(value)
    }
    small_caseload = any(is_small(v) for v in tables.figures.get("caseload_avg", {}).values())
    for figure, source in FROM_CHILD_COUNTS.items():
        for breakdown in tables.figures.get(figure, {}):
            if (source, breakdown) in hidden or (
                figure == "funding_per_caseload_pupil" and small_caseload
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
    for figure, (title, _unit) in FIGURES.items():
        for breakdown, value in current.figures.get(figure, {}).items():
            if not keep_breakdown(breakdown, phase):
                continue
            hide_now = (figure, breakdown) in hidden_now
            row = {
                "Figure": title,
                "Breakdown": render.BREAKDOWN_LABELS.get(breakdown, breakdown),
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
                row["Direction of good"] = (
                    HIGHER_IS_BETTER if DIRECTION.get(figure) else NO_DIRECTION
                )
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
    if DIRECTION.get(figure):
        return "Improved" if rising else "Worse"
    return "Up" if rising else "Down"
