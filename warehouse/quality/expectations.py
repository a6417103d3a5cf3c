"""Great Expectations suites for every load: the suite files, the frames they run on, the run.

The rules of the data contract (``../shared/contracts.md``) live as reviewed data in
``expectations/*.yml``, one suite per file. Each expectation there names a Great
Expectations (GX) class and its arguments, plus what the warehouse needs around it: a
stable ``name``, a ``severity`` (error | warning), a ``scope`` (``row``: the failing row is
quarantined alone because it cannot be tied to a valid district-period; ``submission``:
the whole submission is held; ``none``: a warning, nothing is held), the contract
``column`` to point the steward at, the ``rule`` in words (shown in Data Docs), the
``action`` to take, and a ``message`` template filled from each failing row.

GX 1.x validates pandas DataFrames, not polars ones, and has no working way to validate a
DuckDB table (no DuckDB datasource; its SQL datasource over duckdb_engine fails every
expectation). So this module builds **check frames** from the polars frames of a load and
hands GX their pandas copies: one frame per level of checking, each
holding the raw text, the parsed values (``warehouse.core.values``, ``warehouse.core.contracts``)
and the derived columns the rules compare. Every check frame starts with the same
identity columns (``IDENTITY``), so a failure can always say which file, row, submission,
district and period it is about.

Checks run in three stages, because what a later stage looks at depends on the earlier
one's outcome, and that outcome is decided by the suite files alone (never by code that
could disagree with them):

1. rows and files: every raw row of each source, and every file (``files``);
2. submissions: the termly returns' cross-measure rules on one row per submission, built
   from the rows that stage 1 did not quarantine alone, and the funding years' county
   totals;
3. history: caseload against the same district's previous term, districts missing from a
   term, census district-phases missing and EHCP-rate moves, against what the warehouse
   has published (passed in by the caller) and what this load brings.

One GX context serves a whole load (``GxRunner``), and each suite is one GX validation of
one batch, not one per expectation: GX's cost is mostly its import (about 2 seconds, once
per process) and a few milliseconds per expectation.

Use: ``results = run_suites(files, published_census=..., published_caseload=...)``, then
``rows_quarantined_alone(results)`` and ``held_submissions(results)`` for the publish
decision and ``build_data_docs(results, folder)`` for the steward's HTML report.
"""

from __future__ import annotations

import json
import re
import string
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import polars as pl
import yaml

from warehouse.core import contracts
from warehouse.core.contracts import CENSUS, FUNDING, TERMLY_RETURN
from warehouse.core.paths import EXPECTATIONS_DIR
from warehouse.core.pooling import percent_expr
from warehouse.core.values import (
    FRACTION_OF_PENNY,
    MISSING,
    NEGATIVE,
    NOT_A_NUMBER,
    NOT_WHOLE,
    TOO_LARGE,
    TRIM,
    count_error_expr,
    count_expr,
    int_error_expr,
    int_expr,
    money_error_expr,
    money_expr,
)

if TYPE_CHECKING:  # GX takes about 2 seconds to import: only the audit should pay for it.
    from great_expectations.core import ExpectationSuite, ExpectationSuiteValidationResult


ERROR = "error"
WARNING = "warning"
SEVERITIES = (ERROR, WARNING)
ROW = "row"
SUBMISSION = "submission"
NONE = "none"
SCOPES = (ROW, SUBMISSION, NONE)

# How a funding file marks its stated county total (checked, not loaded as a district).
COUNTY_TOTAL_LABELS = frozenset({"total", "kent total", "county total", "kent"})

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


# --------------------------------------------------------------------------------------
# Check frames: schemas
# --------------------------------------------------------------------------------------

STR, INT, FLOAT, BOOL = pl.String(), pl.Int64(), pl.Float64(), pl.Boolean()

IDENTITY: dict[str, pl.DataType] = {
    CHECK_ROW: INT,
    "source": STR,
    "file_id": STR,
    "file_name": STR,
    "received_seq": INT,
    "row_number": INT,
    "submission_id": STR,
    "district": STR,
    "academic_year": STR,
    "term": INT,
    "census_year": INT,
}

_KEY_PARTS: dict[str, pl.DataType] = {
    "district_raw": STR,
    "district_error": STR,
    "district_spelling_changed": BOOL,
}
_YEAR_PARTS: dict[str, pl.DataType] = {
    "academic_year_raw": STR,
    "academic_year_error": STR,
    "academic_year_spelling_changed": BOOL,
}

TERMLY_ROWS_SCHEMA: dict[str, pl.DataType] = {
    **IDENTITY,
    **_KEY_PARTS,
    **_YEAR_PARTS,
    "term_raw": STR,
    "term_error": STR,
    "phase_raw": STR,
    "phase": STR,
    "measure_raw": STR,
    "measure": STR,
    "measure_phase_allowed": BOOL,
    "allowed_phases": STR,
    "value_raw": STR,
    "value": INT,
    "value_error": STR,
    "value_problem": STR,
    "duplicate_rows": STR,
    "academic_year_out_of_range": STR,
    "stray_in_return_of": STR,
    "file_district_rows": INT,
}

CENSUS_COUNTS = ("settings", "pupils", "sen_support", "ehcp")
CENSUS_ROWS_SCHEMA: dict[str, pl.DataType] = {
    **IDENTITY,
    **_KEY_PARTS,
    "census_year_raw": STR,
    "census_year_error": STR,
    "phase_raw": STR,
    "phase": STR,
    **{f"{c}_raw": STR for c in CENSUS_COUNTS},
    **dict.fromkeys(CENSUS_COUNTS, INT),
    **{f"{c}_error": STR for c in CENSUS_COUNTS},
    "sen_support_plus_ehcp": INT,
    "duplicate_rows": STR,
    "academic_year_out_of_range": STR,
}

MONEY_COLUMNS = (
    ("core_budget", False),
    ("outreach_budget", False),
    ("total_budget", False),
    ("other_income", True),
)
FUNDING_ROWS_SCHEMA: dict[str, pl.DataType] = {
    **IDENTITY,
    **_KEY_PARTS,
    **_YEAR_PARTS,
    **{f"{c}_raw": STR for c, _ in MONEY_COLUMNS},
    **{c: FLOAT for c, _ in MONEY_COLUMNS},
    **{f"{c}_error": STR for c, _ in MONEY_COLUMNS},
    **{f"{c}_problem": STR for c, _ in MONEY_COLUMNS},
    "core_plus_outreach": FLOAT,
    "duplicate_rows": STR,
    "academic_year_out_of_range": STR,
}

FILES_SCHEMA: dict[str, pl.DataType] = {**IDENTITY, "row_count": INT, "extra_headers": STR}

FUNDING_YEARS_SCHEMA: dict[str, pl.DataType] = {
    **IDENTITY,
    "stated_total": FLOAT,
    "district_total": FLOAT,
    "total_difference": FLOAT,
    "districts_listed": INT,
    "missing_districts": STR,
}


def _pair_column(measure: str, phase: str) -> str:
    return f"{measure}_{phase}"


@cache
def _pair_columns() -> tuple[str, ...]:
    return tuple(_pair_column(m, p) for m, p in contracts.expected_measure_phases())


def _submissions_schema() -> dict[str, pl.DataType]:
    return {
        **IDENTITY,
        "row_count": INT,
        "expected_row_count": INT,
        "rows_pct_of_expected": FLOAT,
        "missing_measures": STR,
        **dict.fromkeys(_pair_columns(), INT),
        "caseload_school_age": INT,
        "lift_sen_status_sum_school_age": INT,
        "closed_plus_amended_school_age": INT,
        **{f"census_settings_{p}": INT for p in contracts.CENSUS_PHASES},
        **{f"census_year_{p}": INT for p in contracts.CENSUS_PHASES},
    }


def _termly_history_schema() -> dict[str, pl.DataType]:
    phases = contracts.CENSUS_PHASES
    return {
        **IDENTITY,
        "has_return": BOOL,
        "districts_with_return": INT,
        "previous_academic_year": STR,
        "previous_term": INT,
        **{f"caseload_{p}": INT for p in phases},
        **{f"previous_caseload_{p}": INT for p in phases},
        **{f"caseload_{p}_change_pct": FLOAT for p in phases},
    }


CENSUS_HISTORY_SCHEMA: dict[str, pl.DataType] = {
    **IDENTITY,
    "phase": STR,
    "has_row": BOOL,
    "ehcp_rate_pct": FLOAT,
    "previous_ehcp_rate_pct": FLOAT,
    "ehcp_rate_change_points": FLOAT,
}


@dataclass(frozen=True)
class FrameKind:
    """A kind of check frame: its columns, the source it is about, and its level.

    ``level`` decides which scopes its expectations may have: ``row`` frames (one row per
    raw row) may quarantine a row alone or hold its submission; ``submission`` frames may
    hold a submission; ``summary`` frames (files, years, history) only warn.
    """

    name: str
    source: str | None
    level: str
    stage: int
    schema: dict[str, pl.DataType]


@cache
def frame_kinds() -> dict[str, FrameKind]:
    kinds = (
        FrameKind("files", None, "summary", 1, FILES_SCHEMA),
        FrameKind("termly_return_rows", TERMLY_RETURN, "row", 1, TERMLY_ROWS_SCHEMA),
        FrameKind("census_rows", CENSUS, "row", 1, CENSUS_ROWS_SCHEMA),
        FrameKind("funding_rows", FUNDING, "row", 1, FUNDING_ROWS_SCHEMA),
        FrameKind(
            "termly_return_submissions", TERMLY_RETURN, "submission", 2, _submissions_schema()
        ),
        FrameKind("funding_years", FUNDING, "summary", 2, FUNDING_YEARS_SCHEMA),
        FrameKind("termly_return_history", TERMLY_RETURN, "summary", 3, _termly_history_schema()),
        FrameKind("census_history", CENSUS, "summary", 3, CENSUS_HISTORY_SCHEMA),
    )
    return {k.name: k for k in kinds}


def _conform(frame: pl.DataFrame, kind: str) -> pl.DataFrame:
    """The frame with exactly its kind's columns, in order and type, and a fresh check_row.

    Every builder ends here, so the columns a suite file may name are the schema's. Identity
    columns a frame has no use for are null (a termly row has no census year); any other
    column missing is a builder bug, and fails here rather than as a check that never fails.
    """
    schema = frame_kinds()[kind].schema
    missing = [c for c in schema if c not in frame.columns and c not in IDENTITY]
    if missing:
        raise RuntimeError(f"check frame {kind} was built without {', '.join(missing)}")
    columns = [
        (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in schema.items()
        if name != CHECK_ROW
    ]
    out = frame.select(columns)
    return out.select(pl.int_range(pl.len(), dtype=pl.Int64).alias(CHECK_ROW), pl.all())


def empty_frame(kind: str) -> pl.DataFrame:
    return pl.DataFrame(schema=frame_kinds()[kind].schema)


# --------------------------------------------------------------------------------------
# Check frames: stage 1, rows and files
# --------------------------------------------------------------------------------------


def _raw_rows(files: Iterable[SourceFile], source: str) -> pl.DataFrame:
    """Every row of the source's files, raw text as ``<column>_raw``, with the file's ids."""
    columns = contracts.CONTRACTS[source].columns
    parts = [
        f.frame.select(
            pl.lit(f.file_id, dtype=STR).alias("file_id"),
            pl.lit(f.file_name, dtype=STR).alias("file_name"),
            pl.lit(f.received_seq, dtype=INT).alias("received_seq"),
            pl.col("row_number").cast(INT),
            *[pl.col(c).cast(STR).alias(f"{c}_raw") for c in columns],
        )
        for f in files
        if f.source == source
    ]
    if parts:
        return pl.concat(parts, how="vertical")
    schema = {"file_id": STR, "file_name": STR, "received_seq": INT, "row_number": INT}
    return pl.DataFrame(schema={**schema, **{f"{c}_raw": STR for c in columns}})


def _normalised(frame: pl.DataFrame, column: str, normalise) -> dict[str, pl.Expr]:
    """Vectorise a scalar contract normaliser over the (few) distinct values of a column.

    ``contracts.normalise_district`` and ``normalise_academic_year`` stay the one definition;
    running them once per distinct spelling keeps a 3,000-row load instant. Returns the
    normalised value, the error, and whether a valid value's spelling was changed (null
    where the value is not valid, so the warning never doubles an error).
    """
    key = pl.col(column).fill_null("")
    results = {v: normalise(v) for v in frame.get_column(column).fill_null("").unique()}

    def mapped(mapping: dict[str, Any], dtype: pl.DataType) -> pl.Expr:
        return key.replace_strict(mapping, default=None, return_dtype=dtype)

    valid = {v: r.value is not None for v, r in results.items()}
    return {
        "value": mapped({v: r.value for v, r in results.items()}, STR),
        "error": mapped({v: r.error for v, r in results.items()}, STR),
        "changed": pl.when(mapped(valid, BOOL)).then(
            mapped({v: r.warning is not None for v, r in results.items()}, BOOL)
        ),
    }


def _with_district(frame: pl.DataFrame) -> pl.DataFrame:
    d = _normalised(frame, "district_raw", contracts.normalise_district)
    return frame.with_columns(
        d["value"].alias("district"),
        d["error"].alias("district_error"),
        d["changed"].alias("district_spelling_changed"),
    )


def _with_academic_year(frame: pl.DataFrame) -> pl.DataFrame:
    y = _normalised(frame, "academic_year_raw", contracts.normalise_academic_year)
    return frame.with_columns(
        y["value"].alias("academic_year"),
        y["error"].alias("academic_year_error"),
        y["changed"].alias("academic_year_spelling_changed"),
    )


def _load_day(today: date | None) -> date:
    return today if today is not None else datetime.now(UTC).date()


def _year_out_of_range(frame: pl.DataFrame, today: date | None) -> pl.Expr:
    """``contracts.academic_year_out_of_range`` over the (few) distinct academic years of
    the frame: why the year cannot hold figures on the load's date, or null."""
    day = _load_day(today)
    years = frame.get_column("academic_year").drop_nulls().unique().to_list()
    reasons = {y: contracts.academic_year_out_of_range(y, day) for y in years}
    return pl.col("academic_year").replace_strict(reasons, default=None, return_dtype=STR)


# A row for one district inside a file whose return for that term is another district's is
# a stray when its district has fewer than half as many rows there as the file's main
# district for that term (one Dover row in Thanet's 26). A county-wide file, with each
# district's return complete or nearly, has no strays: every district has about as many
# rows as the largest.
def _with_strays(frame: pl.DataFrame) -> pl.DataFrame:
    """``stray_in_return_of``: for a stray row, the district whose return the file holds
    for that term (null otherwise), and ``file_district_rows``: that district's rows."""
    term_key = ["file_id", "academic_year", "term"]
    known = frame.filter(
        pl.all_horizontal(pl.col(c).is_not_null() for c in [*term_key, "district"])
    )
    counts = known.group_by([*term_key, "district"]).agg(pl.len().cast(INT).alias("district_rows"))
    main = (
        counts.sort(["district_rows", "district"], descending=[True, False])
        .group_by(term_key, maintain_order=True)
        .first()
        .rename({"district": "file_district", "district_rows": "file_district_rows"})
    )
    out = frame.join(counts, on=[*term_key, "district"], how="left", maintain_order="left")
    out = out.join(main, on=term_key, how="left", maintain_order="left")
    stray = pl.col("district_rows") * 2 < pl.col("file_district_rows")
    return out.with_columns(
        pl.when(stray).then(pl.col("file_district")).otherwise(None).alias("stray_in_return_of")
    )


def _code(column: str) -> pl.Expr:
    """A code such as a phase or measure: trimmed, lower case; blank is "" (so that "is in
    the set" fails for it rather than skipping it, as GX skips nulls)."""
    return pl.col(column).str.strip_chars(TRIM).str.to_lowercase().fill_null("")


def _problem(error: pl.Expr) -> pl.Expr:
    """The kind of a parser's error message (``warehouse.core.values``), for rules per kind."""
    return (
        pl.when(error.is_null())
        .then(pl.lit(None, dtype=STR))
        .when(error == MISSING)
        .then(pl.lit("missing"))
        .when(error.str.ends_with(NEGATIVE))
        .then(pl.lit("negative"))
        .when(error.str.ends_with(NOT_WHOLE))
        .then(pl.lit("not_whole"))
        .when(error.str.ends_with(FRACTION_OF_PENNY))
        .then(pl.lit("fraction_of_penny"))
        .when(error.str.ends_with(TOO_LARGE))
        .then(pl.lit("too_large"))
        .when(error.str.ends_with(NOT_A_NUMBER))
        .then(pl.lit("not_a_number"))
        .otherwise(pl.lit("other"))
    )


def _duplicate_rows(keys: Sequence[str]) -> pl.Expr:
    """For rows whose key is complete and shared with another row: "rows 3, 9"."""
    complete = pl.all_horizontal([pl.col(k).is_not_null() for k in keys])
    numbers = pl.col("row_number").cast(STR).implode().over(keys)
    listed = pl.concat_str(pl.lit("rows "), numbers.list.join(", "))
    return pl.when(complete & (pl.len().over(keys) > 1)).then(listed).otherwise(None)


def _submission_id(*period: pl.Expr) -> pl.Expr:
    """``file_id/district/period`` as ``warehouse.quality.audit`` names submissions; null when any
    part is unknown."""
    return pl.concat_str([pl.col("file_id"), pl.col("district"), *period], separator="/")


def termly_return_rows(files: Iterable[SourceFile], today: date | None = None) -> pl.DataFrame:
    """One row per raw termly-return row: raw text, parsed key, codes, value and flags.
    ``today`` is the load's date (for the academic years that may hold figures)."""
    frame = _with_academic_year(_with_district(_raw_rows(files, TERMLY_RETURN)))
    catalogue = contracts.measure_catalogue()
    phases = list(contracts.phases())
    allowed_pairs = [f"{m}|{p}" for m, p in contracts.expected_measure_phases()]
    frame = frame.with_columns(
        pl.lit(TERMLY_RETURN).alias("source"),
        int_expr("term_raw").alias("term"),
        int_error_expr("term_raw", "term").alias("term_error"),
        _code("phase_raw").alias("phase"),
        _code("measure_raw").alias("measure"),
        count_expr("value_raw").alias("value"),
        count_error_expr("value_raw").alias("value_error"),
    )
    known = pl.col("phase").is_in(phases) & pl.col("measure").is_in(list(catalogue))
    frame = frame.with_columns(
        pl.when(known)
        .then(pl.concat_str("measure", pl.lit("|"), "phase").is_in(allowed_pairs))
        .alias("measure_phase_allowed"),
        pl.col("measure")
        .replace_strict(
            {c: ", ".join(m.allowed_phases) for c, m in catalogue.items()},
            default=None,
            return_dtype=STR,
        )
        .alias("allowed_phases"),
        _problem(pl.col("value_error")).alias("value_problem"),
        _submission_id(
            pl.col("academic_year"), pl.concat_str(pl.lit("T"), pl.col("term").cast(STR))
        ).alias("submission_id"),
    )
    keys = ["file_id", "district", "academic_year", "term", "phase", "measure"]
    frame = frame.with_columns(
        _duplicate_rows(keys).alias("duplicate_rows"),
        _year_out_of_range(frame, today).alias("academic_year_out_of_range"),
    )
    return _conform(_with_strays(frame), "termly_return_rows")


def census_rows(files: Iterable[SourceFile], today: date | None = None) -> pl.DataFrame:
    """One row per raw census row: raw text, parsed key and counts, derived sums."""
    frame = _with_district(_raw_rows(files, CENSUS))
    frame = frame.with_columns(
        pl.lit(CENSUS).alias("source"),
        int_expr("census_year_raw").alias("census_year"),
        int_error_expr("census_year_raw", "census_year").alias("census_year_error"),
        _code("phase_raw").alias("phase"),
        *[count_expr(f"{c}_raw").alias(c) for c in CENSUS_COUNTS],
        *[count_error_expr(f"{c}_raw").alias(f"{c}_error") for c in CENSUS_COUNTS],
    )
    start = pl.col("census_year") - 1
    frame = frame.with_columns(
        (pl.col("sen_support") + pl.col("ehcp")).alias("sen_support_plus_ehcp"),
        # A census of January Y belongs to academic year (Y-1)-Y.
        pl.when(pl.col("census_year").is_between(1, 9998))
        .then(
            pl.concat_str(
                start.cast(STR), pl.lit("-"), (pl.col("census_year") % 100).cast(STR).str.zfill(2)
            )
        )
        .alias("academic_year"),
        _submission_id(pl.concat_str(pl.lit("census"), pl.col("census_year").cast(STR))).alias(
            "submission_id"
        ),
    )
    keys = ["file_id", "census_year", "district", "phase"]
    frame = frame.with_columns(
        _duplicate_rows(keys).alias("duplicate_rows"),
        _year_out_of_range(frame, today).alias("academic_year_out_of_range"),
    )
    return _conform(frame, "census_rows")


def is_county_total(column: str = "district_raw") -> pl.Expr:
    """Whether a funding row's district cell names the stated county total ("Total")."""
    label = pl.col(column).str.strip_chars(TRIM).str.to_lowercase().str.replace_all(r"\s+", " ")
    return label.is_in(list(COUNTY_TOTAL_LABELS)).fill_null(False)


def _funding_parsed(files: Iterable[SourceFile]) -> pl.DataFrame:
    """Every funding row (districts and stated totals) with year and money parsed."""
    frame = _with_academic_year(_raw_rows(files, FUNDING))
    return frame.with_columns(
        pl.lit(FUNDING).alias("source"),
        is_county_total().alias("is_county_total"),
        *[money_expr(f"{c}_raw", optional).cast(FLOAT).alias(c) for c, optional in MONEY_COLUMNS],
        *[
            money_error_expr(f"{c}_raw", optional).alias(f"{c}_error")
            for c, optional in MONEY_COLUMNS
        ],
        money_expr("total_budget_raw", False).alias("total_budget_exact"),
        # Summed exactly (Decimal), then shown as pounds: equal amounts compare equal.
        (money_expr("core_budget_raw", False) + money_expr("outreach_budget_raw", False))
        .cast(FLOAT)
        .alias("core_plus_outreach"),
    )


def funding_rows(files: Iterable[SourceFile], today: date | None = None) -> pl.DataFrame:
    """One row per raw funding row naming a district (stated county totals are checked in
    ``funding_years`` and never loaded as a district)."""
    frame = _funding_parsed(files).filter(~pl.col("is_county_total"))
    frame = _with_district(frame).with_columns(
        *[_problem(pl.col(f"{c}_error")).alias(f"{c}_problem") for c, _ in MONEY_COLUMNS],
        _submission_id(pl.col("academic_year")).alias("submission_id"),
    )
    keys = ["file_id", "academic_year", "district"]
    frame = frame.with_columns(
        _duplicate_rows(keys).alias("duplicate_rows"),
        _year_out_of_range(frame, today).alias("academic_year_out_of_range"),
    )
    return _conform(frame, "funding_rows")


def _extra_headers(frame: pl.DataFrame) -> str | None:
    """The headers of a file's non-empty extra cells, in first-seen order ("notes")."""
    if "extra_columns" not in frame.columns:
        return None
    seen: dict[str, None] = {}
    for text in frame.get_column("extra_columns").drop_nulls().unique(maintain_order=True):
        seen.update(dict.fromkeys(json.loads(text)))
    return ", ".join(seen) or None


def files_frame(files: Iterable[SourceFile]) -> pl.DataFrame:
    """One row per accepted file: its size in rows and the extra columns it carries."""
    records = [
        {
            "source": f.source,
            "file_id": f.file_id,
            "file_name": f.file_name,
            "received_seq": f.received_seq,
            "row_count": f.frame.height,
            "extra_headers": _extra_headers(f.frame),
        }
        for f in files
    ]
    if not records:
        return empty_frame("files")
    return _conform(pl.DataFrame(records), "files")


# --------------------------------------------------------------------------------------
# Check frames: stage 2, submissions and funding years
# --------------------------------------------------------------------------------------

RowKeys = set[tuple[str, int]]


def _without_rows(frame: pl.DataFrame, rows: RowKeys) -> pl.DataFrame:
    """The frame less the (file_id, row_number) rows given (those quarantined alone)."""
    if not rows:
        return frame
    drop = pl.DataFrame(
        [{"file_id": f, "row_number": n} for f, n in rows],
        schema={"file_id": STR, "row_number": INT},
    )
    return frame.join(drop, on=["file_id", "row_number"], how="anti", maintain_order="left")


CENSUS_INPUT_SCHEMA: dict[str, pl.DataType] = {
    "census_year": INT,
    "district": STR,
    "phase": STR,
    "settings": INT,
    "pupils": INT,
    "ehcp": INT,
}
CASELOAD_INPUT_SCHEMA: dict[str, pl.DataType] = {
    "district": STR,
    "academic_year": STR,
    "term": INT,
    "phase": STR,
    "caseload": INT,
}


def _input(frame: pl.DataFrame | None, schema: dict[str, pl.DataType], what: str) -> pl.DataFrame:
    """A caller's frame with the columns this module needs, or an empty one."""
    if frame is None:
        return pl.DataFrame(schema=schema)
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks column(s) {', '.join(missing)}")
    return frame.select([pl.col(c).cast(t) for c, t in schema.items()])


def census_in_force(
    census: pl.DataFrame, published_census: pl.DataFrame | None, rows: RowKeys
) -> pl.DataFrame:
    """The census settings to check this load's returns against: the warehouse's published
    census, overridden by this load's census rows (not quarantined alone, phase known,
    settings a count) for the same (census_year, district, phase), the latest-received row
    winning. A row held for another reason (say, ehcp above pupils) still counts: its
    settings figure is as good as any, and the return is judged against the newest census."""
    published = _input(published_census, CENSUS_INPUT_SCHEMA, "published_census")
    loaded = (
        _without_rows(census, rows)
        .filter(
            pl.col("district").is_not_null()
            & pl.col("census_year").is_not_null()
            & pl.col("phase").is_in(list(contracts.CENSUS_PHASES))
            & pl.col("settings").is_not_null()
        )
        .sort("received_seq", "row_number")
        .select(list(CENSUS_INPUT_SCHEMA))
    )
    keys = ["census_year", "district", "phase"]
    return (
        pl.concat([published, loaded], how="vertical")
        .unique(subset=keys, keep="last", maintain_order=True)
        .sort(keys)
    )


def _census_settings(submissions: pl.DataFrame, census: pl.DataFrame) -> pl.DataFrame:
    """Per submission and census phase: settings in the census belonging to its academic
    year, or (as the published definitions do when that census is missing) the latest
    earlier one, and which census year that was."""
    wanted = submissions.select(
        "submission_id",
        "district",
        (pl.col("academic_year").str.slice(0, 4).cast(INT) + 1).alias("wanted_year"),
    )
    usable = census.filter(pl.col("settings").is_not_null()).select(
        "district", "phase", "census_year", "settings"
    )
    chosen = (
        wanted.join(usable, on="district", how="inner")
        .filter(pl.col("census_year") <= pl.col("wanted_year"))
        .sort("census_year")
        .group_by("submission_id", "phase")
        .agg(pl.col("settings").last(), pl.col("census_year").last())
    )
    per_phase = []
    for phase in contracts.CENSUS_PHASES:
        is_phase = pl.col("phase") == phase
        per_phase.append(
            pl.col("settings").filter(is_phase).first().alias(f"census_settings_{phase}")
        )
        per_phase.append(
            pl.col("census_year").filter(is_phase).first().alias(f"census_year_{phase}")
        )
    return chosen.group_by("submission_id").agg(per_phase)


def termly_return_submissions(
    rows: pl.DataFrame, quarantined: RowKeys, census: pl.DataFrame
) -> pl.DataFrame:
    """One row per termly submission (all rows of one district-term in one file), measures
    pivoted to ``<measure>_<phase>`` columns, the sums the cross-measure rules compare, and
    the census settings for its year. Built from the rows stage 1 did not quarantine alone;
    a figure whose value is not a count is null (its row already holds the submission)."""
    kept = _without_rows(rows, quarantined).filter(pl.col("submission_id").is_not_null())
    if kept.is_empty():
        return empty_frame("termly_return_submissions")
    pair = pl.concat_str("measure", pl.lit("_"), "phase")
    expected = contracts.expected_measure_phases()
    figures = [
        pl.col("value").filter(pair == _pair_column(m, p)).first().alias(_pair_column(m, p))
        for m, p in expected
    ]
    present = [
        pl.when(~(pair == _pair_column(m, p)).any()).then(pl.lit(f"{m} ({p})")) for m, p in expected
    ]
    submissions = kept.group_by("submission_id", maintain_order=True).agg(
        *[pl.col(c).first() for c in ("source", "file_id", "file_name", "received_seq")],
        *[pl.col(c).first() for c in ("district", "academic_year", "term")],
        pl.len().cast(INT).alias("row_count"),
        pl.concat_str(present, separator=", ", ignore_nulls=True).first().alias("missing"),
        *figures,
    )
    submissions = submissions.with_columns(
        pl.lit(len(expected), dtype=INT).alias("expected_row_count"),
        percent_expr(pl.col("row_count"), pl.lit(len(expected))).alias("rows_pct_of_expected"),
        pl.when(pl.col("missing") != "").then(pl.col("missing")).alias("missing_measures"),
        (pl.col("caseload_primary") + pl.col("caseload_secondary")).alias("caseload_school_age"),
        (
            pl.col("children_presented_sen_support_school_age")
            + pl.col("children_presented_receiving_hnf_school_age")
            + pl.col("children_presented_with_ehcp_school_age")
        ).alias("lift_sen_status_sum_school_age"),
        (
            pl.col("cases_closed_targets_met_school_age") + pl.col("targets_amended_school_age")
        ).alias("closed_plus_amended_school_age"),
    )
    settings = _census_settings(submissions, census)
    submissions = submissions.join(settings, on="submission_id", how="left", maintain_order="left")
    return _conform(submissions, "termly_return_submissions")


def funding_years(files: Iterable[SourceFile], quarantined: RowKeys) -> pl.DataFrame:
    """One row per academic year of each funding file: the stated county total (its "Total"
    row, if any), the sum of the district totals, and the districts with no row.

    A Total row with a blank year belongs to the file's only year, if it has one. District
    rows count whatever else is wrong with them (the Total states the file's own sum), except
    rows quarantined alone for an unknown district, which are listed neither as present nor
    summed.
    """
    parsed = _funding_parsed(files)
    if parsed.is_empty():
        return empty_frame("funding_years")
    parsed = _with_district(parsed)
    districts = _without_rows(parsed.filter(~pl.col("is_county_total")), quarantined).filter(
        pl.col("academic_year").is_not_null()
    )
    totals = parsed.filter(pl.col("is_county_total"))
    only_year = districts.group_by("file_id").agg(pl.col("academic_year").unique().alias("years"))
    totals = totals.join(only_year, on="file_id", how="left").with_columns(
        pl.coalesce(
            pl.col("academic_year"),
            pl.when(pl.col("years").list.len() == 1).then(pl.col("years").list.first()),
        ).alias("academic_year")
    )
    by_year = districts.group_by("file_id", "academic_year", maintain_order=True).agg(
        pl.col("source", "file_name", "received_seq").first(),
        pl.col("total_budget_exact").sum().alias("district_exact"),
        pl.col("district").drop_nulls().n_unique().cast(INT).alias("districts_listed"),
        pl.col("district").drop_nulls().unique().alias("listed"),
    )
    stated = (
        totals.filter(pl.col("academic_year").is_not_null())
        .group_by("file_id", "academic_year")
        .agg(
            pl.col("total_budget_exact").first().alias("stated_exact"),
            pl.col("row_number").first(),
        )
    )
    if by_year.is_empty():
        return empty_frame("funding_years")
    years = by_year.join(stated, on=["file_id", "academic_year"], how="left", maintain_order="left")
    names = list(contracts.district_names())
    missing = pl.lit(names).list.set_difference(pl.col("listed")).list.sort().list.join(", ")
    years = years.with_columns(
        pl.col("stated_exact").cast(FLOAT).alias("stated_total"),
        pl.col("district_exact").cast(FLOAT).alias("district_total"),
        (pl.col("stated_exact") - pl.col("district_exact"))
        .abs()
        .cast(FLOAT)
        .alias("total_difference"),
        pl.when(missing != "").then(missing).alias("missing_districts"),
    )
    return _conform(years, "funding_years")


# --------------------------------------------------------------------------------------
# Check frames: stage 3, history
# --------------------------------------------------------------------------------------


def _term_index(year: pl.Expr, term: pl.Expr) -> pl.Expr:
    """Terms numbered consecutively across years: 2023-24 term 1 follows 2022-23 term 6."""
    return year.str.slice(0, 4).cast(INT) * 6 + term - 1


def _caseload_wide(long: pl.DataFrame) -> pl.DataFrame:
    """Published caseload (one row per district-term-phase) as one row per district-term."""
    return long.group_by("district", "academic_year", "term").agg(
        [
            pl.col("caseload").filter(pl.col("phase") == p).first().alias(f"caseload_{p}")
            for p in contracts.CENSUS_PHASES
        ]
    )


def termly_return_history(
    submissions: pl.DataFrame, held: set[str], published_caseload: pl.DataFrame | None
) -> pl.DataFrame:
    """One row per district for every term this load brings a return for.

    ``has_return``: the district has sent that term (in this load, even if held, or
    published before). For the district's latest submission of the term in this load:
    its caseload per phase against the same district's previous term (this load's
    unheld submission for it if any, else the published one). ``published_caseload`` has
    one row per published district-term and phase (``CASELOAD_INPUT_SCHEMA``); a published
    district-term without caseload rows appears once with phase and caseload null.
    """
    if submissions.is_empty():
        return empty_frame("termly_return_history")
    published = _input(published_caseload, CASELOAD_INPUT_SCHEMA, "published_caseload")
    key = ["district", "academic_year", "term"]
    caseload_columns = [f"caseload_{p}" for p in contracts.CENSUS_PHASES]
    latest = submissions.sort("received_seq", CHECK_ROW).unique(
        subset=key, keep="last", maintain_order=True
    )
    terms = latest.select("academic_year", "term").unique().sort("academic_year", "term")
    grid = terms.join(pl.DataFrame({"district": list(contracts.district_names())}), how="cross")
    sent = pl.concat([published.select(key), submissions.select(key)], how="vertical").unique()
    grid = grid.join(
        sent.with_columns(pl.lit(True).alias("has_return")), on=key, how="left"
    ).with_columns(pl.col("has_return").fill_null(False))
    grid = grid.with_columns(
        pl.col("has_return")
        .sum()
        .over("academic_year", "term")
        .cast(INT)
        .alias("districts_with_return")
    )
    current = latest.select(
        *key, "source", "file_id", "file_name", "received_seq", "submission_id", *caseload_columns
    )
    grid = grid.join(current, on=key, how="left").with_columns(
        _term_index(pl.col("academic_year"), pl.col("term")).alias("term_index")
    )
    baseline = pl.concat(
        [
            _caseload_wide(published).select(*key, *caseload_columns),
            latest.filter(~pl.col("submission_id").is_in(list(held))).select(
                *key, *caseload_columns
            ),
        ],
        how="vertical_relaxed",
    ).unique(subset=key, keep="last", maintain_order=True)
    baseline = baseline.select(
        "district",
        (_term_index(pl.col("academic_year"), pl.col("term")) + 1).alias("term_index"),
        pl.col("academic_year").alias("previous_academic_year"),
        pl.col("term").alias("previous_term"),
        *[pl.col(c).alias(f"previous_{c}") for c in caseload_columns],
    )
    grid = grid.join(baseline, on=["district", "term_index"], how="left")
    grid = grid.with_columns(
        [_change_pct(f"caseload_{p}") for p in contracts.CENSUS_PHASES]
    ).with_columns(pl.col("source").fill_null(TERMLY_RETURN))
    return _conform(grid.sort("academic_year", "term", "district"), "termly_return_history")


def _change_pct(column: str) -> pl.Expr:
    """Percentage change against ``previous_<column>``: null without both figures, 0 for
    0 -> 0, infinite for a rise from 0 (any rise from nothing is more than 50%)."""
    now, before = pl.col(column).cast(FLOAT), pl.col(f"previous_{column}").cast(FLOAT)
    return (
        pl.when(now.is_null() | before.is_null())
        .then(None)
        .when(before == 0)
        .then(pl.when(now == 0).then(0.0).otherwise(float("inf")))
        .otherwise(percent_expr(now - before, before))
        .alias(f"{column}_change_pct")
    )


def census_history(
    census: pl.DataFrame,
    quarantined: RowKeys,
    held: set[str],
    published_census: pl.DataFrame | None,
) -> pl.DataFrame:
    """One row per district and census phase for every census year this load brings.

    ``has_row``: this load (a row not quarantined alone) or the warehouse has a row for it.
    For this load's latest row: its EHCP rate against the previous year's (this load's
    unheld row for it if any, else the published one), in percentage points.
    """
    published = _input(published_census, CENSUS_INPUT_SCHEMA, "published_census")
    key = ["census_year", "district", "phase"]
    loaded = (
        _without_rows(census, quarantined)
        .filter(
            pl.col("district").is_not_null()
            & pl.col("census_year").is_not_null()
            & pl.col("phase").is_in(list(contracts.CENSUS_PHASES))
        )
        .sort("received_seq", "row_number")
        .unique(subset=key, keep="last", maintain_order=True)
    )
    if loaded.is_empty():
        return empty_frame("census_history")
    rate = pl.when(pl.col("pupils") > 0).then(percent_expr(pl.col("ehcp"), pl.col("pupils")))
    grid = (
        loaded.select("census_year")
        .unique()
        .join(pl.DataFrame({"district": list(contracts.district_names())}), how="cross")
        .join(pl.DataFrame({"phase": list(contracts.CENSUS_PHASES)}), how="cross")
    )
    present = pl.concat([published.select(key), loaded.select(key)], how="vertical").unique()
    grid = grid.join(present.with_columns(pl.lit(True).alias("has_row")), on=key, how="left")
    current = loaded.select(
        *key,
        "source",
        "file_id",
        "file_name",
        "received_seq",
        "row_number",
        "submission_id",
        "academic_year",
        rate.alias("ehcp_rate_pct"),
    )
    baseline = (
        pl.concat(
            [
                published.select(*key, "pupils", "ehcp"),
                loaded.filter(~pl.col("submission_id").is_in(list(held))).select(
                    *key, "pupils", "ehcp"
                ),
            ],
            how="vertical",
        )
        .unique(subset=key, keep="last", maintain_order=True)
        .select(
            (pl.col("census_year") + 1).alias("census_year"),
            "district",
            "phase",
            rate.alias("previous_ehcp_rate_pct"),
        )
    )
    grid = (
        grid.join(current, on=key, how="left")
        .join(baseline, on=key, how="left")
        .with_columns(
            pl.col("has_row").fill_null(False),
            pl.col("source").fill_null(CENSUS),
            (pl.col("ehcp_rate_pct") - pl.col("previous_ehcp_rate_pct")).alias(
                "ehcp_rate_change_points"
            ),
        )
    )
    return _conform(grid.sort("census_year", "district", "phase"), "census_history")


# --------------------------------------------------------------------------------------
# Suite files
# --------------------------------------------------------------------------------------

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_SUITE_KEYS = {"suite", "source", "frame", "expectations"}
_ENTRY_KEYS = {
    "name",
    "expectation",
    "kwargs",
    "severity",
    "scope",
    "column",
    "rule",
    "action",
    "message",
}
_COLUMN_KWARGS = ("column", "column_A", "column_B")


@cache
def _contract_lists() -> dict[str, list[str]]:
    """Lists a suite may name as ``{from_contract: <name>}`` instead of copying them: the
    reference lists live once, in the dbt seeds (``warehouse.core.contracts``)."""
    return {
        "phases": list(contracts.phases()),
        "census_phases": list(contracts.CENSUS_PHASES),
        "measures": [m.code for m in contracts.measures()],
        "districts": list(contracts.district_names()),
        "terms": sorted(contracts.term_names()),
    }


@dataclass(frozen=True)
class ExpectationSpec:
    """One entry of a suite file, checked and with contract references resolved."""

    suite: str
    name: str
    expectation: str
    kwargs: Mapping[str, Any]
    severity: str
    scope: str
    column: str | None
    rule: str
    action: str
    message: str


@dataclass(frozen=True)
class Suite:
    """A suite file: expectations over one kind of check frame."""

    name: str
    source: str | None
    frame: str
    path: Path
    expectations: tuple[ExpectationSpec, ...]

    @property
    def stage(self) -> int:
        return frame_kinds()[self.frame].stage


def load_suites(folder: Path = EXPECTATIONS_DIR) -> dict[str, Suite]:
    """Every ``*.yml`` suite in ``folder``, checked; ``SuiteFileError`` names the problem."""
    paths = sorted(folder.glob("*.yml"))
    if not paths:
        raise SuiteFileError(f"{folder}: no suite files (*.yml)")
    suites = {s.name: s for s in (load_suite(p) for p in paths)}
    _check_unique_names_per_source(suites.values())
    return suites


def load_suite(path: Path) -> Suite:
    where = str(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SuiteFileError(f"{where}: not valid YAML: {exc}") from None
    if not isinstance(document, dict):
        raise SuiteFileError(f"{where}: expected a mapping with {sorted(_SUITE_KEYS)}")
    _check_keys(document, _SUITE_KEYS, _SUITE_KEYS, where)
    name, frame = document["suite"], document["frame"]
    if name != path.stem:
        raise SuiteFileError(f"{where}: suite is named {name!r}; it must match the file name")
    if frame not in frame_kinds():
        known = ", ".join(frame_kinds())
        raise SuiteFileError(f"{where}: unknown frame {frame!r} (known: {known})")
    kind = frame_kinds()[frame]
    if document["source"] != (kind.source or "any"):
        raise SuiteFileError(
            f"{where}: source {document['source']!r} does not match frame {frame!r} "
            f"(its source is {kind.source or 'any'!r})"
        )
    entries = document["expectations"]
    if not isinstance(entries, list) or not entries:
        raise SuiteFileError(f"{where}: expectations must be a non-empty list")
    specs = tuple(
        _load_entry(entry, name, kind, f"{where}: entry {i}") for i, entry in enumerate(entries, 1)
    )
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise SuiteFileError(f"{where}: expectation names used twice: {', '.join(dupes)}")
    return Suite(name=name, source=kind.source, frame=frame, path=path, expectations=specs)


def _check_keys(mapping: dict, required: set[str], allowed: set[str], where: str) -> None:
    missing = required - set(mapping)
    unknown = set(mapping) - allowed
    if missing:
        raise SuiteFileError(f"{where}: missing key(s) {', '.join(sorted(missing))}")
    if unknown:
        raise SuiteFileError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")


def _load_entry(entry: Any, suite: str, kind: FrameKind, where: str) -> ExpectationSpec:
    if not isinstance(entry, dict):
        raise SuiteFileError(f"{where}: expected a mapping")
    _check_keys(entry, _ENTRY_KEYS, _ENTRY_KEYS, where)
    name = entry["name"]
    if not isinstance(name, str) or not _NAME.match(name):
        raise SuiteFileError(f"{where}: name {name!r} is not snake_case")
    where = f"{where} ({name})"
    for key in ("rule", "action", "message"):
        if not isinstance(entry[key], str) or not entry[key].strip():
            raise SuiteFileError(f"{where}: {key} must be non-empty text")
    severity, scope = entry["severity"], entry["scope"]
    _check_severity_scope(severity, scope, kind, where)
    kwargs = _resolve(entry["kwargs"], where)
    if not isinstance(kwargs, dict):
        raise SuiteFileError(f"{where}: kwargs must be a mapping")
    _check_expectation(entry["expectation"], kwargs, kind, where)
    _check_column(entry["column"], kind, where)
    _check_message(entry["message"], kind, where)
    return ExpectationSpec(
        suite=suite,
        name=name,
        expectation=entry["expectation"],
        kwargs=kwargs,
        severity=severity,
        scope=scope,
        column=entry["column"],
        rule=" ".join(entry["rule"].split()),
        action=" ".join(entry["action"].split()),
        message=" ".join(entry["message"].split()),
    )


def _check_severity_scope(severity: Any, scope: Any, kind: FrameKind, where: str) -> None:
    """Errors hold data (a row alone, or its submission); warnings never do."""
    if severity not in SEVERITIES:
        raise SuiteFileError(f"{where}: severity {severity!r} is not one of {SEVERITIES}")
    if scope not in SCOPES:
        raise SuiteFileError(f"{where}: scope {scope!r} is not one of {SCOPES}")
    if severity == WARNING and scope != NONE:
        raise SuiteFileError(f"{where}: a warning holds nothing back; its scope must be none")
    if severity == ERROR and scope == NONE:
        raise SuiteFileError(f"{where}: an error must hold something: scope row or submission")
    if scope == ROW and kind.level != "row":
        raise SuiteFileError(f"{where}: scope row needs a frame of raw rows, not {kind.name}")
    if scope == SUBMISSION and kind.level not in ("row", "submission"):
        raise SuiteFileError(f"{where}: {kind.name} rows are not submissions; only warnings")


def _resolve(value: Any, where: str) -> Any:
    """Replace ``{from_contract: name}`` with the contract's list of that name."""
    if isinstance(value, dict):
        if set(value) == {"from_contract"}:
            lists = _contract_lists()
            if value["from_contract"] not in lists:
                known = ", ".join(lists)
                raise SuiteFileError(
                    f"{where}: unknown contract list {value['from_contract']!r} (known: {known})"
                )
            return list(lists[value["from_contract"]])
        return {k: _resolve(v, where) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, where) for v in value]
    return value


@cache
def _row_expectation_bases() -> tuple[type, ...]:
    from great_expectations.expectations.expectation import (
        ColumnMapExpectation,
        ColumnPairMapExpectation,
        MulticolumnMapExpectation,
    )

    return (ColumnMapExpectation, ColumnPairMapExpectation, MulticolumnMapExpectation)


def _expectation_class(name: Any, where: str) -> type:
    import great_expectations.expectations as gxe

    cls = getattr(gxe, name, None) if isinstance(name, str) else None
    if not isinstance(cls, type) or not name.startswith("Expect"):
        raise SuiteFileError(f"{where}: {name!r} is not a Great Expectations expectation class")
    if not issubclass(cls, _row_expectation_bases()):
        raise SuiteFileError(
            f"{where}: {name} does not judge row by row, so it cannot say which rows failed"
        )
    return cls


def _check_expectation(name: Any, kwargs: dict, kind: FrameKind, where: str) -> None:
    """The class exists, takes these arguments (GX validates them), and every column it
    names is a column of the frame."""
    cls = _expectation_class(name, where)
    try:
        cls(**kwargs)
    except Exception as exc:
        detail = " ".join(str(exc).split())
        raise SuiteFileError(f"{where}: {name} does not accept these kwargs: {detail}") from None
    named = [kwargs[k] for k in _COLUMN_KWARGS if k in kwargs]
    named += list(kwargs.get("column_list", []))
    unknown = [c for c in named if c not in kind.schema]
    if unknown:
        raise SuiteFileError(f"{where}: frame {kind.name} has no column(s) {', '.join(unknown)}")


def _check_column(column: Any, kind: FrameKind, where: str) -> None:
    """``column`` points the steward at a column of the file they sent (or none)."""
    if column is None:
        return
    allowed = contracts.CONTRACTS[kind.source].columns if kind.source else ()
    if column not in allowed:
        raise SuiteFileError(
            f"{where}: column {column!r} is not a column of the {kind.source or 'any'} files "
            f"({', '.join(allowed) or 'use null'})"
        )


def _placeholders(template: str) -> list[tuple[str, str | None]]:
    """(column, conversion) for each placeholder of a message template."""
    return [
        (name, conversion)
        for _, name, _, conversion in string.Formatter().parse(template)
        if name is not None
    ]


_SAMPLE: dict[type, Any] = {pl.Int64: 1, pl.Float64: 1.5, pl.Boolean: True, pl.String: "x"}


def _check_message(template: str, kind: FrameKind, where: str) -> None:
    """Every placeholder is a column of the frame, and the template renders."""
    try:
        fields = _placeholders(template)
    except ValueError as exc:
        raise SuiteFileError(f"{where}: message does not parse: {exc}") from None
    for name, conversion in fields:
        if not name.isidentifier() or conversion:
            raise SuiteFileError(
                f"{where}: message placeholder {{{name}}} must be a column name, optionally "
                "with a format spec such as {value:,}"
            )
        if name not in kind.schema:
            raise SuiteFileError(
                f"{where}: message placeholder {{{name}}} is not a column of {kind.name}"
            )
    sample = {name: _SAMPLE[type(dtype)] for name, dtype in kind.schema.items()}
    try:
        render(template, sample)
        render(template, dict.fromkeys(kind.schema))
    except (ValueError, TypeError) as exc:
        raise SuiteFileError(f"{where}: message does not render: {exc}") from None


def _check_unique_names_per_source(suites: Iterable[Suite]) -> None:
    """``stls dq`` lists checks as (source, name): a name must mean one rule per source."""
    seen: dict[tuple[str | None, str], str] = {}
    for suite in suites:
        for spec in suite.expectations:
            key = (suite.source, spec.name)
            if key in seen:
                raise SuiteFileError(
                    f"{suite.path}: expectation {spec.name!r} is also in suite {seen[key]!r} "
                    f"of the same source"
                )
            seen[key] = suite.name


class _Blank:
    """Stands in for a missing value whatever the format spec ("{value:,}")."""

    def __format__(self, spec: str) -> str:
        return BLANK


class _Unbounded:
    """An infinite change (from 0), shown in words whatever the format spec."""

    def __format__(self, spec: str) -> str:
        return "∞"


class _Count(int):
    """A whole number in a message; ``{n:,|figure}`` adds its noun, singular for 1."""

    def __format__(self, spec: str) -> str:
        number_spec, bar, nouns = spec.partition("|")
        text = format(int(self), number_spec)
        if not bar:
            return text
        singular, _, plural = nouns.partition("|")
        return f"{text} {singular if self == 1 else plural or singular + 's'}"


def render(template: str, row: Mapping[str, Any]) -> str:
    """A message template filled from a row; blanks and empty text show as "(blank)", and
    counts may carry their noun (``_Count``)."""
    values: dict[str, Any] = {}
    for name, value in row.items():
        if value is None or value == "":
            values[name] = _Blank()
        elif isinstance(value, float) and value in (float("inf"), float("-inf")):
            values[name] = _Unbounded()
        elif isinstance(value, int) and not isinstance(value, bool):
            values[name] = _Count(value)
        else:
            values[name] = value
    return template.format_map(values)


# --------------------------------------------------------------------------------------
# Running suites through Great Expectations
# --------------------------------------------------------------------------------------

_GX_SEVERITY = {ERROR: "critical", WARNING: "warning"}


def _context_config(docs_folder: Path | None = None):
    """An in-memory GX context: no analytics, no progress bars, optionally a docs site."""
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    sites = {}
    if docs_folder is not None:
        sites["stls"] = {
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_folder),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    return DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        data_docs_sites=sites,
    )


def _new_context(docs_folder: Path | None = None):
    import great_expectations as gx

    return gx.get_context(mode="ephemeral", project_config=_context_config(docs_folder))


def gx_suite(suite: Suite) -> ExpectationSuite:
    """The GX suite for a suite file; each expectation carries its name in ``meta``."""
    import great_expectations as gx

    gx_suite = gx.ExpectationSuite(name=suite.name)
    for spec in suite.expectations:
        cls = _expectation_class(spec.expectation, spec.name)
        gx_suite.add_expectation(
            cls(
                **spec.kwargs,
                meta={"name": spec.name, "scope": spec.scope, "column": spec.column},
                description=spec.rule,
                notes=spec.action,
                severity=_GX_SEVERITY[spec.severity],
            )
        )
    return gx_suite


class GxRunner:
    """One GX context, reused for every suite of a load (or of many loads, as tests do).

    Datasource, assets and GX suites are made once; each run is one batch and one
    ``batch.validate(suite)`` per suite.
    """

    def __init__(self) -> None:
        self._context = _new_context()
        self._datasource = self._context.data_sources.add_pandas("stls_load")
        self._batches: dict[str, Any] = {}
        # Keyed by the Suite object's identity: tests run edited copies of a suite by the
        # same name through one runner.
        self._suites: dict[int, tuple[Suite, ExpectationSuite]] = {}

    def _batch_definition(self, frame_kind: str):
        if frame_kind not in self._batches:
            asset = self._datasource.add_dataframe_asset(frame_kind)
            self._batches[frame_kind] = asset.add_batch_definition_whole_dataframe("whole")
        return self._batches[frame_kind]

    def _suite(self, suite: Suite) -> ExpectationSuite:
        if id(suite) not in self._suites:
            self._suites[id(suite)] = (suite, gx_suite(suite))
        return self._suites[id(suite)][1]

    def validate(self, suite: Suite, frame: pl.DataFrame) -> ExpectationSuiteValidationResult:
        batch = self._batch_definition(suite.frame).get_batch(
            batch_parameters={"dataframe": frame.to_pandas()}
        )
        return batch.validate(
            self._suite(suite),
            result_format={
                "result_format": "COMPLETE",
                "unexpected_index_column_names": [CHECK_ROW, *DOCS_INDEX],
                "return_unexpected_index_query": False,
            },
        )


def run_suite(suite: Suite, frame: pl.DataFrame, runner: GxRunner) -> list[CheckResult]:
    """One suite over its check frame: a result per expectation, failures rendered."""
    if frame.is_empty():
        return [_result(suite, spec, True, 0, ()) for spec in suite.expectations]
    validation = runner.validate(suite, frame)
    by_name = {r.expectation_config.meta["name"]: r for r in validation.results}
    failing_rows = {
        row[CHECK_ROW]
        for r in validation.results
        for row in (r.result or {}).get("unexpected_index_list") or []
    }
    rows = _rows_by_check_row(frame, failing_rows)
    results = []
    for spec in suite.expectations:
        outcome = by_name.get(spec.name)
        problem = "no result" if outcome is None else _gx_problem(outcome)
        if problem:
            raise ExpectationRunError(f"{suite.name}.{spec.name} did not run: {problem}")
        indexes = {int(row[CHECK_ROW]) for row in outcome.result["unexpected_index_list"]}
        failures = tuple(_failure(spec, rows[i]) for i in sorted(indexes))
        evaluated = int(outcome.result.get("element_count", frame.height))
        results.append(_result(suite, spec, outcome.success, evaluated, failures, validation))
    return results


def _gx_problem(outcome: Any) -> str | None:
    """Why GX gave no usable answer for an expectation, or None.

    GX reports an exception either directly (``raised_exception``) or per metric (a dict of
    such dicts). A failed expectation without the failing rows' index cannot be attributed
    to rows, so it is a problem too: it must not pass as "no failing rows".
    """
    info = outcome.exception_info or {}
    reports = [info] if "raised_exception" in info else list(info.values())
    for report in reports:
        if isinstance(report, dict) and report.get("raised_exception"):
            message = str(report.get("exception_message") or "an exception").strip()
            return message.splitlines()[0] if message else "an exception"
    if "unexpected_index_list" not in (outcome.result or {}):
        return "GX did not list the failing rows"
    return None


def _rows_by_check_row(frame: pl.DataFrame, wanted: set[int]) -> dict[int, dict[str, Any]]:
    picked = frame.filter(pl.col(CHECK_ROW).is_in(sorted(int(i) for i in wanted)))
    return {row[CHECK_ROW]: row for row in picked.iter_rows(named=True)}


def _failure(spec: ExpectationSpec, row: Mapping[str, Any]) -> Failure:
    return Failure(
        source=row["source"],
        file_id=row["file_id"],
        file_name=row["file_name"],
        row_number=row["row_number"],
        submission_id=row["submission_id"],
        district=row["district"],
        academic_year=row["academic_year"],
        term=row["term"],
        census_year=row["census_year"],
        message=render(spec.message, row),
    )


def _result(
    suite: Suite,
    spec: ExpectationSpec,
    success: bool,
    evaluated: int,
    failures: tuple[Failure, ...],
    validation: ExpectationSuiteValidationResult | None = None,
) -> CheckResult:
    return CheckResult(
        suite=suite.name,
        source=suite.source,
        name=spec.name,
        expectation=spec.expectation,
        severity=spec.severity,
        scope=spec.scope,
        column=spec.column,
        rule=spec.rule,
        action=spec.action,
        success=bool(success) and not failures,
        evaluated=evaluated,
        failures=failures,
        validation=validation,
    )


# --------------------------------------------------------------------------------------
# A load's checks, stage by stage
# --------------------------------------------------------------------------------------


def rows_quarantined_alone(results: Iterable[CheckResult]) -> dict[tuple[str, int], list[Failure]]:
    """(file_id, row_number) -> the row-scope failures that quarantine the row on its own."""
    rows: dict[tuple[str, int], list[Failure]] = defaultdict(list)
    for result in results:
        if result.scope != ROW:
            continue
        for failure in result.failures:
            rows[(failure.file_id, failure.row_number)].append(failure)
    return dict(rows)


def held_submissions(results: Iterable[CheckResult]) -> dict[str, list[Failure]]:
    """submission_id -> the submission-scope failures that hold it back. A failure on a
    row that is quarantined alone belongs to no submission, so it holds none."""
    results = list(results)
    alone = rows_quarantined_alone(results)
    held: dict[str, list[Failure]] = defaultdict(list)
    for result in results:
        if result.scope != SUBMISSION:
            continue
        for failure in result.failures:
            if failure.submission_id is None:
                continue
            if failure.row_number is not None and (failure.file_id, failure.row_number) in alone:
                continue
            held[failure.submission_id].append(failure)
    return dict(held)


@dataclass
class _Run:
    suites: Mapping[str, Suite]
    runner: GxRunner
    results: list[CheckResult] = field(default_factory=list)

    def check(self, frames: Mapping[str, pl.DataFrame]) -> None:
        for suite in self.suites.values():
            if suite.frame in frames:
                self.results.extend(run_suite(suite, frames[suite.frame], self.runner))

    def quarantined(self) -> RowKeys:
        return set(rows_quarantined_alone(self.results))

    def held(self) -> set[str]:
        return set(held_submissions(self.results))


def row_frames(files: Sequence[SourceFile], today: date | None = None) -> dict[str, pl.DataFrame]:
    """Each source's row-level check frame: the raw rows with their parsed key and values.
    The audit reads the same frames for the rows' normalised keys. ``today`` is the load's
    date (default: today, UTC)."""
    return {
        "termly_return_rows": termly_return_rows(files, today),
        "census_rows": census_rows(files, today),
        "funding_rows": funding_rows(files, today),
    }


def row_values(frames: Mapping[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The audit's reading of every row, for ``dq.<source>_values``: codes as the checks saw
    them (blank: null) and numbers as ``warehouse.core.values`` parsed them (null where a cell is
    not a number). dbt casts these and never parses raw text, so there is one reading."""

    def code(column: str) -> pl.Expr:
        return pl.when(pl.col(column) != "").then(pl.col(column)).alias(column)

    ids = (pl.col("file_id"), pl.col("row_number").cast(pl.Int32))
    funding = frames["funding_rows"]
    return {
        TERMLY_RETURN: frames["termly_return_rows"].select(
            *ids, code("phase"), code("measure"), pl.col("value")
        ),
        CENSUS: frames["census_rows"].select(*ids, code("phase"), *CENSUS_COUNTS),
        FUNDING: funding.select(
            *ids,
            *[
                money_expr(f"{column}_raw", optional).cast(pl.Decimal(38, 2)).alias(column)
                for column, optional in MONEY_COLUMNS
            ],
        ),
    }


def run_suites(
    files: Sequence[SourceFile],
    *,
    published_census: pl.DataFrame | None = None,
    published_caseload: pl.DataFrame | None = None,
    suites: Mapping[str, Suite] | None = None,
    runner: GxRunner | None = None,
    frames: Mapping[str, pl.DataFrame] | None = None,
    today: date | None = None,
) -> list[CheckResult]:
    """Every suite over the accepted files of one load; a result per expectation.

    ``published_census`` (``CENSUS_INPUT_SCHEMA``: census_year, district, phase, settings,
    pupils, ehcp) is the census the warehouse has published: the cross-measure rule
    "settings engaged within the census settings" and the census history use it, with this
    load's census rows taking precedence. ``published_caseload``
    (``CASELOAD_INPUT_SCHEMA``) is the published termly returns' caseload, for the history
    rules. Both may be None (a first load, or tests). ``runner`` lets a caller reuse one GX
    context across loads; by default each call makes its own (a few milliseconds).
    ``frames`` are ``row_frames(files)`` when the caller has built them already; ``today``
    is the load's date (default: today, UTC), for the academic years that may hold figures.
    """
    suites = load_suites() if suites is None else suites
    run = _Run(suites, runner or GxRunner())
    stage1 = {"files": files_frame(files), **(frames or row_frames(files, today))}
    run.check(stage1)
    quarantined = run.quarantined()
    census = census_in_force(stage1["census_rows"], published_census, quarantined)
    submissions = termly_return_submissions(stage1["termly_return_rows"], quarantined, census)
    run.check(
        {
            "termly_return_submissions": submissions,
            "funding_years": funding_years(files, quarantined),
        }
    )
    held = run.held()
    run.check(
        {
            "termly_return_history": termly_return_history(submissions, held, published_caseload),
            "census_history": census_history(
                stage1["census_rows"], quarantined, held, published_census
            ),
        }
    )
    return run.results


# --------------------------------------------------------------------------------------
# Data Docs
# --------------------------------------------------------------------------------------


def build_data_docs(results: Iterable[CheckResult], folder: Path, run_name: str = "load") -> Path:
    """GX Data Docs for a load's validations, written into ``folder``; the index page.

    A fresh in-memory context with a docs site in ``folder`` is given each suite run's GX
    result (kept on the CheckResults); GX renders the suites and validations from them.
    """
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    context = _new_context(folder)
    run_time = datetime.now(UTC)
    validations = {}
    for result in results:
        if result.validation is not None:
            validations.setdefault(result.suite, result.validation)
    for suite_name, validation in validations.items():
        validation = _escaped_for_html(validation)
        context.suites.add(_suite_from_validation(suite_name, validation))
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_name),
            # run_time given explicitly: GX would otherwise try to parse a date out of the
            # run name, and a load id such as "...Z-15d8" parses as a bad UTC offset.
            run_id=RunIdentifier(run_name=run_name, run_time=run_time),
            batch_identifier=suite_name,
        )
        context.validation_results_store.set(key, validation)
    context.build_data_docs()
    return folder / "index.html"


def _escaped_for_html(
    validation: ExpectationSuiteValidationResult,
) -> ExpectationSuiteValidationResult:
    """A copy of a validation whose observed values (failing values, the rows' file names,
    districts and years) are HTML-escaped: GX writes them into the Data Docs pages as they
    are, so a cell holding ``<img src=...>`` would be an image in the steward's browser."""
    import copy
    import html

    def escaped(value: Any) -> Any:
        if isinstance(value, str):
            return html.escape(value)
        if isinstance(value, list):
            return [escaped(v) for v in value]
        if isinstance(value, tuple):
            return tuple(escaped(v) for v in value)
        if isinstance(value, dict):
            return {k: escaped(v) for k, v in value.items()}
        return value

    copied = copy.deepcopy(validation)
    for outcome in copied.results:
        outcome.result = escaped(outcome.result)
    return copied


def _suite_from_validation(name: str, validation: ExpectationSuiteValidationResult):
    import great_expectations as gx

    suite = gx.ExpectationSuite(name=name)
    for outcome in validation.results:
        suite.add_expectation_configuration(outcome.expectation_config)
    return suite
