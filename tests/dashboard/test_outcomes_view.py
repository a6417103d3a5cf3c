"""The outcomes page's rules, worked out without a warehouse: where the curves open, the
comparison group's census, and the suppression note."""

from __future__ import annotations

import pandas as pd

from warehouse.dashboard import auth, outcomes_view


def test_a_district_lead_opens_on_their_district_and_others_on_kent():
    lead = auth.Viewer("a@kent.gov.uk", auth.DISTRICT_LEAD, "Dover")
    director = auth.Viewer("b@kent.gov.uk", auth.DIRECTOR)
    places = outcomes_view.curve_places(lead)
    assert places == [None, "Dover"]
    assert places[outcomes_view.curve_place_index(lead, places)] == "Dover"
    assert outcomes_view.curve_place_index(director, outcomes_view.curve_places(director)) == 0
    assert outcomes_view.place_name(None) == "Kent"


def test_the_comparison_group_is_from_the_january_after_the_year_began():
    assert "January 2024 census" in outcomes_view.comparison_caption("2023-24")


def test_the_note_shows_when_either_table_hides_a_cell():
    empty = pd.DataFrame()
    none, some = outcomes_view.Shown(empty, 0), outcomes_view.Shown(empty, 2)
    assert outcomes_view.suppression_notes(none, none) == ()
    assert outcomes_view.suppression_notes(none, some) == (outcomes_view.SUPPRESSION_NOTE,)
