"""Row checks and the publish decision for one load.

Each raw row is parsed against its source's contract. What happens to a row depends on
where its problem lies (contracts.md, "Severity and quarantine"):

* a row that cannot be tied to a valid district-period (unknown district, bad year, term
  outside 1..6, census year not a year) is quarantined on its own;
* any other error holds back the whole submission it belongs to (all rows of one
  district-period in one file);
* warnings never hold anything back.

The output is plain data (submissions, row outcomes, issues) that the loader writes to the
``dq`` schema; dbt then publishes only rows whose submission was published.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import polars as pl

from warehouse import contracts
from warehouse.contracts import CENSUS, FUNDING, TERMLY_RETURN
from warehouse.values import parse_count, parse_int, parse_money

ERROR = "error"
WARNING = "warning"
PUBLISHED = "published"
QUARANTINED = "quarantined"
HELD = "held"

COUNTY_TOTAL_LABELS = frozenset({"total", "kent total", "county total", "kent"})


@dataclass(frozen=True)
class Issue:
    source: str
    check_name: str
    severity: str
    file_name: str
    row_number: int | None
    column_name: str | None
    message: str
    district: str | None = None
    submission_id: str | None = None

    def line(self) -> str:
        """One line a steward can act on: where, then what."""
        where = self.file_name
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

    def extend(self, other: AuditResult) -> None:
        self.submissions.extend(other.submissions)
        self.outcomes.extend(other.outcomes)
        self.issues.extend(other.issues)

    @property
    def held(self) -> list[Submission]:
        return [s for s in self.submissions if s.status == HELD]

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)


@dataclass(frozen=True)
class FileToAudit:
    """An accepted file whose rows are already in raw."""

    load_id: str
    file_id: str
    file_name: str
    received_seq: int
    source: str
    frame: pl.DataFrame


@dataclass
class _Row:
    """One raw row while it is being checked."""

    number: int
    cells: dict[str, str | None]
    district: str | None = None
    academic_year: str | None = None
    term: int | None = None
    census_year: int | None = None
    key_error: str | None = None
    errors: list[str] = field(default_factory=list)
    parsed: dict[str, object] = field(default_factory=dict)


class _Auditor:
    """Collects issues for one file, with the file's name attached to each."""

    def __init__(self, file: FileToAudit) -> None:
        self.file = file
        self.issues: list[Issue] = []

    def rows(self) -> Iterator[_Row]:
        for record in self.file.frame.iter_rows(named=True):
            number = int(record.pop("row_number"))
            record.pop("extra_columns", None)
            yield _Row(number=number, cells=record)

    def flag(
        self,
        row: _Row | None,
        check: str,
        severity: str,
        column: str | None,
        message: str,
        submission_id: str | None = None,
    ) -> None:
        self.issues.append(
            Issue(
                source=self.file.source,
                check_name=check,
                severity=severity,
                file_name=self.file.file_name,
                row_number=row.number if row else None,
                column_name=column,
                message=message,
                district=row.district if row else None,
                submission_id=submission_id,
            )
        )
        if row is not None and severity == ERROR:
            row.errors.append(f"{column}: {message}" if column else message)

    def key_district(self, row: _Row) -> None:
        result = contracts.normalise_district(row.cells.get("district"))
        if result.error:
            self.flag(row, "district_known", ERROR, "district", result.error)
            row.key_error = result.error
        elif result.warning:
            self.flag(row, "district_spelling", WARNING, "district", result.warning)
        row.district = result.value

    def key_academic_year(self, row: _Row) -> None:
        result = contracts.normalise_academic_year(row.cells.get("academic_year"))
        if result.error:
            self.flag(row, "academic_year_valid", ERROR, "academic_year", result.error)
            row.key_error = row.key_error or result.error
        elif result.warning:
            self.flag(row, "academic_year_spelling", WARNING, "academic_year", result.warning)
        row.academic_year = result.value

    def count(self, row: _Row, column: str) -> int | None:
        parsed = parse_count(row.cells.get(column))
        if parsed.error:
            self.flag(row, f"{column}_count", ERROR, column, parsed.error)
        return parsed.value


def _submission_id(file_id: str, district: str, period: str) -> str:
    return f"{file_id}/{district}/{period}"


def _decide(auditor: _Auditor, rows: list[_Row], period_of, make_submission) -> AuditResult:
    """Group keyed rows into submissions; a row error holds its submission."""
    result = AuditResult(issues=auditor.issues)
    groups: dict[str, list[_Row]] = defaultdict(list)
    submissions: dict[str, Submission] = {}
    for row in rows:
        if row.key_error:
            continue
        sid = _submission_id(auditor.file.file_id, row.district, period_of(row))
        groups[sid].append(row)
        if sid not in submissions:
            submissions[sid] = make_submission(sid, row)
    for sid, members in groups.items():
        submission = submissions[sid]
        submission.rows = len(members)
        for row in members:
            submission.errors.extend(f"row {row.number} {e}" for e in row.errors)
    result.submissions.extend(submissions.values())
    file = auditor.file
    for row in rows:
        sid = None
        if row.key_error:
            outcome, reason = QUARANTINED, row.key_error
        else:
            sid = _submission_id(file.file_id, row.district, period_of(row))
            submission = submissions[sid]
            if submission.status == HELD:
                outcome, reason = QUARANTINED, f"submission held: {submission.reason}"
            else:
                outcome, reason = PUBLISHED, None
        result.outcomes.append(
            RowOutcome(
                source=file.source,
                load_id=file.load_id,
                file_id=file.file_id,
                row_number=row.number,
                submission_id=sid,
                district=row.district,
                academic_year=row.academic_year,
                term=row.term,
                census_year=row.census_year,
                outcome=outcome,
                reason=reason,
            )
        )
    return result


def _duplicates(auditor: _Auditor, rows: list[_Row], key_of, what: str) -> None:
    seen: dict[tuple, int] = {}
    for row in rows:
        if row.key_error:
            continue
        key = key_of(row)
        if None in key:
            continue
        if key in seen:
            auditor.flag(
                row,
                "no_duplicates",
                ERROR,
                None,
                f"duplicate {what}: same as row {seen[key]}",
            )
        else:
            seen[key] = row.number


def _submission_factory(file: FileToAudit):
    def make(sid: str, row: _Row) -> Submission:
        return Submission(
            submission_id=sid,
            source=file.source,
            load_id=file.load_id,
            file_id=file.file_id,
            file_name=file.file_name,
            received_seq=file.received_seq,
            district=row.district,
            academic_year=row.academic_year,
            term=row.term,
            census_year=row.census_year,
        )

    return make


def audit_termly_return(file: FileToAudit) -> AuditResult:
    auditor = _Auditor(file)
    catalogue = contracts.measure_catalogue()
    phases = set(contracts.phases())
    rows = list(auditor.rows())
    for row in rows:
        auditor.key_district(row)
        auditor.key_academic_year(row)
        term = parse_int(row.cells.get("term"), "term")
        if term.error or term.value is None or not 1 <= term.value <= 6:
            message = term.error or f"term {row.cells.get('term')!r} is not between 1 and 6"
            auditor.flag(row, "term_valid", ERROR, "term", message)
            row.key_error = row.key_error or message
        else:
            row.term = term.value
        phase = (row.cells.get("phase") or "").strip().lower()
        measure = (row.cells.get("measure") or "").strip().lower()
        row.parsed.update(phase=phase, measure=measure)
        if phase not in phases:
            auditor.flag(row, "phase_known", ERROR, "phase", f"unknown phase {phase!r}")
        if measure not in catalogue:
            auditor.flag(row, "measure_known", ERROR, "measure", f"unknown measure {measure!r}")
        elif phase in phases and phase not in catalogue[measure].allowed_phases:
            allowed = ", ".join(catalogue[measure].allowed_phases)
            auditor.flag(
                row,
                "measure_phase_allowed",
                ERROR,
                "phase",
                f"measure {measure} is not reported for phase {phase} (allowed: {allowed})",
            )
        row.parsed["value"] = auditor.count(row, "value")
    _duplicates(
        auditor,
        rows,
        lambda r: (r.district, r.academic_year, r.term, r.parsed["phase"], r.parsed["measure"]),
        "(district, academic_year, term, phase, measure)",
    )
    return _decide(
        auditor, rows, lambda r: f"{r.academic_year}/T{r.term}", _submission_factory(file)
    )


def audit_census(file: FileToAudit) -> AuditResult:
    auditor = _Auditor(file)
    rows = list(auditor.rows())
    for row in rows:
        auditor.key_district(row)
        year = parse_int(row.cells.get("census_year"), "census_year")
        if year.error or year.value is None or not 1990 <= year.value <= 2100:
            message = year.error or f"census_year {row.cells.get('census_year')!r} is not a year"
            auditor.flag(row, "census_year_valid", ERROR, "census_year", message)
            row.key_error = row.key_error or message
        else:
            row.census_year = year.value
            row.academic_year = contracts.academic_year_for_census(year.value)
        phase = (row.cells.get("phase") or "").strip().lower()
        row.parsed["phase"] = phase
        if phase not in contracts.CENSUS_PHASES:
            auditor.flag(
                row,
                "phase_known",
                ERROR,
                "phase",
                f"unknown census phase {phase!r} (expected early_years, primary or secondary)",
            )
        for column in ("settings", "pupils", "sen_support", "ehcp"):
            row.parsed[column] = auditor.count(row, column)
        pupils, sen, ehcp = (row.parsed[c] for c in ("pupils", "sen_support", "ehcp"))
        if None not in (pupils, sen, ehcp) and sen + ehcp > pupils:
            auditor.flag(
                row,
                "sen_within_pupils",
                ERROR,
                None,
                f"sen_support + ehcp ({sen + ehcp:,}) is more than pupils ({pupils:,})",
            )
    _duplicates(
        auditor,
        rows,
        lambda r: (r.census_year, r.district, r.parsed["phase"]),
        "(census_year, district, phase)",
    )
    return _decide(auditor, rows, lambda r: f"census{r.census_year}", _submission_factory(file))


def audit_funding(file: FileToAudit) -> AuditResult:
    auditor = _Auditor(file)
    rows = list(auditor.rows())
    district_rows: list[_Row] = []
    total_rows: list[_Row] = []
    for row in rows:
        auditor.key_academic_year(row)
        label = " ".join((row.cells.get("district") or "").lower().split())
        if label in COUNTY_TOTAL_LABELS:
            total_rows.append(row)
            row.parsed["total_budget"] = parse_money(row.cells.get("total_budget"), True).value
            continue
        auditor.key_district(row)
        for column, optional in (
            ("core_budget", False),
            ("outreach_budget", False),
            ("total_budget", False),
            ("other_income", True),
        ):
            parsed = parse_money(row.cells.get(column), optional)
            if parsed.error:
                auditor.flag(row, f"{column}_money", ERROR, column, parsed.error)
            row.parsed[column] = parsed.value
        core, outreach, total = (
            row.parsed[c] for c in ("core_budget", "outreach_budget", "total_budget")
        )
        if None not in (core, outreach, total) and core + outreach != total:
            auditor.flag(
                row,
                "total_is_core_plus_outreach",
                WARNING,
                "total_budget",
                f"{row.district}: total_budget £{total:,.0f} differs from core_budget + "
                f"outreach_budget £{core + outreach:,.0f} by £{abs(total - core - outreach):,.0f}"
                " (the SLA's stated total is the figure used)",
            )
        district_rows.append(row)
    _duplicates(
        auditor, district_rows, lambda r: (r.academic_year, r.district), "(academic_year, district)"
    )
    _check_county_totals(auditor, district_rows, total_rows)
    result = _decide(
        auditor, district_rows, lambda r: str(r.academic_year), _submission_factory(file)
    )
    for row in total_rows:
        result.outcomes.append(
            RowOutcome(
                source=file.source,
                load_id=file.load_id,
                file_id=file.file_id,
                row_number=row.number,
                submission_id=None,
                district=None,
                academic_year=row.academic_year,
                term=None,
                census_year=None,
                outcome=PUBLISHED,
                reason="stated county total: checked against the districts, not loaded as one",
            )
        )
    return result


def _check_county_totals(auditor: _Auditor, district_rows: list[_Row], totals: list[_Row]) -> None:
    for total in totals:
        stated = total.parsed.get("total_budget")
        if stated is None:
            continue
        same_year = [
            r.parsed["total_budget"]
            for r in district_rows
            if r.academic_year == total.academic_year and r.parsed.get("total_budget") is not None
        ]
        summed = sum(same_year)
        if summed != stated:
            auditor.flag(
                total,
                "county_total_matches",
                WARNING,
                "total_budget",
                f"stated Total £{stated:,.0f} differs from the sum of the district totals "
                f"£{summed:,.0f} by £{abs(stated - summed):,.0f}",
            )


AUDITORS = {TERMLY_RETURN: audit_termly_return, CENSUS: audit_census, FUNDING: audit_funding}


def audit(files: Iterable[FileToAudit]) -> AuditResult:
    """Check every accepted file of a load and decide what is published."""
    result = AuditResult()
    for file in files:
        result.extend(AUDITORS[file.source](file))
    return result
