"""`stls demo` then `stls report tables` reproduces the committee report's published figures.

docs/reference/published_figures.csv is the report's Tables 1-7 and the figures of sections
2.13 and 2.22. Each is compared at the precision the report printed it ("78" to a whole
number, "0.4" to one decimal place), rounding half up as the report does.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest

from warehouse.cli import main
from warehouse.reporting.formatting import round_half_up

PUBLISHED = Path(__file__).resolve().parents[2] / "docs" / "reference" / "published_figures.csv"
# Figures that are not computed from the warehouse's data (a survey, staffing, the cost).
NOT_FROM_DATA = {"impact_survey_confidence_rating", "staff_fte", "annual_cost"}

pytestmark = pytest.mark.dbt


def published_rows() -> list[dict[str, str]]:
    with PUBLISHED.open(encoding="utf-8") as handle:
        return [r for r in csv.DictReader(handle) if r["figure"] not in NOT_FROM_DATA]


def tables_for(warehouse: Path, year: str, capsys) -> dict:
    code = main(
        [
            "--warehouse",
            str(warehouse),
            "report",
            "tables",
            "--year",
            year,
            "--terms",
            "1-4",
            "--format",
            "json",
        ]
    )
    out, _ = capsys.readouterr()
    assert code == 0
    return json.loads(out)


@pytest.mark.parametrize("year", ["2022-23", "2023-24"])
def test_every_published_figure_is_reproduced(demo_warehouse, capsys, year):
    tables = tables_for(demo_warehouse, year, capsys)
    checked = 0
    for row in published_rows():
        if year not in row["academic_year"]:
            continue  # the 2.22 figures are stated for both years: each year must match
        places = -Decimal(row["value"]).as_tuple().exponent
        ours = tables[row["figure"]][row["breakdown"]]
        assert round_half_up(ours, places) == Decimal(row["value"]), (
            f"{row['figure']} {row['breakdown']} {year}: ours {ours}, published {row['value']}"
        )
        checked += 1
    assert checked == 27  # Tables 1-7 with Table 5's shares (23), 2.13 (1), 2.22 (3)
