"""Small-number suppression for counts of children at district level.

Primary suppression: a count of children from 1 to 4 (strictly between 0 and 5, so an
average per term of 3.5 pupils counts too) is shown as ``[c]``. Zero is shown: it
identifies no child.

Secondary suppression: a table shows totals (the county row, an all-phases column, an
average over the terms), so a single hidden cell could be worked out by subtracting the
others from the total. Each *line* of cells that shares a shown total therefore holds
either no ``[c]`` or at least two: where a line has exactly one, the next-smallest cell of
that line (preferring a non-zero one, which a reader cannot guess) is hidden too. This
repeats until every line is safe, because hiding a cell can unsettle the crossing line.

Figures worked out from a hidden count (a rate with a known denominator, funding per
caseload pupil) must be hidden with it: ``hide_derived``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from warehouse.reporting.formatting import SUPPRESSED, is_missing

THRESHOLD = 5

Cell = tuple[object, str]  # (row label, column)


def is_small(value: object, threshold: int = THRESHOLD) -> bool:
    """Whether a count of children must be hidden: more than 0 and less than ``threshold``."""
    if isinstance(value, str) or is_missing(value):
        return False
    return 0 < float(value) < threshold  # type: ignore[arg-type]


@dataclass
class Suppressed:
    """A table after suppression: ``values`` holds ``[c]`` where ``mask`` is True."""

    values: pd.DataFrame
    mask: pd.DataFrame
    primary: pd.DataFrame

    @property
    def secondary(self) -> pd.DataFrame:
        return self.mask & ~self.primary

    @property
    def hidden_cells(self) -> int:
        return int(self.mask.to_numpy().sum())


def lines_for(
    frame: pd.DataFrame,
    row_groups: Sequence[Sequence[str]] = (),
    column_lines: Iterable[str] | None = None,
) -> list[list[Cell]]:
    """The lines of a table that share a shown total.

    ``row_groups``: sets of columns that, along each row, add up to a shown total (include
    the total's column in the set when the table shows it). ``column_lines``: columns whose
    cells, down the rows, add up to a shown total (the county row, if the frame holds it);
    by default every column of every row group.
    """
    lines: list[list[Cell]] = []
    for group in row_groups:
        for row in frame.index:
            lines.append([(row, column) for column in group])
    columns = (
        list(column_lines)
        if column_lines is not None
        else list(dict.fromkeys(c for g in row_groups for c in g))
    )
    for column in columns:
        lines.append([(row, column) for row in frame.index])
    return lines


def suppress(
    frame: pd.DataFrame,
    count_columns: Sequence[str],
    lines: Sequence[Sequence[Cell]] = (),
    threshold: int = THRESHOLD,
) -> Suppressed:
    """Primary and secondary suppression of ``count_columns`` of ``frame``.

    ``lines`` are the groups of cells sharing a shown total (see ``lines_for``). Missing
    cells are unknown to everyone and are never used to protect another.
    """
    counts = frame[list(count_columns)]
    primary = counts.map(lambda v: is_small(v, threshold)).astype(bool)
    mask = primary.copy()
    changed = True
    while changed:
        changed = False
        for line in lines:
            cells = [c for c in line if not is_missing(counts.at[c[0], c[1]])]
            hidden = [c for c in cells if mask.at[c[0], c[1]]]
            if len(hidden) != 1:
                continue
            candidates = [c for c in cells if not mask.at[c[0], c[1]]]
            if not candidates:
                continue
            candidates.sort(key=lambda c: (float(counts.at[c[0], c[1]]) == 0, _num(counts, c)))
            row, column = candidates[0]
            mask.at[row, column] = True
            changed = True
    values = frame.copy()
    for column in count_columns:
        values[column] = pd.Series(
            [
                SUPPRESSED if hide else v
                for v, hide in zip(frame[column], mask[column], strict=True)
            ],
            index=frame.index,
            dtype=object,
        )
    full_mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    full_mask[list(count_columns)] = mask
    full_primary = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    full_primary[list(count_columns)] = primary
    return Suppressed(values=values, mask=full_mask, primary=full_primary)


def _num(counts: pd.DataFrame, cell: Cell) -> float:
    return float(counts.at[cell[0], cell[1]])


def hide_derived(result: Suppressed, derived: dict[str, Sequence[str]]) -> Suppressed:
    """Hide each derived column wherever any count it is worked out from is hidden.

    ``derived`` maps a derived column (a rate, funding per caseload pupil) to the count
    columns it depends on.
    """
    values = result.values.copy()
    mask = result.mask.copy()
    for column, sources in derived.items():
        hidden = mask[list(sources)].any(axis=1)
        values[column] = values[column].astype(object).where(~hidden, SUPPRESSED)
        mask[column] = mask[column] | hidden
    return Suppressed(values=values, mask=mask, primary=result.primary)
