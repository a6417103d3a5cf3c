"""A load against what the warehouse publishes: caseload against the previous term, and
districts missing from a term others have sent."""

from __future__ import annotations

import polars as pl
import pytest
from checking import EY, PRI, SEC, all_districts_sent, changed, submission, termly

from warehouse.core import contracts
from warehouse.quality import checks


# ---------------------------------------------------------------------------------------
# termly_return_history.yml
# ---------------------------------------------------------------------------------------
def caseload_history(year: str, term: int, primary: int, district: str = "Dover") -> pl.DataFrame:
    rows = [
        {"district": district, "academic_year": year, "term": term, "phase": p, "caseload": c}
        for p, c in ((EY, 50), (PRI, primary), (SEC, 40))
    ]
    return pl.DataFrame(rows)


PHASE_WORDS = {EY: "early years", PRI: "primary", SEC: "secondary"}


@pytest.mark.parametrize("phase", contracts.CENSUS_PHASES)
@pytest.mark.parametrize(
    ("now", "fails", "shown"),
    [(91, True, "+52%"), (90, False, ""), (30, False, ""), (29, True, "-52%")],
)
def test_caseload_moving_more_than_half_against_the_previous_term(
    run, phase, now, fails, shown
) -> None:
    published = caseload_history("2023-24", 1, primary=60).with_columns(
        pl.lit(60).alias("caseload")
    )
    rows = submission(term=2, **{f"caseload_{p}": 60 for p in contracts.CENSUS_PHASES})
    rows = changed(rows, "caseload", phase, value=str(now))
    outcome = run([termly(rows)], published_caseload=published, only=("termly_return_history",))
    failures = outcome.failures(f"caseload_{phase}_change_within_50_pct", "termly_return_history")
    assert len(failures) == int(fails)
    if fails:
        assert failures[0].message == (
            f"Dover 2023-24 term 2: {PHASE_WORDS[phase]} caseload {now} against 60 in 2023-24 "
            f"term 1 ({shown})"
        )
        assert failures[0].submission_id == "L1/1/Dover/2023-24/T2"
    assert outcome.failing() == (
        {("termly_return_history", f"caseload_{phase}_change_within_50_pct")} if fails else set()
    ) | {("termly_return_history", "district_has_sent_term")}


def test_term_1_follows_term_6_of_the_year_before(run) -> None:
    published = caseload_history("2022-23", 6, primary=30)
    outcome = run(
        [termly(submission(term=1))], published_caseload=published, only=("termly_return_history",)
    )
    (failure,) = outcome.failures("caseload_primary_change_within_50_pct")
    assert "against 30 in 2022-23 term 6 (+100%)" in failure.message


def test_the_previous_term_can_come_in_the_same_load(run) -> None:
    files = [
        termly(submission(term=1, caseload_secondary=10, actively_supported_school_age=60), seq=1),
        termly(submission(term=2), seq=2),
    ]
    outcome = run(files, only=("termly_return_history",))
    (failure,) = outcome.failures("caseload_secondary_change_within_50_pct")
    assert failure.message.endswith("secondary caseload 40 against 10 in 2023-24 term 1 (+300%)")


def test_a_held_previous_term_is_not_the_baseline(run) -> None:
    published = caseload_history("2023-24", 1, primary=60)
    held_resend = changed(
        submission(term=1, caseload_primary=300), "transition_events", EY, value="-1"
    )
    files = [termly(held_resend, seq=1), termly(submission(term=2, caseload_primary=70), seq=2)]
    outcome = run(
        files, published_caseload=published, only=("termly_return", "termly_return_history")
    )
    assert "L1/1/Dover/2023-24/T1" in checks.held_submissions(outcome.results)
    assert outcome.failures("caseload_primary_change_within_50_pct") == ()


def test_a_rise_from_nothing_is_flagged(run) -> None:
    published = caseload_history("2023-24", 1, primary=0)
    outcome = run(
        [termly(submission(term=2, caseload_primary=5))],
        published_caseload=published,
        only=("termly_return_history",),
    )
    (failure,) = outcome.failures("caseload_primary_change_within_50_pct")
    assert failure.message.endswith("primary caseload 5 against 0 in 2023-24 term 1 (∞%)")


def test_no_previous_term_means_no_comparison(run) -> None:
    outcome = run(
        [termly(submission(term=3))],
        published_caseload=caseload_history("2023-24", 1, 5),
        only=("termly_return_history",),
    )
    assert outcome.failures("caseload_primary_change_within_50_pct") == ()


def test_a_district_missing_from_a_term_others_have_sent(run) -> None:
    files = [termly(submission(district=d), seq=i) for i, d in enumerate(["Dover", "Thanet"], 1)]
    outcome = run(files, only=("termly_return_history",))
    failures = outcome.failures("district_has_sent_term", "termly_return_history")
    assert len(failures) == 10
    assert failures[0].message == (
        "Ashford has not sent a return for 2023-24 term 1 (districts that have: 2 of 12)"
    )
    assert failures[0].file_id is None and failures[0].district == "Ashford"


def test_districts_sent_before_or_held_are_not_missing(run) -> None:
    published = all_districts_sent(1).filter(pl.col("district") != "Ashford")
    held = changed(submission(district="Ashford"), "caseload", EY, value="-5")
    outcome = run(
        [termly(submission()), termly(held, seq=2)],
        published_caseload=published,
        only=("termly_return", "termly_return_history"),
    )
    assert "L1/2/Ashford/2023-24/T1" in checks.held_submissions(outcome.results)
    assert outcome.failures("district_has_sent_term") == ()
