"""The EHCP page's rules, worked out without a warehouse: censuses up to the chosen year's,
suppression within a census year, the districts apart from their comparator, and how many
districts a link needs."""

from __future__ import annotations

import io
import math

import pandas as pd

from warehouse.dashboard import ehcp_view, filters
from warehouse.reporting import analysis, formatting


def _rates(districts: list[str], years: list[int], ehcp: list[int], sen: list[int]):
    return pd.DataFrame(
        {
            "district": districts,
            "census_year": years,
            "pupils": [1000] * len(districts),
            "ehcp": ehcp,
            "sen_support": sen,
            "ehcp_rate_pct": [e / 10 for e in ehcp],
            "sen_support_rate_pct": [s / 10 for s in sen],
        }
    )


def test_only_censuses_up_to_the_chosen_years_are_kept():
    """The page and the pack both cut the history with ``analysis.up_to_census``."""
    frame = _rates(["Dover"] * 3, [2023, 2024, 2025], [10, 11, 12], [50, 51, 52])
    assert list(analysis.up_to_census(frame, 2024)["census_year"]) == [2023, 2024]


def test_a_small_count_hides_the_next_smallest_of_its_census_year_and_its_rate():
    by_district = _rates(["Dover", "Thanet"], [2024, 2024], [3, 40], [50, 60])
    together = _rates(["x"], [2024], [43], [110]).drop(columns="district")
    result = ehcp_view.suppressed(by_district, together, "Selected districts")
    values = result.values
    assert list(values["district"]) == ["Dover", "Thanet", "Selected districts"]
    # Dover's 3 is hidden, and Thanet's 40 with it: else 43 - 40 gives it away.
    assert list(values["ehcp"]) == ["[c]", "[c]", 43]
    assert values["ehcp_rate_pct"].iloc[0] == "[c]"
    assert list(values["sen_support"]) == [50, 60, 110]


def test_the_districts_rows_leave_out_the_comparators():
    by_district = _rates(["Dover", "Thanet"], [2024, 2024], [30, 40], [50, 60])
    together = _rates(["x"], [2024], [70], [110]).drop(columns="district")
    rates = ehcp_view.CensusRates(
        ehcp_view.suppressed(by_district, together, "Kent"), "Kent", 2024, 2024
    )
    assert list(rates.district_rows["district"]) == ["Dover", "Thanet"]
    assert list(rates.county_rows["district"]) == ["Kent"]
    assert list(rates.table["Census year"]) == ["2024", "2024", "2024"]


def test_a_link_needs_three_districts():
    assert not ehcp_view.Link(None, 2).can_be_judged
    assert ehcp_view.Link(0.5, 3).can_be_judged


def test_a_change_needs_a_known_change():
    assert not ehcp_view.has_change(pd.DataFrame({"ehcp_change_pp": []}))
    assert not ehcp_view.has_change(pd.DataFrame({"ehcp_change_pp": [math.nan, math.nan]}))
    assert ehcp_view.has_change(pd.DataFrame({"ehcp_change_pp": [math.nan, 0.4]}))


def test_too_few_districts_are_named_in_words():
    chosen = filters.Filters(year="2023-24", districts=("Dover",), scope=("Dover",))
    words = ehcp_view.too_few_words(ehcp_view.Link(None, 1), "engagement_pct", chosen)
    assert "from 1 district:" in words
    assert words.endswith("follows Dover and Kent over time.")


def test_the_dfe_table_leaves_the_symbol_blank_beside_a_value():
    """DfE gives a symbol only where it gives no value: a value's empty symbol cell is blank
    in the table and its CSV, not "[x]" (not available)."""
    national = pd.DataFrame(
        {"measure": ["EHC plans"] * 2, "year": ["2024", "2025"], "area": ["Kent"] * 2,
         "value": [4.1, None], "symbol": [None, "c"]}
    )  # fmt: skip
    section = ehcp_view.dfe_table(national)
    data = formatting.csv_bytes(section.table, section.units)
    read = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    assert list(read["DfE symbol"]) == ["", "c"]
    assert list(read["Value (% of pupils)"]) == ["4.1", "[x]"]
