"""Reading a cell as a date: the one date parser (the child-level sources' open and close
dates), as polars expressions over a column of raw text.

The contract writes dates ISO: ``YYYY-MM-DD``. A workbook cell formatted as a date reads
as ``YYYY-MM-DD 00:00:00`` (``warehouse.ingest``), and is taken as that day; any other time
of day, any other spelling (``14/01/2023``, ``2023-1-14``) and any day that does not exist
(``2023-02-30``) is not a date. Cells are trimmed first (``values.TRIM``); a blank cell is
missing (an error unless the column may be blank, as a close date may while the episode
is open).
"""

from __future__ import annotations

import polars as pl

from warehouse.core.values import TRIM

_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?: 00:00:00)?$"
NOT_A_DATE = " is not a date written YYYY-MM-DD"


def _trimmed(column: str) -> pl.Expr:
    return pl.col(column).str.strip_chars(TRIM)


def date_expr(column: str) -> pl.Expr:
    """The cell as a date; null where it is blank or not a date."""
    text = _trimmed(column)
    return (
        pl.when(text.str.contains(_ISO_DATE))
        .then(text.str.slice(0, 10).str.strptime(pl.Date, "%Y-%m-%d", strict=False))
        .otherwise(None)
    )


def date_error_expr(column: str, name: str, *, optional: bool = False) -> pl.Expr:
    """Why the cell is not a date (null when it is one, or blank in an optional column)."""
    text = _trimmed(column)
    blank = text.is_null() | (text == "")
    quoted = pl.concat_str(pl.lit(f"{name} '"), text, pl.lit("'"))
    return (
        pl.when(blank)
        .then(pl.lit(None if optional else f"{name} is missing", dtype=pl.String))
        .when(date_expr(column).is_null())
        .then(pl.concat_str(quoted, pl.lit(NOT_A_DATE)))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
