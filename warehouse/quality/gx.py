"""Running a suite through Great Expectations: one context per load, one validation per
suite, results turned into plain CheckResults."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:  # GX takes about 2 seconds to import: only the audit should pay for it.
    from great_expectations.core import ExpectationSuite, ExpectationSuiteValidationResult

from warehouse.core.errors import first_line
from warehouse.quality import gx_import
from warehouse.quality.results import (
    CHECK_ROW,
    DOCS_INDEX,
    ERROR,
    WARNING,
    CheckResult,
    ExpectationRunError,
    Failure,
)
from warehouse.quality.suites import ExpectationSpec, Suite, _expectation_class, render

_GX_SEVERITY = {ERROR: "critical", WARNING: "warning"}


def _context_config(docs_folder: Path | None = None):
    """An in-memory GX context: no analytics, no progress bars, optionally a docs site."""
    gx_import.ready()
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
    gx_import.ready()
    import great_expectations as gx

    return gx.get_context(mode="ephemeral", project_config=_context_config(docs_folder))


def gx_suite(suite: Suite) -> ExpectationSuite:
    """The GX suite for a suite file; each expectation carries its name in ``meta``."""
    gx_import.ready()
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
            return first_line(str(report.get("exception_message") or "")) or "an exception"
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
