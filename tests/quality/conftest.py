"""Fixtures for the audit's tests: the shipped suites, loaded once, and a runner that runs
them through one Great Expectations context."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from checking import LoadFile, Outcome

from warehouse.quality import checks, gx
from warehouse.quality import suites as suite_files


@pytest.fixture(scope="module")
def suites() -> dict[str, suite_files.Suite]:
    return suite_files.load_suites()


@pytest.fixture(scope="module")
def run(suites):
    runner = gx.GxRunner()

    def go(files: Iterable[LoadFile], only: tuple[str, ...] = (), **published) -> Outcome:
        """Run the suites (only those named, if any: GX costs ~10 ms per expectation, and a
        test of one rule needs only its suite and those whose outcome it depends on)."""
        chosen = {n: s for n, s in suites.items() if not only or n in only}
        assert len(chosen) == len(only) or not only, f"no such suite in {only}"
        return Outcome(checks.run_suites(list(files), suites=chosen, runner=runner, **published))

    return go
