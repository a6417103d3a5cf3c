"""Issue 13: `stls demo` says which warnings are planted in the demo data, and why, so a
first-time user does not take its WARNINGS for a fault of the load."""

from __future__ import annotations

from dataclasses import replace

from warehouse.cli import planted_text
from warehouse.demo import DEMO_WARNINGS
from warehouse.publish.load import LoadResult
from warehouse.quality.audit import AuditResult
from warehouse.quality.results import CheckResult


def check(suite: str, name: str, failing: int) -> CheckResult:
    base = CheckResult(
        suite=suite,
        source=None,
        name=name,
        expectation="expect_column_values_to_not_be_null",
        severity="warning",
        scope="row",
        column=None,
        rule="",
        action="",
        success=failing == 0,
        evaluated=10,
    )
    return replace(base, failures=tuple(object() for _ in range(failing)))


def test_the_planted_text_names_each_fault_why_and_what_was_not_planted():
    checks = [check(s, c, n) for (s, c), (n, _why) in DEMO_WARNINGS.items()]
    (first_suite, first_check), (count, _why) = next(iter(DEMO_WARNINGS.items()))
    checks[0] = check(first_suite, first_check, count + 1)
    checks.append(check("termly_return", "value_is_not_negative", 1))
    text = planted_text(LoadResult(load_id="x", warehouse=None, audit=AuditResult(checks=checks)))
    assert "on purpose" in text
    for (suite, name), (_n, why) in DEMO_WARNINGS.items():
        assert f"{suite}.{name}" in text and why in text
    assert f"(this load found {count + 1}, the demo plants {count})" in text
    assert text.count("this load found") == 1
    assert "Not planted, so worth a look: termly_return.value_is_not_negative" in text


def test_stls_demo_says_its_warnings_are_planted(demo_said):
    """What `stls demo` printed when it built the run's outcomes warehouse (conftest)."""
    said = demo_said.split("The demo data carries these faults on purpose", 1)
    assert len(said) == 2, demo_said[-2000:]
    for (suite, name), (count, why) in DEMO_WARNINGS.items():
        assert f"{suite}.{name}, {count} time(s): {why}" in said[1]
    assert "this load found" not in said[1] and "Not planted" not in said[1]
