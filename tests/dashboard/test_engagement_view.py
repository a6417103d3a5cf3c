"""The engagement page's rules, worked out without a warehouse: a district against its
comparator (the table's words and the chart's colours read one rule), when the trend draws
a line per district, and the caseload notes."""

from __future__ import annotations

import math

import pandas as pd

from warehouse.dashboard import chart_rules, charts, engagement_view, filters
from warehouse.reporting import analysis


def _data(chosen: filters.Filters, rates: dict[str, float], county: float):
    districts = list(rates)
    view = analysis.SettingsView(
        by_district_term=pd.DataFrame(
            {"district": districts, "term": [1] * len(districts), "rate": list(rates.values())}
        ),
        by_district=pd.DataFrame(
            {"district": districts, "rate": list(rates.values()), "terms": [1] * len(districts)}
        ),
        county_by_term=pd.DataFrame({"term": [1, 2], "rate": [county, county]}),
        county=county,
        by_phase_term=pd.DataFrame(
            {
                "phase": ["early_years", "primary", "early_years", "primary"],
                "term": [1, 1, 2, 2],
                "rate": [40.0, 50.0, 41.0, 51.0],
            }
        ),
    )
    return engagement_view.Engagement(chosen, "engagement", view, view)


def test_a_figure_is_below_only_under_the_reference_and_unknown_is_neither():
    assert chart_rules.below(49.9, 50.0) is True
    assert chart_rules.below(50.0, 50.0) is False
    assert chart_rules.below(None, 50.0) is None
    assert chart_rules.below(math.nan, 50.0) is None
    assert chart_rules.below("[c]", 50.0) is None
    assert [engagement_view.against(v, 50.0) for v in (49.9, 50.0, math.nan)] == [
        "Below",
        "At or above",
        "[x]",
    ]


def test_the_table_says_what_the_bars_colour():
    chosen = filters.Filters(year="2023-24", districts=("Dover", "Thanet", "Swale"))
    data = _data(chosen, {"Dover": 40.0, "Thanet": 55.0, "Swale": math.nan}, 50.0)
    table = engagement_view.districts_table(data, engagement_view.by_district(data))
    against = dict(zip(table["District"], table["Against Selected districts"], strict=True))
    assert against == {
        "Dover": "Below",
        "Thanet": "At or above",
        "Swale": "[x]",
        "Selected districts": "[z]",
    }
    fig = charts.district_bars(
        ["Dover", "Thanet", "Swale"],
        [40.0, 55.0, math.nan],
        "percent",
        "t",
        "a",
        reference=50.0,
        reference_name="Selected districts",
    )
    drawn = {trace.name: list(trace.y) for trace in fig.data if trace.type == "bar"}
    assert drawn == {
        "At or above Selected districts": ["Thanet"],
        "Below Selected districts": ["Dover"],
    }


def test_a_line_per_district_only_for_a_few_districts():
    every = filters.Filters(year="2023-24")
    assert not engagement_view.draws_district_lines(every)
    few = filters.Filters(year="2023-24", districts=("Dover", "Thanet", "Swale", "Ashford"))
    assert engagement_view.draws_district_lines(few)
    many = filters.Filters(
        year="2023-24", districts=("Dover", "Thanet", "Swale", "Ashford", "Canterbury")
    )
    assert not engagement_view.draws_district_lines(many)


def test_the_trend_sets_districts_beside_the_comparators_like_for_like_lines():
    chosen = filters.Filters(year="2023-24", phase="primary", districts=("Dover",))
    trend = engagement_view.trend_lines(_data(chosen, {"Dover": 45.0}, 50.0))
    assert list(dict.fromkeys(trend["series"])) == [
        "Dover (primary)",
        "Selected districts: Primary",
    ]
    table = engagement_view.trend_table(trend)
    assert list(table.columns) == ["Term", "Dover (primary)", "Selected districts: Primary"]
    assert list(table["Term"]) == ["Term 1", "Term 2"]


def test_caseload_notes_say_why_a_phase_is_beside_school_age_and_what_is_hidden():
    primary = filters.Filters(year="2023-24", phase="primary")
    notes = engagement_view.caseload_notes(primary, 2)
    assert notes[0] == engagement_view.SUPPRESSION_NOTE
    assert "primary caseload beside school-age active support" in notes[1]
    assert notes[2] == "2 figure(s) in this table are suppressed."
    assert engagement_view.caseload_notes(filters.Filters(year="2023-24"), 0) == (
        engagement_view.SUPPRESSION_NOTE,
    )
