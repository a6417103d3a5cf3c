"""Every published definition, pinned against a small batch computed by hand.

tests/fixtures/small_batch holds two loads written by hand for two districts, 2023-24:
load1: Dover terms 1 and 2, Thanet term 1 (a first version), January 2024 census, funding.
load2: Thanet term 1 corrected (replaces the first version as a whole; it leaves out
transition_events for early years), a Dover term 2 resubmission with a negative count (held:
the load1 figures stay), and a file of garbage bytes (rejected).

Published district-terms: Dover T1, Dover T2, Thanet T1 (v2). Thanet T2 is missing: it
counts in neither numerator nor denominator. The expected values below are written as the
fractions worked out by hand from the fixture files.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from warehouses import copy_warehouse

from warehouse.publish import connect
from warehouse.publish.load import load
from warehouse.reporting.committee import SELECTED, Selection, committee_tables

BATCH = Path(__file__).resolve().parents[1] / "fixtures" / "small_batch"

pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def tables(load1_warehouse, tmp_path_factory):
    warehouse = copy_warehouse(load1_warehouse, tmp_path_factory.mktemp("small"))
    second = load([BATCH / "load2"], warehouse)
    assert second.exit_code == 1  # a held submission and a rejected file
    con = connect.connect(warehouse)
    try:
        yield committee_tables(
            con.cursor(),
            Selection(academic_year="2023-24", terms=(1, 2), districts=("Dover", "Thanet")),
        )
    finally:
        con.close()


# Census settings, once per published district-term: EY 50+50+40, P 30+30+25, S 6+6+5.
EXPECTED = {
    "engagement_pct": {
        "early_years": 100 * (40 + 42 + 30) / 140,
        "primary": 100 * (30 + 29 + 25) / 85,
        "secondary": 100 * (5 + 6 + 5) / 17,
    },
    "lift_attendance_pct": {
        "early_years": 100 * (20 + 22 + 10) / 140,
        "primary": 100 * (25 + 24 + 20) / 85,
        "secondary": 100 * (3 + 4 + 2) / 17,
    },
    "training_attendance_pct": {
        "early_years": 100 * (10 + 12 + 8) / 140,
        "primary": 100 * (15 + 14 + 10) / 85,
        "secondary": 100 * (4 + 2 + 3) / 17,
    },
    "lift_sen_status_pct": {
        "sen_support": 100 * 240 / 300,
        "receiving_hnf": 100 * 31 / 300,
        "has_ehcp": 100 * 19 / 300,
    },
    "allocated_pct": {"early_years": 100 * 54 / 80, "school_age": 100 * 145 / 300},
    # Two chosen terms have a published return: averages divide by 2.
    "caseload_avg": {"early_years": 300 / 2, "primary": 560 / 2, "secondary": 114 / 2},
    # Pupils once per published district-term: EY 1000+1000+800, P 6000+6000+5000, S 5000*2+4000.
    "caseload_share_of_age_group_pct": {
        "early_years": 100 * 300 / 2800,
        "primary": 100 * 560 / 17000,
        "secondary": 100 * 114 / 14000,
    },
    "primary_share_of_school_age_caseload_pct": {"school_age": 100 * 560 / 674},
    "actively_supported_avg": {"early_years": 210 / 2, "school_age": 520 / 2},
    "actively_supported_pct_of_caseload": {
        "early_years": 100 * 210 / 300,
        "school_age": 100 * 520 / 674,
    },
    "targets_reviewed_pct_of_open_cases": {"school_age": 100 * 260 / 674},
    "cases_closed_targets_met_pct_of_reviewed": {"school_age": 100 * 85 / 260},
    "targets_amended_pct_of_reviewed": {"school_age": 100 * 110 / 260},
    # Thanet's corrected return has no early-years transition events: not carried over.
    "transition_events_avg": {"early_years": (3 + 4) / 2, "school_age": (5 + 7 + 4) / 2},
    # Dover 463,230 / (6,000 + 5,000) pupils; Thanet 655,550 / (5,000 + 4,000).
    "funding_per_pupil": {
        "Dover": 463230 / 11000,
        "Thanet": 655550 / 9000,
        SELECTED: (463230 + 655550) / 20000,
    },
    # Caseload, all phases: Dover (340 + 364) over 2 terms; Thanet 270 over 1 term.
    # Pooled term by term, each district's budget counts once per term its caseload is
    # known: Thanet's missing term 2 is left out of both sides (unknown, not zero).
    "funding_per_caseload_pupil": {
        "Dover": 463230 / (704 / 2),
        "Thanet": 655550 / 270,
        SELECTED: (2 * 463230 + 1 * 655550) / (704 + 270),
    },
    "ehcp_rate_pct": {
        "early_years": 100 * 30 / 1800,
        "primary": 100 * 580 / 11000,
        "secondary": 100 * 480 / 9000,
        "school_age": 100 * 1060 / 20000,
    },
    "sen_support_rate_pct": {
        "early_years": 100 * 190 / 1800,
        "primary": 100 * 1300 / 11000,
        "secondary": 100 * 920 / 9000,
        "school_age": 100 * 2220 / 20000,
    },
}


@pytest.mark.parametrize("figure", sorted(EXPECTED))
def test_figure_equals_hand_computation(tables, figure):
    assert tables.figures[figure] == pytest.approx(EXPECTED[figure], rel=1e-12, abs=0)


def test_every_figure_is_pinned(tables):
    assert set(tables.figures) == set(EXPECTED)


def test_missing_district_term_is_listed_not_zero(tables):
    assert tables.missing == [("Thanet", 2)]
    assert tables.published_terms == [1, 2]
    assert tables.census_year_used == 2024
    assert any("unknown, not zero" in note for note in tables.notes)
