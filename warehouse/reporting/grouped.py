"""The committee tables grouped as the report groups them (Table 1 ... Table 7, 2.13, 2.22,
then the figures the report has no table for), in two shapes:

* ``groups``: for the Overview, one small table per group, a row per figure and breakdown
  of the phase chosen: this year, the year before, the change, and a reading that marks a
  worse figure with a word and a symbol ("▼ Worse"), never colour alone; the group's
  direction of good is said once, in its note;
* ``report_tables``: for the committee pack, Tables 1-7 as the report prints them: a row per
  year (and Kent's, for some districts), a column per breakdown, a second figure of the same
  table in brackets ("2,550 (1.9%)").

Every figure is ``committee_tables``' own, displayed as ``render.display`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from warehouse.core import figures
from warehouse.reporting import comparison, render
from warehouse.reporting.committee import COUNTY, SELECTED, CommitteeTables
from warehouse.reporting.glance import belongs
from warehouse.reporting.suppression import SUPPRESSED

MARKS = {"Improved": "▲ Improved", "Worse": "▼ Worse", "Up": "↑ Up", "Down": "↓ Down"}
DIRECTION_WORDS = {
    figures.UP: "higher is better",
    figures.DOWN: "lower is better",
    figures.NONE: "context, neither a rise nor a fall is good or bad in itself",
}


def _repeats_the_district(tables: CommitteeTables, breakdown: str) -> bool:
    """A figure shown per district gives one district's own value and the same again as
    "selected districts": show it once."""
    return breakdown == SELECTED and len(tables.selection.district_list()) == 1


@dataclass
class Group:
    key: str  # "Table 1", "2.22", "" for figures the report has no table for
    heading: str
    note: str
    frame: pd.DataFrame
    figure_keys: tuple[str, ...]


def _heading(key: str, specs: list[figures.Figure]) -> str:
    names = "; ".join(s.label for s in specs)
    if key.startswith("Table"):
        return f"{key}: {names}"
    if key:
        return f"Section {key}: {names}"
    return names


def _groups_of_specs() -> list[tuple[str, list[figures.Figure]]]:
    """The committee figures by report table, in the report's order; figures with no table
    each make their own group."""
    out: list[tuple[str, list[figures.Figure]]] = []
    for spec in figures.committee_figures():
        if spec.report_table and out and out[-1][0] == spec.report_table:
            out[-1][1].append(spec)
        else:
            out.append((spec.report_table, [spec]))
    return out


def groups(
    current: CommitteeTables,
    before: CommitteeTables | None,
    phase: str = "all",
    county: CommitteeTables | None = None,
) -> list[Group]:
    """The Overview's tables (see the module's docstring); ``county``: Kent's figures for
    the same terms, as a last column, when ``current`` is some districts."""
    year = current.selection.academic_year
    previous = before.selection.academic_year if before else None
    who = "" if current.selection.all_districts else ", ".join(current.selection.districts) + " "
    table = comparison.comparison(current, before, "all")
    hidden_county = comparison.hidden_breakdowns(county) if county is not None else set()
    out = []
    row = 0
    for key, specs in _groups_of_specs():
        rows = []
        for spec in specs:
            for breakdown in current.figures.get(spec.key, {}):
                line = table.iloc[row]
                row += 1
                if not belongs(breakdown, phase) or _repeats_the_district(current, breakdown):
                    continue
                shown = {
                    "Figure": spec.short_label,
                    "Breakdown": figures.breakdown_label(breakdown),
                    f"{who}{year}": line[year],
                }
                if previous is not None:
                    shown[f"{who}{previous}"] = line[previous]
                    shown["Change"] = line["Change"]
                    shown["Reading"] = MARKS.get(line["Reading"], line["Reading"])
                if county is not None:
                    own = COUNTY if spec.shown_by == figures.BY_DISTRICT else breakdown
                    kent = county.figures.get(spec.key, {}).get(own)
                    hidden = (spec.key, own) in hidden_county
                    shown[f"{COUNTY} {year}"] = (
                        SUPPRESSED if hidden else render.display(spec.key, kent)
                    )
                rows.append(shown)
        if not rows:
            continue
        frame = pd.DataFrame(rows)
        if len(specs) == 1:
            frame = frame.drop(columns="Figure")
        if len({s.direction for s in specs}) == 1:
            note = DIRECTION_WORDS[specs[0].direction]
        else:
            note = "; ".join(f"{s.short_label}: {DIRECTION_WORDS[s.direction]}" for s in specs)
        note = note[:1].upper() + note[1:] + "."
        out.append(Group(key, _heading(key, specs), note, frame, tuple(s.key for s in specs)))
    return out


# ---------------------------------------------------------------- as the report prints them


@dataclass
class ReportTable:
    key: str  # "Table 1"
    caption: str
    columns: list[str]  # breakdown labels
    rows: list[tuple[str, list[str]]]  # (row label, a cell per column)
    bracket_note: str  # what a figure in brackets is, or ""


def _cell(tables: CommitteeTables, specs: list[figures.Figure], breakdown: str, hidden: set) -> str:
    parts = []
    for i, spec in enumerate(specs):
        if breakdown not in spec.breakdowns:
            continue
        value = tables.figures.get(spec.key, {}).get(breakdown)
        shown = SUPPRESSED if (spec.key, breakdown) in hidden else render.display(spec.key, value)
        parts.append(shown if i == 0 else f"({shown})")
    return " ".join(parts) if parts else "[z]"


def report_tables(
    current: CommitteeTables,
    before: CommitteeTables | None,
    county: CommitteeTables | None = None,
) -> list[ReportTable]:
    """Tables 1-7 as the committee report lays them out (see the module's docstring)."""
    terms = render.terms_label(list(current.selection.terms))
    who = "" if current.selection.all_districts else f" ({', '.join(current.selection.districts)})"
    years = [t for t in (before, current) if t is not None]
    out = []
    for key, specs in _groups_of_specs():
        if not key.startswith("Table"):
            continue
        columns = list(specs[0].breakdowns)
        rows = []
        for tables in years:
            hidden = comparison.hidden_breakdowns(tables)
            label = f"{terms} {tables.selection.academic_year}{who}"
            rows.append((label, [_cell(tables, specs, b, hidden) for b in columns]))
        if county is not None:
            label = f"{terms} {current.selection.academic_year} ({COUNTY})"
            rows.append((label, [_cell(county, specs, b, set()) for b in columns]))
        caption = f"{key}: {specs[0].label}"
        bracket = ""
        if len(specs) > 1:
            bracket = "In brackets: " + "; ".join(s.label.lower() for s in specs[1:]) + "."
        out.append(
            ReportTable(key, caption, [figures.breakdown_label(b) for b in columns], rows, bracket)
        )
    return out


def other_figures(
    current: CommitteeTables, before: CommitteeTables | None, phase: str = "all"
) -> pd.DataFrame:
    """The committee figures outside Tables 1-7 (2.13, 2.22, transition events, census
    rates, funding per pupil), this year beside the year before."""
    table = comparison.comparison(current, before, "all")
    keep = []
    row = 0
    for spec in figures.committee_figures():
        for breakdown in current.figures.get(spec.key, {}):
            if (
                not spec.report_table.startswith("Table")
                and belongs(breakdown, phase)
                and not _repeats_the_district(current, breakdown)
            ):
                keep.append(row)
            row += 1
    columns = [c for c in table.columns if c not in ("Direction of good",)]
    return table.iloc[keep][columns].reset_index(drop=True)
