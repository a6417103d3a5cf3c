"""The audit of one load: run the expectation suites, then decide what is published.

The rules live in ``expectations/*.yml`` and run through Great Expectations
(``warehouse.quality.checks`` and the modules it runs). This module turns their results
into the publish decision (docs/data-contract.md, "What happens when something is wrong"):

* a row failing a ``row``-scope check (it cannot be tied to a valid district-period:
  unknown district, bad year, term outside 1..6) is quarantined on its own;
* a ``submission``-scope failure holds back the whole submission (all rows of one
  district-period in one file); the published figures for it stay as they were;
* warnings never hold anything back.

The output is plain data (submissions, row outcomes, issues, check results) that the
loader writes to the ``dq`` schema; dbt then publishes only rows whose submission was
published.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from warehouse.core import contracts
from warehouse.core.contracts import CENSUS, FUNDING, TERMLY_RETURN
from warehouse.quality import checks, child_rows, national, results, rows

ERROR = results.ERROR
WARNING = results.WARNING
PUBLISHED = "published"
QUARANTINED = "quarantined"
HELD = "held"
COUNTY_TOTAL_REASON = "stated county total: checked against the districts, not loaded as one"


@dataclass(frozen=True)
class Issue:
    """One failing row (or submission, file or year) of one check, for the steward."""

    source: str
    check_name: str
    severity: str
    file_name: str | None
    row_number: int | None
    column_name: str | None
    message: str
    district: str | None = None
    submission_id: str | None = None
    file_id: str | None = None

    def line(self) -> str:
        """One line a steward can act on: where, then what."""
        where = self.file_name or "(this load)"
        if self.row_number is not None:
            where += f" row {self.row_number}"
        if self.column_name:
            where += f", column {self.column_name}"
        return f"{self.severity}: {where}: {self.message}"


@dataclass
class Submission:
    submission_id: str
    source: str
    load_id: str
    file_id: str
    file_name: str
    received_seq: int
    district: str
    academic_year: str | None
    term: int | None
    census_year: int | None
    rows: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return HELD if self.errors else PUBLISHED

    @property
    def reason(self) -> str | None:
        if not self.errors:
            return None
        extra = len(self.errors) - 1
        return self.errors[0] + (f" (and {extra} more)" if extra else "")


@dataclass(frozen=True)
class RowOutcome:
    source: str
    load_id: str
    file_id: str
    row_number: int
    submission_id: str | None
    district: str | None
    academic_year: str | None
    term: int | None
    census_year: int | None
    outcome: str
    reason: str | None


@dataclass
class AuditResult:
    submissions: list[Submission] = field(default_factory=list)
    outcomes: list[RowOutcome] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    checks: list[results.CheckResult] = field(default_factory=list)
    # source -> the audit's reading of each row (``checks.row_values``)
    values: dict[str, pl.DataFrame] = field(default_factory=dict)
    # Source 4's row outcomes, as one frame (``warehouse.quality.national``: 641,070 rows)
    national_outcomes: pl.DataFrame | None = None
    # The child-level rows' outcomes, as one frame (``child_rows.row_outcomes``).
    child_outcomes: pl.DataFrame | None = None

    @property
    def held(self) -> list[Submission]:
        return [s for s in self.submissions if s.status == HELD]

    def count(self, outcome: str) -> int:
        extra = sum(
            frame.filter(pl.col("outcome") == outcome).height
            for frame in (self.national_outcomes, self.child_outcomes)
            if frame is not None
        )
        return sum(1 for o in self.outcomes if o.outcome == outcome) + extra


@dataclass(frozen=True)
class FileToAudit:
    """An accepted file whose rows are already in raw."""

    load_id: str
    file_id: str
    file_name: str
    received_seq: int
    source: str
    frame: pl.DataFrame


_KEY_COLUMNS = [
    "file_id",
    "row_number",
    "submission_id",
    "district",
    "academic_year",
    "term",
    "census_year",
]


_FRAME_SOURCES = {
    "termly_return_rows": TERMLY_RETURN,
    "census_rows": CENSUS,
    "funding_rows": FUNDING,
}


def _issues(checks: list[results.CheckResult]) -> list[Issue]:
    return [
        Issue(
            source=check.source or failure.source or "load",
            check_name=check.name,
            severity=check.severity,
            file_name=failure.file_name,
            row_number=failure.row_number,
            column_name=check.column,
            message=failure.message,
            district=failure.district,
            submission_id=failure.submission_id,
            file_id=failure.file_id,
        )
        for check in checks
        for failure in check.failures
    ]


def _first_messages(failures: list[results.Failure]) -> list[str]:
    return [
        (f"row {f.row_number}: " if f.row_number is not None else "") + f.message for f in failures
    ]


def audit(
    files: Sequence[FileToAudit],
    *,
    published_census: pl.DataFrame | None = None,
    published_caseload: pl.DataFrame | None = None,
    today: date | None = None,
    published_national: national.NationalBaseline | None = None,
) -> AuditResult:
    """Run every suite over the accepted files of a load and decide what is published.

    ``published_census``, ``published_caseload`` and ``published_national`` are what the
    warehouse already publishes (see ``warehouse.quality.checks.run_suites`` and
    ``warehouse.quality.national``); None for a first load.
    ``today`` is the load's date (default: today, UTC): no academic year after the one it
    falls in is published.
    """
    files = list(files)
    result = AuditResult()
    if not files:
        return result
    # Built once: the suites and the keys share them.
    frames = checks.row_frames(files, today, published_national)
    result.checks = checks.run_suites(
        files,
        published_census=published_census,
        published_caseload=published_caseload,
        frames=frames,
        today=today,
    )
    result.issues = _issues(result.checks)
    result.values = checks.row_values(frames)
    alone = checks.rows_quarantined_alone(result.checks)
    held = checks.held_submissions(result.checks)
    by_id = {f.file_id: f for f in files}
    submissions: dict[str, Submission] = {}

    for frame_name, source in _FRAME_SOURCES.items():
        for row in frames[frame_name].select(_KEY_COLUMNS).iter_rows(named=True):
            file = by_id[row["file_id"]]
            key = (row["file_id"], row["row_number"])
            sid = row["submission_id"]
            if key in alone or sid is None:
                reason = "; ".join(_first_messages(alone.get(key, []))) or "no district-period"
                outcome, sid = QUARANTINED, None
            else:
                if sid not in submissions:
                    submissions[sid] = Submission(
                        submission_id=sid,
                        source=source,
                        load_id=file.load_id,
                        file_id=file.file_id,
                        file_name=file.file_name,
                        received_seq=file.received_seq,
                        district=row["district"],
                        academic_year=row["academic_year"],
                        term=row["term"],
                        census_year=row["census_year"],
                        errors=_first_messages(held.get(sid, [])),
                    )
                submission = submissions[sid]
                submission.rows += 1
                if submission.status == HELD:
                    outcome, reason = QUARANTINED, f"submission held: {submission.reason}"
                else:
                    outcome, reason = PUBLISHED, None
            result.outcomes.append(
                RowOutcome(
                    source=source,
                    load_id=file.load_id,
                    file_id=file.file_id,
                    row_number=row["row_number"],
                    submission_id=sid,
                    district=row["district"],
                    academic_year=row["academic_year"],
                    term=row["term"],
                    census_year=row["census_year"],
                    outcome=outcome,
                    reason=reason,
                )
            )
    result.outcomes.extend(_county_total_rows(files))
    result.child_outcomes = child_rows.row_outcomes(
        frames,
        {f.file_id: f.load_id for f in files},
        {key: "; ".join(_first_messages(failures)) for key, failures in alone.items()},
        PUBLISHED,
        QUARANTINED,
    )
    result.submissions = list(submissions.values())
    result.values.update(national.row_values(frames))
    result.national_outcomes = national.outcomes(
        frames, alone, {f.file_id: f.load_id for f in files}
    )
    return result


def _county_total_rows(files: Sequence[FileToAudit]) -> list[RowOutcome]:
    """Funding rows stating the county total: kept and checked, never a district."""
    outcomes = []
    for file in files:
        if file.source != FUNDING:
            continue
        totals = file.frame.filter(rows.is_county_total("district"))
        for number, year in totals.select("row_number", "academic_year").iter_rows():
            outcomes.append(
                RowOutcome(
                    source=FUNDING,
                    load_id=file.load_id,
                    file_id=file.file_id,
                    row_number=number,
                    submission_id=None,
                    district=None,
                    academic_year=contracts.normalise_academic_year(year).value,
                    term=None,
                    census_year=None,
                    outcome=PUBLISHED,
                    reason=COUNTY_TOTAL_REASON,
                )
            )
    return outcomes
