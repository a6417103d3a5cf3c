"""The check frames of the child-level sources (caseload episodes, the pupil-level
census): their own columns, beside the identity and key columns every row frame has
(``warehouse.quality.kinds`` puts them together)."""

from __future__ import annotations

import polars as pl

STR, INT, BOOL = pl.String(), pl.Int64(), pl.Boolean()

# One row per raw caseload-episode row. Dates stay text here (GX judges them through the
# ``*_error`` columns); the audit's reading of each date goes to dq.caseload_episode_values.
CASELOAD_EPISODE_COLUMNS: dict[str, pl.DataType] = {
    "episode_id_raw": STR,
    "episode_id": STR,
    "child_key_problem": STR,
    "phase_raw": STR,
    "phase": STR,
    "open_date_raw": STR,
    "open_date_error": STR,
    "close_date_raw": STR,
    "close_date_error": STR,
    "is_open": BOOL,
    "closes_before_opening": BOOL,
    "closure_reason_raw": STR,
    "closure_reason": STR,
    "closure_reason_problem": STR,
    "date_after_load": STR,
    "duplicate_rows": STR,
}

# One row per raw pupil-level census row.
PUPIL_CENSUS_COLUMNS: dict[str, pl.DataType] = {
    "census_year_raw": STR,
    "census_year_error": STR,
    "child_key_problem": STR,
    "phase_raw": STR,
    "phase": STR,
    "sen_status_raw": STR,
    "sen_status": STR,
    "duplicate_rows": STR,
    "academic_year_out_of_range": STR,
}
