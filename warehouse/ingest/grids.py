"""A CSV's cells as text (null when empty), and each row's number as a person sees it."""

from __future__ import annotations

import csv
import io
import re

import polars as pl

from warehouse.ingest.reading import ROW_NUMBER, _cell_names, _Grid, _Rejected


def _csv_grid(text: str) -> _Grid:
    """Parse CSV text with polars: everything a String, nothing inferred, quotes honoured."""
    if "\n" not in text and "\r" in text:
        text = text.replace("\r", "\n")  # classic Mac line endings ("CSV (Macintosh)")
    lines_skipped, text = _strip_leading_blank_lines(text)
    if not text.strip():
        raise _Rejected("the file is empty")
    payload = text.encode("utf-8")
    header_width = _parse_csv(payload, header_only=True).width
    try:
        cells = _parse_csv(payload)
    except pl.exceptions.PolarsError as exc:
        if "more fields" not in str(exc):
            raise _unparsable(text) from exc
        cells = _parse_csv(payload, width=_max_fields(text))
    cells = cells.rename(dict(zip(cells.columns, _cell_names(cells.width), strict=True)))
    numbers = pl.int_range(1, pl.len() + 1, dtype=pl.Int32) + lines_skipped
    return _Grid(cells.with_columns(numbers.alias(ROW_NUMBER)), header_width)


def _unparsable(text: str) -> Exception:
    """The likeliest reason polars could not tokenise a CSV, in the steward's terms."""
    if text.count('"') % 2:
        return _Rejected(
            'cannot read the CSV: a quote (") opens a value that never closes; '
            "look for a stray quote character"
        )
    return _Rejected("cannot read the CSV: its quoting or line structure is broken")


def _parse_csv(
    payload: bytes, *, header_only: bool = False, width: int | None = None
) -> pl.DataFrame:
    """One polars CSV read, all String. ``width`` widens it to see every cell of ragged rows;
    ``header_only`` reads the first row alone (its width is the header's)."""
    options: dict[str, object] = {}
    if width is not None:
        options = {
            "schema": {f"column_{i}": pl.String for i in range(1, width + 1)},
            "missing_columns": "insert",
        }
    if header_only:
        # polars parses ahead in chunks, so later ragged rows must not stop this read.
        options = {"n_rows": 1, "truncate_ragged_lines": True}
    return pl.read_csv(
        payload,
        has_header=False,
        infer_schema=False,
        quote_char='"',
        null_values=None,
        raise_if_empty=False,
        **options,
    )


def _strip_leading_blank_lines(text: str) -> tuple[int, str]:
    """Drop blank lines (only spaces, commas or "") before the header, counting them.

    Done before polars sees the text because polars takes a file's width from its first
    line; the count keeps row numbers true to the file.
    """
    skipped = 0
    position = 0
    while position < len(text):
        end = text.find("\n", position)
        line = text[position:] if end == -1 else text[position:end]
        if line.replace('""', "").strip(" \t\r,"):
            break
        skipped += 1
        position = len(text) if end == -1 else end + 1
    return skipped, text[position:]


def _max_fields(text: str) -> int:
    """The most cells on any CSV row, to re-read a ragged file wide enough to see them."""
    previous = csv.field_size_limit(len(text) + 1)  # one cell may be the whole file
    try:
        rows = csv.reader(io.StringIO(text, newline=""))
        return max((len(row) for row in rows), default=0)
    finally:
        csv.field_size_limit(previous)  # the limit is process-wide: leave it as found


def _csv_header(data: bytes) -> list[str]:
    """The first line that is not blank, as header cells, read from the bytes before the
    file is decoded (for the row limit of the source it names); [] when it cannot be."""
    lines = re.split(rb"\r\n|\r|\n", data.lstrip(b"\xef\xbb\xbf"), maxsplit=_HEADER_LINES)
    for line in lines[:_HEADER_LINES]:
        text = line.decode("utf-8", errors="replace")
        if text.replace('""', "").strip(" \t,"):
            try:
                return next(csv.reader([text]), [])
            except csv.Error:
                return []
    return []


# How many lines are looked at for the header before a file is decoded.
_HEADER_LINES = 30
