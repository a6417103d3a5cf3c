"""Reading a Parquet file (DfE ships its national data as Parquet) into the same grid of
text cells as a CSV, so every later step (header, source, columns, raw) is the CSV's.

- **Format from the bytes**: Parquet starts and ends with ``PAR1``.
- **Limits before reading**: the row count and the unpacked size come from the file's
  footer (its metadata), so a long or a "bomb" file is refused before any page is read.
- **Cells as text**, the way the file would be exported to CSV and read back: strings as
  they are, whole floats without a fraction ("886", not "886.0": Parquet writers store
  codes as floats), other numbers in their shortest exact form, dates ISO, booleans
  ``true``/``false``, nulls empty. A column of lists or structs has no cells to read: the
  file is refused, naming it.
- **Row numbers** as if the file were a CSV with its header on row 1: the first data row is 2.
"""

from __future__ import annotations

import io

import polars as pl

from warehouse.core.errors import first_line
from warehouse.ingest.reading import (
    MAX_FILE_MB_ENV,
    MAX_UNZIPPED_FACTOR,
    ROW_NUMBER,
    Limits,
    _cell_names,
    _Grid,
    _Rejected,
    mib,
)

PARQUET = "parquet"
_MAGIC = b"PAR1"


def is_parquet(data: bytes) -> bool:
    return len(data) >= 12 and data.startswith(_MAGIC) and data.endswith(_MAGIC)


def _metadata(data: bytes):
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(io.BytesIO(data))
    except Exception as exc:  # pyarrow raises several kinds for a damaged footer
        raise _Rejected(f"not a readable Parquet file ({first_line(exc)})") from None


def parquet_shape(data: bytes, limit: Limits) -> tuple[list[str], int]:
    """The header (column names) and the number of data rows, from the footer alone;
    refuses a file that would unpack to more than the workbook limit."""
    parquet = _metadata(data)
    meta = parquet.metadata
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if unpacked > limit.unzipped_bytes:
        raise _Rejected(
            f"the Parquet file unpacks to {mib(unpacked)} MiB, above the "
            f"{mib(limit.unzipped_bytes)} MiB limit ({MAX_UNZIPPED_FACTOR} times "
            f"{MAX_FILE_MB_ENV})"
        )
    return list(parquet.schema_arrow.names), int(meta.num_rows)


def _as_text(series: pl.Series) -> pl.Series:
    dtype = series.dtype
    if dtype == pl.String:
        return series
    if dtype.is_nested() or dtype == pl.Object:
        raise _Rejected(
            f"column {series.name!r} holds {dtype} values, not cells: a Parquet file to load "
            "has one plain value per cell"
        )
    if dtype.is_float():
        whole = series.is_finite() & (series == series.floor()) & (series.abs() < 2.0**53)
        return (
            pl.select(
                pl.when(whole)
                .then(series.cast(pl.Int64, strict=False).cast(pl.String))
                .otherwise(series.cast(pl.String))
            )
            .to_series()
            .alias(series.name)
        )
    if dtype == pl.Boolean:
        return series.cast(pl.String).str.to_lowercase()
    if dtype == pl.Datetime:
        return series.dt.strftime("%Y-%m-%d %H:%M:%S")
    return series.cast(pl.String)


def parquet_grid(data: bytes) -> _Grid:
    """The file's cells as text, its header as the grid's first row (row 1)."""
    try:
        table = pl.read_parquet(io.BytesIO(data))
    except Exception as exc:
        raise _Rejected(f"not a readable Parquet file ({first_line(exc)})") from None
    if table.width == 0:
        raise _Rejected("the file is empty (the Parquet file has no columns)")
    names = _cell_names(table.width)
    cells = pl.DataFrame([_as_text(s).alias(n) for s, n in zip(table, names, strict=True)])
    header = pl.DataFrame(
        [pl.Series(n, [c], dtype=pl.String) for n, c in zip(names, table.columns, strict=True)]
    )
    grid = pl.concat([header, cells], how="vertical")
    numbers = pl.int_range(1, pl.len() + 1, dtype=pl.Int32)
    return _Grid(grid.with_columns(numbers.alias(ROW_NUMBER)), len(names))
