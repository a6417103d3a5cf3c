"""The suite files (expectations/*.yml): loading them, checking every entry against the
frame it runs on, and filling a failing row's message."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import yaml

from warehouse.core import contracts
from warehouse.core.paths import EXPECTATIONS_DIR
from warehouse.quality import gx_import

if TYPE_CHECKING:  # GX takes about 2 seconds to import: only the audit should pay for it.
    pass

from warehouse.quality.kinds import FrameKind, frame_kinds
from warehouse.quality.results import (
    BLANK,
    ERROR,
    NONE,
    ROW,
    SCOPES,
    SEVERITIES,
    SUBMISSION,
    WARNING,
    SuiteFileError,
)

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
        "sen_statuses": list(contracts.sen_statuses()),
        "closure_reasons": list(contracts.closure_reasons()),
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
    gx_import.ready()
    from great_expectations.expectations.expectation import (
        ColumnMapExpectation,
        ColumnPairMapExpectation,
        MulticolumnMapExpectation,
    )

    return (ColumnMapExpectation, ColumnPairMapExpectation, MulticolumnMapExpectation)


def _expectation_class(name: Any, where: str) -> type:
    gx_import.ready()
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


_SAMPLE: dict[type, Any] = {
    pl.Int64: 1,
    pl.Float64: 1.5,
    pl.Boolean: True,
    pl.String: "x",
    pl.Date: date(2025, 6, 1),
}


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
