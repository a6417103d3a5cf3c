"""The check frames' kinds: each frame's columns and types, its source and its level, so a
suite file can be validated against the frame it runs on."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import polars as pl

from warehouse.core import contracts
from warehouse.core.contracts import CENSUS, FUNDING, TERMLY_RETURN

if TYPE_CHECKING:  # GX takes about 2 seconds to import: only the audit should pay for it.
    pass

from warehouse.quality.child_kinds import CASELOAD_EPISODE_COLUMNS, PUPIL_CENSUS_COLUMNS
from warehouse.quality.national_kinds import (
    NATIONAL_DATA_COLUMNS,
    NATIONAL_DICTIONARY_COLUMNS,
    NATIONAL_NEIGHBOURS_COLUMNS,
)
from warehouse.quality.results import CHECK_ROW

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
        FrameKind(
            "national_data_rows",
            contracts.NATIONAL_DATA,
            "row",
            1,
            {**IDENTITY, **NATIONAL_DATA_COLUMNS},
        ),
        FrameKind(
            "national_dictionary_rows",
            contracts.NATIONAL_DICTIONARY,
            "row",
            1,
            {**IDENTITY, **NATIONAL_DICTIONARY_COLUMNS},
        ),
        FrameKind(
            "national_neighbours_rows",
            contracts.NATIONAL_NEIGHBOURS,
            "row",
            1,
            {**IDENTITY, **NATIONAL_NEIGHBOURS_COLUMNS},
        ),
        FrameKind(
            "caseload_episode_rows",
            contracts.CASELOAD_EPISODE,
            "row",
            1,
            {**IDENTITY, **_KEY_PARTS, **CASELOAD_EPISODE_COLUMNS},
        ),
        FrameKind(
            "pupil_census_rows",
            contracts.PUPIL_CENSUS,
            "row",
            1,
            {**IDENTITY, **_KEY_PARTS, **PUPIL_CENSUS_COLUMNS},
        ),
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
