"""The funding page's rules, worked out without a warehouse: the comparator's reference
value, the rows of the districts alone, and the notice for too few districts to judge a link."""

from __future__ import annotations

import math

import pandas as pd

from warehouse.dashboard import filters, funding_view


def _funding(chosen: filters.Filters, basis: str, reference: object) -> funding_view.Funding:
    values = pd.DataFrame(
        {
            "District": ["Dover", "Thanet", chosen.comparator],
            "pupil": [120.0, "[c]", reference],
        }
    )
    return funding_view.Funding(chosen, basis, values, values, {})


def test_the_reference_is_the_comparators_figure_unless_hidden_or_unknown():
    chosen = filters.Filters(year="2023-24", districts=("Dover", "Thanet"))
    assert chosen.comparator == "Selected districts"
    assert funding_view.reference(_funding(chosen, "pupil", 99.5)) == 99.5
    assert funding_view.reference(_funding(chosen, "pupil", "[c]")) is None
    assert funding_view.reference(_funding(chosen, "pupil", math.nan)) is None


def test_the_districts_leave_out_the_comparators_row():
    chosen = filters.Filters(year="2023-24", districts=("Dover", "Thanet"))
    shown = _funding(chosen, "pupil", 99.5).districts_only
    assert list(shown["District"]) == ["Dover", "Thanet"]


def test_each_basis_has_its_column_noun_and_count():
    chosen = filters.Filters(year="2023-24")
    sen = _funding(chosen, "sen", 1.0)
    assert (sen.per_column, sen.noun) == ("sen_per", "per SEN pupil")
    assert funding_view.DENOMINATOR["caseload"] == "caseload"
    assert set(funding_view.BASES) == set(funding_view.PER_COLUMN) == set(funding_view.NOUN)


def test_too_few_districts_are_named_in_the_notice():
    lead = filters.Filters(year="2023-24", scope=("Thanet",))
    text = funding_view.too_few_text(_funding(lead, "pupil", 1.0), 1)
    assert "from 1 district:" in text
    assert "compares Thanet with Kent." in text
    two = funding_view.too_few_text(_funding(lead, "pupil", 1.0), 2)
    assert "from 2 districts:" in two


def test_a_year_without_any_budget_has_no_funding():
    assert not funding_view.has_funding(pd.DataFrame({"budget": [None, math.nan]}))
    assert funding_view.has_funding(pd.DataFrame({"budget": [None, 5.0]}))
