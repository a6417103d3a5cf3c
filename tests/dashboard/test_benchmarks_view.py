"""The "Kent among councils" page's tile and download rules, without a warehouse."""

from __future__ import annotations

import io

import pandas as pd

from warehouse.dashboard import benchmarks_view
from warehouse.reporting import benchmarks, formatting


def _result(**changes) -> benchmarks.Benchmark:
    fields = {
        "la": "Kent",
        "la_number": 886,
        "indicator": "X",
        "label": "X",
        "unit": "%",
        "year": "2024",
        "polarity": "High",
        "value": 1234.5,
        "value_symbol": None,
        "neighbours_mean": None,
        "neighbours_with_value": 0,
        "region": None,
        "region_value": None,
        "england_value": None,
        "quartile_band": "B",
        "rank": 12,
        "las_ranked": 150,
        "previous_year": None,
        "change_from_previous_year": None,
    }
    return benchmarks.Benchmark(**{**fields, **changes})


INFO = benchmarks_view.Indicator("%", 2, "", "DfE", None, "March")


def test_figures_are_shown_to_the_indicators_places():
    assert benchmarks_view.value_text(_result(), INFO) == "1,234.50"
    assert benchmarks_view.value_text(_result(value=None), INFO) == "[x]"
    assert INFO.shown(None) == "-"


def test_rank_and_change_labels():
    assert benchmarks_view.rank_text(_result()) == "12 of 150"
    assert benchmarks_view.rank_text(_result(rank=None)) == "-"
    assert benchmarks_view.change_label(_result()) == "Change since the previous year"


def test_a_band_is_judged_only_where_dfe_says_which_way_is_better():
    badge = benchmarks_view.band_badge(_result())
    assert badge == benchmarks_view.Badge("Band B: in the better half of councils", "green")
    weaker = benchmarks_view.band_badge(_result(quartile_band="C", polarity="Low"))
    assert weaker is not None and weaker.colour == "orange"
    assert benchmarks_view.band_badge(_result(polarity=None)) is None
    assert benchmarks_view.band_badge(_result(quartile_band=None)) is None


def test_the_caption_says_not_given_for_missing_dates():
    caption = benchmarks_view.source_caption(INFO)
    assert "Last updated not given; next update March." in caption


def test_every_row_of_a_table_and_its_csv_carries_the_attribution():
    table = pd.DataFrame({"area": ["Kent", "=cmd"], "value": [1.0, 2.0]})
    section = benchmarks_view.attributed(table, "t", "t.csv")
    read = pd.read_csv(io.BytesIO(formatting.csv_bytes(section.table, section.units)))
    assert list(read["source"]) == [benchmarks_view.ATTRIBUTED] * 2
    assert not read["area"].str.startswith("=").any()
    assert list(table.columns) == ["area", "value"]  # the table given is left as it was


def test_the_tables_are_offered_as_every_pages_tables():
    """``ui.show_table`` draws them and writes their CSV (``formatting.csv_bytes``), as on
    every other page: a missing value is "[x]", a published value is not rounded, and the
    file name carries no received text but letters, digits and underscores."""
    trend = pd.DataFrame(
        {"year": ["2023", "2024"], "area": ["Kent", "Kent"], "value": [41.2345, None],
         "symbol": [None, "c"], "extra": [1, 2]}
    )  # fmt: skip
    section = benchmarks_view.over_years_table(trend, "Kent <a href=x>", "SEN/EHC")
    assert list(section.table.columns) == [*benchmarks_view.TREND_COLUMNS, "source"]
    assert section.units == {}
    assert section.file_name == "stls_kent_a_href_x_sen_ehc_over_years.csv"
    data = formatting.csv_bytes(section.table, section.units)
    read = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    assert list(read["value"]) == ["41.2345", "[x]"]
    assert list(read["symbol"]) == ["", "c"]  # no symbol beside a value: blank, not [x]
    bars = benchmarks_view.neighbours_table(trend[["area", "value"]], "Kent", "X")
    assert bars.file_name == "stls_kent_x_neighbours.csv"
