"""A district lead's view is written for one district: it compares the district with Kent
and with itself over time, never ranks or correlates a single district, and says at the
top of every page whether the district's own latest return is published, missing or held."""

from __future__ import annotations

import json
import re

import pytest
from test_roles import LEAD, open_app, roles  # noqa: F401  (roles: a fixture)

PAGES = ["overview", "engagement", "funding", "ehcp", "about"]
RANKING = re.compile(r"\b(most|largest|smallest|lowest|highest|least|ranked)\b", re.IGNORECASE)
CORRELATING = re.compile(
    r"correlation across 1\b|across the 1 district|\br = [+-]?\d", re.IGNORECASE
)


def ranks_or_correlates(text: str) -> bool:
    """A sentence that ranks Thanet (a superlative in a sentence about it: "Thanet received
    most per pupil") or works out a correlation over it alone. "Largest rise: settings
    attending LIFT" compares a figure over time, not districts."""
    parts = re.split(r"(?<=[.;:!?])\s+|\n", text)
    return any(
        ("Thanet" in part and RANKING.search(part)) or CORRELATING.search(part) for part in parts
    )


def sentences(at) -> list[str]:
    """Every title, heading, sentence and chart title the page shows."""
    out = [
        e.value
        for kind in ("title", "header", "subheader", "markdown", "caption", "info")
        for e in at.get(kind)
    ]
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        out.append(str(spec["layout"].get("meta", {}).get("title", "")))
    return out


@pytest.mark.dbt
@pytest.mark.usefixtures("roles")
@pytest.mark.parametrize("page", PAGES)
def test_a_district_lead_reads_about_their_district_not_a_ranking(
    monkeypatch,
    demo_warehouse,
    page,
):
    at = open_app(monkeypatch, demo_warehouse, LEAD, page)
    said = sentences(at)
    ranked = [s for s in said if ranks_or_correlates(s)]
    assert not ranked, ranked
    status = " ".join(s.value for s in at.success)
    assert "Thanet's return for term" in status and "is published" in status
    if page in ("funding", "ehcp"):  # no link worked out over one district
        info = " ".join(i.value for i in [*at.info, *at.markdown])
        assert "cannot be judged from 1 district" in info
    assert ranks_or_correlates("Thanet received most per pupil")  # the check can fail
    assert ranks_or_correlates("Correlation across 1 districts")
    if page == "engagement":  # Thanet against Kent, in a title
        assert any("Kent" in s and "Thanet" in s for s in said)


@pytest.mark.dbt
@pytest.mark.usefixtures("roles")
def test_a_district_lead_learns_their_return_is_held(
    monkeypatch,
    hostile_warehouse,
):
    at = open_app(monkeypatch, hostile_warehouse, LEAD, "engagement")
    held = " ".join(e.value for e in at.error)
    assert "Thanet's" in held and "held back by the data-quality checks" in held
