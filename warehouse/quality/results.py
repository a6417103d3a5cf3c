"""What the audit's checks hand over and get back: severities and scopes, the load's files, a
failing row, a check's result, and the two errors a suite or a run can raise."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import polars as pl

from warehouse.core.contracts import COUNTY

if TYPE_CHECKING:  # GX takes about 2 seconds to import: only the audit should pay for it.
    from great_expectations.core import ExpectationSuiteValidationResult


ERROR = "error"
WARNING = "warning"
SEVERITIES = (ERROR, WARNING)
ROW = "row"
SUBMISSION = "submission"
NONE = "none"
SCOPES = (ROW, SUBMISSION, NONE)

# How a funding file marks its stated county total (checked, not loaded as a district).
COUNTY_TOTAL_LABELS = frozenset(
    {"total", f"{COUNTY.lower()} total", "county total", COUNTY.lower()}
)

# Rendered in a message where the failing row has no value for a placeholder.
BLANK = "(blank)"

# The column that identifies a failing row in GX's results; everything else is looked up
# from it. DOCS_INDEX columns are reported alongside so that Data Docs say where, too.
CHECK_ROW = "check_row"
DOCS_INDEX = ("file_name", "row_number", "district", "academic_year", "term", "census_year")


class SuiteFileError(ValueError):
    """A suite file that cannot be used. Raised when suites are loaded (tests load them
    all), so a bad edit fails the test suite, never a steward's load."""


class ExpectationRunError(RuntimeError):
    """GX could not evaluate an expectation. A check that did not run must not pass."""


# --------------------------------------------------------------------------------------
# What the audit hands over, and what it gets back
# --------------------------------------------------------------------------------------


class SourceFile(Protocol):
    """An accepted file of a load (``warehouse.quality.audit.FileToAudit`` fits this).

    ``frame`` is the reader's frame: ``row_number``, every contract column as raw text, and
    ``extra_columns`` (``warehouse.ingest.readers``). ``received_seq`` orders files across loads:
    of two submissions for the same district-term, the later-received one wins.
    """

    @property
    def file_id(self) -> str: ...
    @property
    def file_name(self) -> str: ...
    @property
    def received_seq(self) -> int: ...
    @property
    def source(self) -> str: ...
    @property
    def frame(self) -> pl.DataFrame: ...


@dataclass(frozen=True)
class Failure:
    """One failing row of a check frame, with its message rendered for the steward.

    ``row_number`` is the raw row (as Excel shows it) for row-level checks and the Total row
    for funding-year checks; it is None for submission, file and history checks.
    ``submission_id`` is the submission the row belongs to (``file_id/district/period``, as
    ``warehouse.quality.audit`` builds it) when its key is complete; a row that also fails a
    row-scope check belongs to none, whatever this says (see ``rows_quarantined_alone``).
    """

    source: str | None
    file_id: str | None
    file_name: str | None
    row_number: int | None
    submission_id: str | None
    district: str | None
    academic_year: str | None
    term: int | None
    census_year: int | None
    message: str


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one expectation over one check frame of a load."""

    suite: str
    source: str | None
    name: str
    expectation: str
    severity: str
    scope: str
    column: str | None
    rule: str
    action: str
    success: bool
    evaluated: int
    failures: tuple[Failure, ...] = ()
    # The GX result of the whole suite run, kept for Data Docs (shared by its checks).
    validation: ExpectationSuiteValidationResult | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def failing_count(self) -> int:
        return len(self.failures)
