"""A load's checks, stage by stage: build the frames, run every suite, and say which rows
are quarantined alone and which submissions are held."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from warehouse.core.contracts import CENSUS, FUNDING, TERMLY_RETURN
from warehouse.core.values import (
    money_expr,
)

if TYPE_CHECKING:  # GX takes about 2 seconds to import: only the audit should pay for it.
    pass

from warehouse.quality import child_rows, national
from warehouse.quality.gx import GxRunner, run_suite
from warehouse.quality.history import census_history, termly_return_history
from warehouse.quality.kinds import CENSUS_COUNTS, MONEY_COLUMNS
from warehouse.quality.results import ROW, SUBMISSION, CheckResult, Failure, SourceFile
from warehouse.quality.rows import census_rows, files_frame, funding_rows, termly_return_rows
from warehouse.quality.submissions import (
    RowKeys,
    census_in_force,
    funding_years,
    termly_return_submissions,
)
from warehouse.quality.suites import Suite, load_suites


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


def row_frames(
    files: Sequence[SourceFile],
    today: date | None = None,
    published_national: national.NationalBaseline | None = None,
) -> dict[str, pl.DataFrame]:
    """Each source's row-level check frame: the raw rows with their parsed key and values.
    The audit reads the same frames for the rows' normalised keys. ``today`` is the load's
    date (default: today, UTC); ``published_national`` what the warehouse publishes of
    Source 4 (the dictionary and the areas), for the national rules that look beyond a file."""
    return {
        "termly_return_rows": termly_return_rows(files, today),
        "census_rows": census_rows(files, today),
        "funding_rows": funding_rows(files, today),
        **national.row_frames(files, published_national),
        **child_rows.row_frames(files, today),
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
        **child_rows.row_values(frames),
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
