"""The Data quality page's rules, worked out without a warehouse: the worklist's districts
and rows, the warnings still to review, and when the check history has a chart."""

from __future__ import annotations

import pandas as pd

from warehouse.dashboard import data_quality_view
from warehouse.quality import failing

ROWS = pd.DataFrame(
    {
        "district": ["Thanet", None, "Dover", "Thanet"],
        "severity": ["error", "warning", "warning", "warning"],
        "reviewed_by": [None, None, "a@kent.gov.uk", None],
        "fingerprint": ["f1", "f2", "f3", "f4"],
        "message": ["m1", "m2", "m3", "m4"],
    }
)


def test_the_districts_are_sorted_with_no_district_last():
    options = data_quality_view.district_options(ROWS)
    assert list(options) == ["all", "Dover", "Thanet", failing.NO_DISTRICT]


def test_a_district_sees_its_own_rows():
    assert list(data_quality_view.rows_for(ROWS, "Thanet")["fingerprint"]) == ["f1", "f4"]
    assert list(data_quality_view.rows_for(ROWS, failing.NO_DISTRICT)["fingerprint"]) == ["f2"]
    assert len(data_quality_view.rows_for(ROWS, "all")) == 4


def test_only_warnings_not_yet_reviewed_are_to_review():
    pending = data_quality_view.warnings_to_review(ROWS)
    assert list(pending) == ["f2", "f4"]
    assert pending["f4"]["message"] == "m4"


def test_a_warning_without_a_district_carries_none_not_nan():
    """pandas keeps a string column's missing cell as NaN once any row has a value: the
    label would read "nan: ..." and the review would keep the district "nan"."""
    pending = data_quality_view.warnings_to_review(ROWS)
    assert pending["f2"]["district"] is None and pending["f2"]["reviewed_by"] is None
    assert data_quality_view.warning_label(pending["f2"]) == f"{failing.NO_DISTRICT}: m2"
    assert data_quality_view.warning_label(pending["f4"]) == "Thanet: m4"


def test_a_warning_is_labelled_by_its_district_or_as_of_no_district():
    label = data_quality_view.warning_label
    assert label({"district": "Dover", "message": "m"}) == "Dover: m"
    assert label({"district": None, "message": "m"}) == f"{failing.NO_DISTRICT}: m"


def test_the_history_chart_needs_two_loads():
    one = pd.DataFrame({"load_seq": [1, 1]})
    two = pd.DataFrame({"load_seq": [1, 2]})
    assert not data_quality_view.several_loads(one.iloc[:0])
    assert not data_quality_view.several_loads(one)
    assert data_quality_view.several_loads(two)


def test_file_names_have_no_spaces():
    assert (
        data_quality_view.failing_rows_file("L1", "all") == "stls_failing_rows_L1_all_districts.csv"
    )
    assert data_quality_view.pack_file("L1", "Tunbridge Wells") == (
        "stls_corrections_Tunbridge_Wells_L1.xlsx"
    )


def test_received_names_reach_markdown_escaped():
    sentence = data_quality_view.packs_sentence(["*bold*"])
    assert "*bold*" not in sentence
