"""Great Expectations Data Docs for a load's checks: the steward's HTML report, received
values escaped before GX writes them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # GX takes about 2 seconds to import: only the audit should pay for it.
    from great_expectations.core import ExpectationSuiteValidationResult

from warehouse.quality import gx_import
from warehouse.quality.gx import _new_context
from warehouse.quality.results import CheckResult


def build_data_docs(results: Iterable[CheckResult], folder: Path, run_name: str = "load") -> Path:
    """GX Data Docs for a load's validations, written into ``folder``; the index page.

    A fresh in-memory context with a docs site in ``folder`` is given each suite run's GX
    result (kept on the CheckResults); GX renders the suites and validations from them.
    """
    gx_import.ready()
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
    gx_import.ready()
    import great_expectations as gx

    suite = gx.ExpectationSuite(name=name)
    for outcome in validation.results:
        suite.add_expectation_configuration(outcome.expectation_config)
    return suite
