"""Small-number suppression: counts of children 1-4 hidden, and never recoverable from a total."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from warehouse.reporting.formatting import SUPPRESSED
from warehouse.reporting.suppression import (
    hide_derived,
    is_small,
    lines_for,
    suppress,
)


@pytest.mark.parametrize(
    ("value", "small"),
    [
        (0, False),
        (1, True),
        (4, True),
        (4.9, True),
        (5, False),
        (3.25, True),
        (None, False),
        (float("nan"), False),
        ("[x]", False),
        (120, False),
    ],
)
def test_primary_suppression_hides_counts_from_1_to_4(value, small):
    assert is_small(value) is small


def _table(rows: dict[str, list[float | None]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns)


def test_a_lone_hidden_cell_in_a_row_with_a_total_takes_the_next_smallest_with_it():
    frame = _table(
        {"Thanet": [3, 40, 12, 55], "Swale": [20, 30, 25, 75]},
        ["ey", "primary", "secondary", "all"],
    )
    result = suppress(frame, list(frame.columns), lines_for(frame, [list(frame.columns)], []))
    assert result.values.loc["Thanet", "ey"] == SUPPRESSED  # primary
    assert result.values.loc["Thanet", "secondary"] == SUPPRESSED  # next smallest
    assert result.values.loc["Thanet", "primary"] == 40
    assert result.primary.loc["Thanet", "ey"] and not result.primary.loc["Thanet", "secondary"]
    assert result.secondary.loc["Thanet", "secondary"]
    assert (result.values.loc["Swale"] != SUPPRESSED).all()


def test_a_non_zero_cell_is_preferred_to_a_zero_for_secondary_suppression():
    frame = _table({"Dover": [2, 0, 9, 11]}, ["a", "b", "c", "total"])
    result = suppress(frame, list(frame.columns), lines_for(frame, [list(frame.columns)], []))
    assert result.values.loc["Dover", "b"] == 0
    assert result.values.loc["Dover", "c"] == SUPPRESSED


def test_hiding_for_a_row_can_force_hiding_in_a_column_and_so_on():
    # Districts by terms with a county row (column totals) and a total column (row totals).
    frame = _table(
        {
            "Ashford": [3, 10, 13],
            "Dover": [8, 9, 17],
            "Thanet": [20, 30, 50],
            "Kent": [31, 49, 80],
        },
        ["t1", "t2", "total"],
    )
    result = suppress(
        frame, list(frame.columns), lines_for(frame, [list(frame.columns)], list(frame.columns))
    )
    _assert_no_line_has_one_hidden_cell(result.mask, frame, lines_for(frame, [list(frame.columns)]))
    assert result.values.loc["Ashford", "t1"] == SUPPRESSED
    assert result.hidden_cells >= 4  # Ashford t1, Ashford t2, Dover t1, Dover t2 at least


def test_missing_cells_are_never_used_as_protection():
    frame = _table({"Gravesham": [3, None, 3]}, ["a", "b", "total"])
    result = suppress(frame, list(frame.columns), lines_for(frame, [list(frame.columns)], []))
    # The only other known cell is the total itself: it is hidden, not the unknown cell.
    assert result.values.loc["Gravesham", "total"] == SUPPRESSED
    assert pd.isna(result.values.loc["Gravesham", "b"])


def test_nothing_is_hidden_when_no_count_is_small():
    frame = _table({"Maidstone": [10, 20, 30]}, ["a", "b", "total"])
    result = suppress(frame, list(frame.columns), lines_for(frame, [list(frame.columns)]))
    assert result.hidden_cells == 0
    assert result.values.equals(frame.astype(object))


def test_figures_worked_out_from_a_hidden_count_are_hidden_with_it():
    frame = _table({"Sevenoaks": [3, 60, 5.0], "Swale": [40, 80, 50.0]}, ["cy", "as", "pct"])
    result = hide_derived(suppress(frame, ["cy", "as"]), {"pct": ["cy"]})
    assert result.values.loc["Sevenoaks", "pct"] == SUPPRESSED
    assert result.values.loc["Swale", "pct"] == 50.0


def _assert_no_line_has_one_hidden_cell(mask, frame, lines):
    for line in lines:
        known = [c for c in line if not pd.isna(frame.at[c[0], c[1]])]
        hidden = [c for c in known if mask.at[c[0], c[1]]]
        assert len(hidden) != 1, f"{hidden} could be worked out from its line's total"


@pytest.mark.parametrize("seed", range(25))
def test_no_hidden_cell_can_be_recovered_from_a_total(seed):
    """Random district-by-phase tables with row totals and a county row: every line that
    shares a total hides either nothing or at least two cells."""
    rng = random.Random(seed)
    districts = [f"District {i}" for i in range(rng.randint(2, 8))]
    phases = ["ey", "primary", "secondary"]
    rows = {}
    for d in districts:
        cells = [rng.choice([0, 1, 2, 3, 4, 5, 8, 12, 30, None]) for _ in phases]
        rows[d] = [*cells, sum(c or 0 for c in cells)]
    frame = _table(rows, [*phases, "all"])
    frame.loc["Kent"] = frame.sum(numeric_only=True)
    lines = lines_for(frame, [[*phases, "all"]])
    result = suppress(frame, [*phases, "all"], lines)
    _assert_no_line_has_one_hidden_cell(result.mask, frame, lines)
    for row in frame.index:
        for column in frame.columns:
            if is_small(frame.at[row, column]):
                assert result.values.at[row, column] == SUPPRESSED


def test_a_change_over_the_years_skips_suppressed_and_unknown_values():
    from warehouse.reporting.analysis import first_to_last

    frame = pd.DataFrame(
        {
            "district": ["Dover", "Dover", "Dover", "Swale", "Swale", "Thanet"],
            "census_year": [2024, 2022, 2023, 2022, 2023, 2022],
            "rate": [4.5, SUPPRESSED, 3.0, 2.0, None, 1.0],
        }
    )
    # Dover: 2022 is hidden, so 2023 to 2024; Swale and Thanet have one shown value each.
    assert first_to_last(frame, "district", "census_year", "rate") == [
        ("Dover", 1.5),
        ("Swale", None),
        ("Thanet", None),
    ]
