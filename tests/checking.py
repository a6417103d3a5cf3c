"""Helpers for running the audit's suites on a few rows: files as the readers hand them
over, and what a run says about each file, row and submission. Used by tests/quality/ and
the hostile-file tests."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

import polars as pl
import pytest

from warehouse.core import contracts, paths
from warehouse.core.contracts import TERMLY_RETURN
from warehouse.quality import results

DEMO_DATA = paths.PROJECT_ROOT / "warehouse" / "demo" / "data"


# ---------------------------------------------------------------------------------------
# Files as the readers hand them over, and running the suites
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LoadFile:
    """An accepted file of a load, as ``warehouse.quality.results.SourceFile`` describes it."""

    file_id: str
    file_name: str
    received_seq: int
    source: str
    frame: pl.DataFrame


def load_file(source: str, rows: list[dict], seq: int = 1, name: str | None = None) -> LoadFile:
    """A reader-shaped frame: row_number, contract columns as text, extra_columns JSON."""
    columns = contracts.CONTRACTS[source].columns
    extras = [json.dumps(r["extra"]) if r.get("extra") else None for r in rows]
    frame = pl.DataFrame(
        {
            "row_number": [i + 2 for i in range(len(rows))],
            **{c: [r.get(c) for r in rows] for c in columns},
            "extra_columns": extras,
        },
        schema={
            "row_number": pl.Int32,
            **dict.fromkeys(columns, pl.String),
            "extra_columns": pl.String,
        },
    )
    return LoadFile(f"L1/{seq}", name or f"{source}_{seq}.csv", seq, source, frame)


@dataclass
class Outcome:
    results: list[results.CheckResult]

    def check(self, name: str, suite: str | None = None) -> results.CheckResult:
        found = [r for r in self.results if r.name == name and suite in (None, r.suite)]
        assert len(found) == 1, f"{name} in {suite}: {[(r.suite, r.name) for r in found]}"
        return found[0]

    def failures(self, name: str, suite: str | None = None) -> tuple[results.Failure, ...]:
        return self.check(name, suite).failures

    def messages(self, name: str, suite: str | None = None) -> list[str]:
        return [f.message for f in self.failures(name, suite)]

    def failing(self, severity: str | None = None) -> set[tuple[str, str]]:
        return {
            (r.suite, r.name) for r in self.results if r.failures and severity in (None, r.severity)
        }

    def only_file(self, file_id: str) -> Outcome:
        """The outcome as one file of the load sees it (failures of other files left out)."""
        return Outcome(
            [
                replace(r, failures=tuple(f for f in r.failures if f.file_id == file_id))
                for r in self.results
            ]
        )


def indexed(cases: list[tuple]) -> list:
    """Parameters (index, case) named after the case's check."""
    return [pytest.param(i, case, id=f"{case[0]}-{i}") for i, case in enumerate(cases)]


def batch(run, source: str, cases: dict[str, list[dict]], only: tuple[str, ...]) -> dict:
    """Many independent cases in one GX run, one file each: case -> (file_id, its outcome).

    GX costs about 10 ms per expectation whatever the rows, so one run of 20 small files is
    20 times cheaper than 20 runs; the cases cannot interfere, because every rule of these
    suites stays within a file (duplicates, submissions) or a row.
    """
    files = [load_file(source, rows, seq) for seq, rows in enumerate(cases.values(), 1)]
    outcome = run(files, only=only)
    return {
        case: (f"L1/{seq}", outcome.only_file(f"L1/{seq}")) for seq, case in enumerate(cases, 1)
    }


# ---------------------------------------------------------------------------------------
# A complete, consistent termly submission (every rule passes), and variations of it
# ---------------------------------------------------------------------------------------
EY, PRI, SEC, SA = "early_years", "primary", "secondary", "school_age"
GOOD_FIGURES = {
    **{("settings_engaged", p): 10 for p in (EY, PRI, SEC)},
    **{("settings_attending_lift", p): 5 for p in (EY, PRI, SEC)},
    **{("settings_attending_training", p): 5 for p in (EY, PRI, SEC)},
    ("children_presented_at_lift", EY): 20,
    ("children_presented_at_lift", SA): 40,
    ("children_presented_sen_support", SA): 20,
    ("children_presented_receiving_hnf", SA): 5,
    ("children_presented_with_ehcp", SA): 5,
    ("children_allocated_specialist_teacher", EY): 10,
    ("children_allocated_specialist_teacher", SA): 20,
    ("caseload", EY): 50,
    ("caseload", PRI): 60,
    ("caseload", SEC): 40,
    ("actively_supported", EY): 30,
    ("actively_supported", SA): 80,
    ("targets_reviewed", SA): 50,
    ("cases_closed_targets_met", SA): 10,
    ("targets_amended", SA): 20,
    ("transition_events", EY): 2,
    ("transition_events", SA): 2,
}


def submission(
    district: str = "Dover", year: str = "2023-24", term: int | str = 1, **figures: int | str
) -> list[dict]:
    """Rows of a complete return; ``caseload_primary=70`` changes one figure."""
    rows = []
    for (measure, phase), value in GOOD_FIGURES.items():
        value = figures.pop(f"{measure}_{phase}", value)
        rows.append(
            {
                "district": district,
                "academic_year": year,
                "term": str(term),
                "phase": phase,
                "measure": measure,
                "value": str(value),
            }
        )
    assert not figures, f"not figures of the return: {figures}"
    return rows


def changed(rows: list[dict], measure: str, phase: str, /, **cells: str | None) -> list[dict]:
    """The rows with the cells of one figure's row replaced."""
    out = [dict(r) for r in rows]
    target = next(r for r in out if (r["measure"], r["phase"]) == (measure, phase))
    target.update(cells)
    return out


def termly(rows: list[dict], seq: int = 1, name: str | None = None) -> LoadFile:
    return load_file(TERMLY_RETURN, rows, seq, name)


def all_districts_sent(*terms: int, year: str = "2023-24", caseload: int = 60) -> pl.DataFrame:
    """Published caseload for every district in these terms (so none is 'missing')."""
    return pl.DataFrame(
        [
            {"district": d, "academic_year": year, "term": t, "phase": p, "caseload": caseload}
            for d in contracts.district_names()
            for t in terms
            for p in contracts.CENSUS_PHASES
        ]
    )


def census_row(
    district: str = "Dover",
    phase: str = PRI,
    year: int | str = 2024,
    settings: str = "40",
    pupils: str = "1000",
    sen_support: str = "100",
    ehcp: str = "50",
    **extra,
) -> dict:
    return {
        "census_year": str(year),
        "district": district,
        "phase": phase,
        "settings": settings,
        "pupils": pupils,
        "sen_support": sen_support,
        "ehcp": ehcp,
        **extra,
    }


def published_census(rows: list[dict]) -> pl.DataFrame:
    base = {"pupils": 1000, "ehcp": 50, "settings": 40}
    return pl.DataFrame([{**base, **r} for r in rows])
