"""From a grid to the source's raw frame: the header row, the contract's columns, extra
columns kept as JSON, ragged rows, duplicated headers, and which source the file is."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import polars as pl

from warehouse.core import contracts
from warehouse.ingest.reading import (
    _SOURCE_LABELS,
    EXTRA_COLUMNS,
    ROW_NUMBER,
    Limits,
    _Grid,
    _NoHeader,
    _Progress,
    _Rejected,
    column_letter,
)
from warehouse.ingest.workbook_process import read_sheet_isolated
from warehouse.ingest.workbooks import _check_extent, _scan_sheet

# --------------------------------------------------------------------------------------
# From a grid to the source's raw frame
# --------------------------------------------------------------------------------------


def _blank_row(columns: list[str]) -> pl.Expr:
    """True where every cell of a row is empty or only spaces."""
    if not columns:
        return pl.lit(True)
    return pl.all_horizontal(
        pl.col(c).is_null() | (pl.col(c).str.strip_chars(" \t\r\n") == "") for c in columns
    )


def _frame_from_grid(grid: _Grid, progress: _Progress) -> pl.DataFrame:
    cell_columns = [c for c in grid.cells.columns if c != ROW_NUMBER]
    # An empty cell is null however it was written ("" in a CSV, an empty string in XLSX).
    cells = grid.cells.with_columns(
        pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in cell_columns
    )
    rows = cells.filter(~_blank_row(cell_columns))
    if rows.height == 0:
        raise _NoHeader("the file is empty (every row is blank)")
    width = grid.header_width if grid.header_width is not None else len(cell_columns)
    try:
        return _frame_below_header(rows, width, cell_columns, progress)
    except _NoHeader:
        above = _rows_above_allowed_header(rows, cell_columns)
        if above is None:
            _reject_header_below(rows, cell_columns)
            raise
    frame = _frame_below_header(rows.slice(above), width, cell_columns, progress)
    return pl.concat([_rows_above(rows.head(above), cell_columns, frame), frame])


def _frame_below_header(
    rows: pl.DataFrame, width: int, cell_columns: list[str], progress: _Progress
) -> pl.DataFrame:
    """The source's raw frame from ``rows``, whose first is the header (``_NoHeader`` when
    it reads as no source's header)."""
    header = [rows[c][0] for c in cell_columns]
    data = rows.slice(1)
    named = _name_columns(header[:width], data, cell_columns[:width])
    columns = {c.received: c.grid for c in named}
    source, mapping = _detect_source(named)
    contract_columns = contracts.CONTRACTS[source].columns
    progress.source = source
    # Contract columns under their contract name; any other column under its own header.
    progress.header_map = {
        received: mapping[received] if mapping[received] in contract_columns else received
        for received in columns
    }
    _require_columns(source, mapping)
    _reject_ragged(data, cell_columns[width:], width)
    return _build_frame(data, source, columns, mapping)


# How many rows (after the first) are searched for a header that is not on the first row.
_HEADER_SEARCH_ROWS = 30


def _header_in(rows: pl.DataFrame, cell_columns: list[str]) -> tuple[int, list[str]] | None:
    """The first of the first rows that reads as a header (a source's signature columns):
    its row number and its cells."""
    for row in rows.head(_HEADER_SEARCH_ROWS).iter_rows(named=True):
        cells = [row[c].strip() for c in cell_columns if _is_filled(row[c])]
        for source in contracts.READ_SOURCES:
            present = {contracts.canonical_header(c, source) for c in cells}
            if all(column in present for column in contracts.CONTRACTS[source].signature):
                return row[ROW_NUMBER], cells
    return None


def _rows_above_allowed_header(rows: pl.DataFrame, cell_columns: list[str]) -> int | None:
    """How many rows stand above the header, for a source whose files have rows there
    (``SourceContract.rows_above_header``: DfE's statistical-neighbours workbook has its
    header on the third row); None when no such source's header is found."""
    for index, row in enumerate(rows.head(_HEADER_SEARCH_ROWS).iter_rows(named=True)):
        if index == 0:
            continue
        cells = [row[c].strip() for c in cell_columns if _is_filled(row[c])]
        for source in contracts.READ_SOURCES:
            contract = contracts.CONTRACTS[source]
            present = {contracts.canonical_header(c, source) for c in cells}
            if index <= contract.rows_above_header and all(
                column in present for column in contract.signature
            ):
                return index
    return None


def _rows_above(above: pl.DataFrame, cell_columns: list[str], frame: pl.DataFrame) -> pl.DataFrame:
    """The rows above an allowed header, kept like any row read (nothing received is lost):
    no contract column, their cells in ``extra_columns`` under "(above the header, column
    A)"."""
    extras = {
        f"(above the header, column {column_letter(i)})": c for i, c in enumerate(cell_columns, 1)
    }
    kept = above.select(
        pl.col(ROW_NUMBER).cast(pl.Int32),
        *[pl.lit(None, dtype=pl.String).alias(c) for c in frame.columns[1:-1]],
        _extras_json(extras).alias(EXTRA_COLUMNS),
    )
    return kept.select(frame.columns)


def _reject_header_below(rows: pl.DataFrame, cell_columns: list[str]) -> None:
    """When the first row is no header, say where the header seems to be (below a title,
    say), rather than "cannot tell which source"."""
    found = _header_in(rows.slice(1), cell_columns)
    if found is None:
        return
    number, header = found
    first = [rows[c][0].strip() for c in cell_columns if _is_filled(rows[c][0])]
    where = rows[ROW_NUMBER][0]
    above = f"a title on row {where} ({first[0]!r})" if len(first) == 1 else f"row {where}"
    raise _Rejected(
        f"the header seems to be on row {number} ({', '.join(header)}), below {above}: "
        "delete the rows above the header (a file has one header row, on top) and send it "
        "again"
    )


# At most this many other sheets are looked at for data that is not on the first sheet.
_SHEETS_SEARCHED = 10


def _data_elsewhere(data: bytes, sheets: list[tuple[str, str]], limit: Limits) -> _Rejected | None:
    """When a workbook's first sheet holds no header, the sheet that seems to hold the data
    (its first rows read as a header), checked like the first before it is parsed."""
    first = sheets[0][0] if sheets else "1"
    for name, part in sheets[1 : _SHEETS_SEARCHED + 1]:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(part) as stream:
                scan = _scan_sheet(stream, stop_after_rows=limit.rows + 1)
            if scan.row_elements > limit.rows + 1:
                continue
            _check_extent(scan, name, limit)
            grid = read_sheet_isolated(data, name, _HEADER_SEARCH_ROWS + 1)
        except (_Rejected, zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError):
            continue
        cell_columns = [c for c in grid.cells.columns if c != ROW_NUMBER]
        cells = grid.cells.with_columns(
            pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in cell_columns
        )
        found = _header_in(cells.filter(~_blank_row(cell_columns)), cell_columns)
        if found:
            number, header = found
            return _Rejected(
                f"the first sheet, {first!r}, holds no return, but sheet {name!r} seems to "
                f"(header on row {number}: {', '.join(header)}): only the first sheet is "
                "read, so move that sheet to the front (or delete the others) and send the "
                "file again"
            )
    return None


def _reject_ragged(data: pl.DataFrame, beyond: list[str], width: int) -> None:
    """A CSV row with a value past the header's last column rejects the file (see doc)."""
    if not beyond:
        return
    ragged = data.filter(~_blank_row(beyond))
    if ragged.height == 0:
        return
    first = ragged.row(0, named=True)
    cells = width + max(i + 1 for i, c in enumerate(beyond) if _is_filled(first[c]))
    raise _Rejected(
        f"row {first[ROW_NUMBER]} has {cells} cells but the header has {width}: a value with "
        'an unquoted comma (such as £377,550 without quotes, write "£377,550") splits in '
        "two and shifts the columns after it"
    )


def _is_filled(value: str | None) -> bool:
    return value is not None and value.strip(" \t\r\n") != ""


@dataclass(frozen=True)
class _Column:
    """A column of the file: its header as received, its grid column, its position (1=A)."""

    received: str
    grid: str
    position: int

    @property
    def letter(self) -> str:
        return column_letter(self.position)


def _name_columns(
    header: list[str | None], data: pl.DataFrame, cell_columns: list[str]
) -> list[_Column]:
    """The file's columns. Blank headers over data get a made-up name; two headers that
    read as the same name (identical ones included) reject the file."""
    named: list[_Column] = []
    for position, (title, column) in enumerate(zip(header, cell_columns, strict=True), 1):
        if _is_filled(title):
            received = _numbered_repeat(title, named[-1].received if named else None)
        elif data.filter(~_blank_row([column])).height:
            received = f"(no header, column {position})"
        else:
            continue  # an empty column with no header carries nothing
        named.append(_Column(received, column, position))
    _reject_duplicates(named, contracts.normalise_header, "read as")
    return named


def _numbered_repeat(title: str, previous: str | None) -> str:
    """A header a source repeats after each of its numbered columns takes that column's
    number (``SourceContract.numbered_repeats``: DfE heads each neighbour's closeness "SNP"
    after "SN1", "SN2"...; they read as SNP1, SNP2...). Any other header is as received."""
    if previous is None:
        return title
    key, before = contracts.normalise_header(title), contracts.normalise_header(previous)
    for source in contracts.READ_SOURCES:
        for repeated, numbered in contracts.CONTRACTS[source].numbered_repeats:
            match = re.fullmatch(rf"{numbered}([0-9]+)", before)
            if key == repeated and match:
                return f"{title.strip()}{match.group(1)}"
    return title


def row_limit(headers: list[str], general: int) -> int:
    """The most data rows a file with this header may hold: its source's own limit when
    the header reads as a source that has one (DfE's national data), else ``general``."""
    for source in contracts.READ_SOURCES:
        contract = contracts.CONTRACTS[source]
        present = {contracts.canonical_header(h, source) for h in headers if h}
        if contract.max_rows and all(c in present for c in contract.signature):
            return max(general, contract.max_rows)
    return general


def _reject_duplicates(columns: list[_Column], key: Callable[[str], str], meaning: str) -> None:
    """Reject a file with two columns of one name, naming both headers and their columns:
    loading either would silently drop the other's figures."""
    groups: dict[str, list[_Column]] = {}
    for column in columns:
        name = key(column.received) or column.received.strip().lower()
        groups.setdefault(name, []).append(column)
    clashes = [(name, found) for name, found in groups.items() if len(found) > 1]
    if clashes:
        described = "; ".join(
            f"{' and '.join(repr(c.received) for c in found)} (columns "
            f"{_and(c.letter for c in found)}, {meaning} {name})"
            for name, found in clashes
        )
        raise _Rejected(
            f"duplicate column names: {described}; keep one column of each name "
            "(the warehouse cannot tell which holds the right figures)"
        )


def _and(items: Iterable[str]) -> str:
    listed = list(items)
    return ", ".join(listed[:-1]) + " and " + listed[-1] if len(listed) > 1 else "".join(listed)


def _detect_source(columns: list[_Column]) -> tuple[str, dict[str, str]]:
    """The source whose signature columns are all present; see ``_partial_source``."""
    headers = [c.received for c in columns]
    mappings = {
        source: {h: contracts.canonical_header(h, source) for h in headers}
        for source in contracts.READ_SOURCES
    }
    present = {source: set(mapping.values()) for source, mapping in mappings.items()}
    signature = {source: contracts.CONTRACTS[source].signature for source in contracts.READ_SOURCES}
    full = [s for s in contracts.READ_SOURCES if all(c in present[s] for c in signature[s])]
    if len(full) > 1:
        described = "; ".join(f"{s}: {', '.join(signature[s])}" for s in full)
        raise _Rejected(
            f"the columns fit more than one source ({described}); send one source per file"
        )
    if not full:
        full = _partial_source(present, signature, headers)
    source = full[0]
    mapping = mappings[source]
    _reject_duplicates(columns, lambda h: contracts.canonical_header(h, source), "both mean")
    return source, mapping


def _partial_source(
    present: dict[str, set[str]], signature: dict[str, tuple[str, ...]], headers: list[str]
) -> list[str]:
    """A file that has some of exactly one source's signature columns is that source.

    Then the steward hears "missing required column(s): value" for a termly return that
    lost its value column, which says what to fix, rather than "cannot tell which source".
    """
    partial = [s for s in contracts.READ_SOURCES if any(c in present[s] for c in signature[s])]
    if len(partial) == 1:
        return partial
    found = ", ".join(repr(h.strip()) for h in headers) or "none"
    needs = "; ".join(
        f"{_SOURCE_LABELS[s]} needs {' and '.join(signature[s])}" for s in contracts.READ_SOURCES
    )
    hint = ""
    if len(headers) == 1 and any(sep in headers[0] for sep in ";\t|"):
        hint = " (the header looks separated by something other than commas: save as CSV)"
    raise _NoHeader(
        f"cannot tell which source this is from its columns: found {found}; {needs}{hint}"
    )


def _require_columns(source: str, mapping: dict[str, str]) -> None:
    present = set(mapping.values())
    missing = [c for c in contracts.CONTRACTS[source].required if c not in present]
    if missing:
        found = ", ".join(h.strip() for h in mapping)
        raise _Rejected(
            f"missing required column(s): {', '.join(missing)} (columns found: {found})"
        )


def _build_frame(
    data: pl.DataFrame, source: str, columns: dict[str, str], mapping: dict[str, str]
) -> pl.DataFrame:
    """row_number, every contract column (absent optional ones null), extra_columns."""
    by_contract = {mapping[received]: grid for received, grid in columns.items()}
    contract_columns = contracts.CONTRACTS[source].columns
    extras = {r: g for r, g in columns.items() if mapping[r] not in contract_columns}
    selected = [pl.col(ROW_NUMBER).cast(pl.Int32)]
    for name in contract_columns:
        grid_column = by_contract.get(name)
        expr = pl.col(grid_column) if grid_column else pl.lit(None, dtype=pl.String)
        selected.append(expr.cast(pl.String).alias(name))
    selected.append(_extras_json(extras).alias(EXTRA_COLUMNS))
    return data.select(selected)


def _extras_json(extras: dict[str, str]) -> pl.Expr:
    """Each row's non-empty extra cells as a JSON object keyed by the received header; null
    when the row has none. Built in polars (a Python loop took seconds on a large file):
    each cell is encoded as a one-key object, its braces dropped, and the pieces joined."""
    if not extras:
        return pl.lit(None, dtype=pl.String)
    pieces = []
    for received, grid_column in extras.items():
        encoded = pl.struct(pl.col(grid_column).alias(received)).struct.json_encode()
        member = encoded.str.slice(1, encoded.str.len_chars() - 2)
        pieces.append(pl.when(pl.col(grid_column).is_not_null()).then(member))
    joined = pl.concat_str(pieces, separator=",", ignore_nulls=True)
    return (
        pl.when(joined != "")
        .then(pl.concat_str(pl.lit("{"), joined, pl.lit("}")))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
