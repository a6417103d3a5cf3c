"""About the data, for readers: acronyms spelt out, the funding total's £1 slip explained
where both totals appear, no file column names or commands, the steward's contact from a
setting."""

from __future__ import annotations

import pytest
from test_app import app

from warehouse.core import figures, settings


@pytest.mark.dbt
def test_about_explains_the_slip_and_names_the_steward(monkeypatch, demo_warehouse):
    monkeypatch.setenv(settings.STEWARD_CONTACT_ENV, "stls.data@example.org")
    at = app(monkeypatch, demo_warehouse, "about")
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    # A setting is shown as text, never a link Markdown would make: word joiners keep the
    # address from being read as one, and are invisible to a reader.
    assert "stls.data@example.org" in text.replace("\u2060", "")
    assert "£5,856,469" in text and "£5,856,468" in text  # both totals, and why they differ
    assert "the sum of the 12 districts' SLAs" in text
    for term in ("LIFT: Local Inclusion Forum Team", "SLA: service level agreement"):
        assert term in text, term
    assert "HNF: High Needs Funding" in text and "EHCP: education, health and care plan" in text
    assert "stls " not in text and "`" not in text  # no commands
    tables = " ".join(t.value.to_csv() for t in at.table)
    keys = [key for key in figures.catalogue() if key in tables]
    assert keys == [], keys  # no file column names shown to readers


@pytest.mark.dbt
def test_about_says_when_no_steward_is_set(monkeypatch, demo_warehouse):
    monkeypatch.delenv(settings.STEWARD_CONTACT_ENV, raising=False)
    at = app(monkeypatch, demo_warehouse, "about")
    text = " ".join(m.value for m in at.markdown)
    assert "The STLS data steward:** not set up yet" in text


@pytest.mark.dbt
def test_the_funding_page_explains_the_slip_beside_kents_total(monkeypatch, demo_warehouse):
    at = app(monkeypatch, demo_warehouse, "funding")
    captions = " ".join(c.value for c in at.caption)
    assert "£5,856,469" in captions and "£5,856,468" in captions
    assert "the sum of the 12 districts' SLAs" in captions
