"""The columns of the national sources' check frames (Source 4), beside the identity
columns every check frame has (``warehouse.quality.kinds.IDENTITY``, which adds them)."""

from __future__ import annotations

import polars as pl

from warehouse.core.contracts import NEIGHBOURS_PER_LA

STR, INT, FLOAT, BOOL, DATE = pl.String(), pl.Int64(), pl.Float64(), pl.Boolean(), pl.Date()

# One row per raw row of DfE's long data: the cells as received (``*_raw``) and as the
# audit reads them (warehouse.core.national), whether the indicator is in the dictionary in
# force, and the rows giving the same (indicator, year, area) again.
NATIONAL_DATA_COLUMNS: dict[str, pl.DataType] = {
    "indicator_code_raw": STR,
    "indicator_code": STR,
    "in_dictionary": BOOL,
    "dictionary_note": STR,
    "year_raw": STR,
    "year": STR,
    "year_sort": INT,
    "year_status": STR,
    "year_known": BOOL,
    "area_name_raw": STR,
    "area_name": STR,
    "la_number_raw": STR,
    "la_number": INT,
    "la_number_error": STR,
    "region_raw": STR,
    "value_raw": STR,
    "value": FLOAT,
    "value_symbol": STR,
    "value_error": STR,
    "conflicting_rows": STR,
    "repeated_rows": STR,
}

# One row per raw row of the indicator dictionary.
NATIONAL_DICTIONARY_COLUMNS: dict[str, pl.DataType] = {
    "indicator_code_raw": STR,
    "indicator_code": STR,
    "topic": STR,
    "label": STR,
    "chart_title": STR,
    "unit": STR,
    "description": STR,
    "data_owner": STR,
    "year_type": STR,
    "polarity_raw": STR,
    "polarity": STR,
    "dps_raw": STR,
    "decimal_places": INT,
    "dps_error": STR,
    "no_quartile_raw": STR,
    "no_quartile": BOOL,
    "last_update_raw": STR,
    "last_update": DATE,
    "last_update_note": STR,
    "next_update_raw": STR,
    "next_update": DATE,
    "next_update_note": STR,
}

NEIGHBOURS = range(1, NEIGHBOURS_PER_LA + 1)

# One row per raw row of the statistical-neighbours workbook (the rows above its header and
# its section labels are "layout rows": kept, not loaded).
NATIONAL_NEIGHBOURS_COLUMNS: dict[str, pl.DataType] = {
    "la_number_raw": STR,
    "la_number": INT,
    "la_number_problem": STR,
    "la_name": STR,
    "region": STR,
    "is_layout_row": BOOL,
    **{f"sn{k}": INT for k in NEIGHBOURS},
    **{f"snp{k}": STR for k in NEIGHBOURS},
    "neighbour_errors": STR,
    "neighbours_not_in_data": STR,
    "duplicate_rows": STR,
}
