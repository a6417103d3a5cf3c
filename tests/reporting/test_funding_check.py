"""The note beside Kent's SLA total where the funding file states a different total: one
sentence, the total written as every surface writes money."""

from __future__ import annotations

from warehouse.reporting import formatting, funding_check

CHECK = funding_check.TotalCheck(
    "2023-24", "funding_2023-24.csv", "the total equals the districts' sum", "stated £1 more"
)


def test_no_finding_gives_no_note():
    assert funding_check.slip_note([], 5_860_000.0) is None


def test_the_total_is_written_as_money_everywhere():
    """The funding page once wrote it with an f-string (round half to even: £1,234 for
    1,234.5), the About page and the pack with ``formatting.money`` (half up: £1,235)."""
    note = funding_check.slip_note([CHECK], 1234.5)
    assert note is not None
    assert f"SLA funding for Kent here is {formatting.money(1234.5)}," in note
    assert "£1,235" in note
    assert "stated £1 more (file funding_2023-24.csv)" in note


def test_an_unknown_total_is_marked_not_invented():
    note = funding_check.slip_note([CHECK], None)
    assert note is not None and "is [x]," in note
