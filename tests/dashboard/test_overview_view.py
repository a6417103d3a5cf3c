"""The overview page's rules, worked out without a warehouse: the headline chart's table
and the sentence naming the selection."""

from __future__ import annotations

import math

import pandas as pd

from warehouse.dashboard import filters, overview_view


def test_the_headline_table_reads_each_known_change():
    headline = pd.DataFrame(
        {
            "label": ["Engagement", "LIFT", "Training", "Caseload"],
            "breakdown_label": ["All", "All", "All", "All"],
            "now": [60.0, 40.0, 30.0, 20.0],
            "then": [50.0, 45.0, 30.0, 20.0],
            "points": [10.0, -5.0, 0.0, math.nan],
            "better": [True, False, None, None],
        }
    )
    table = overview_view.headline_table(headline, "2023-24", "2022-23")
    assert list(table.columns) == [
        "Figure",
        "Breakdown",
        "2023-24",
        "2022-23",
        "Change (points)",
        "Reading",
    ]
    assert list(table["Figure"]) == ["Engagement", "LIFT", "Training"]
    assert list(table["Reading"]) == ["Improved", "Worse", "No change"]


def test_the_selection_line_names_the_year_before_only_when_there_is_one():
    chosen = filters.Filters(year="2023-24")
    assert overview_view.selection_line(chosen, "2022-23").endswith(
        "**, beside the same terms of 2022-23."
    )
    assert overview_view.selection_line(chosen, None).endswith("**.")
    assert overview_view.comparison_file_name("2023-24", None) == (
        "stls_committee_tables_2023-24_vs_none.csv"
    )
