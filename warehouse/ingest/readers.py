"""Reading the files people send (CSV or XLSX) into one text frame per file, and telling
which of the three sources each file is from its columns.

This is the first step of a load: it never decides whether a *value* is good (that is the
audit's job, with ``warehouse.core.values``); it only decides whether a *file* can be read at all,
and if so hands over every row exactly as received. ``read_file`` never raises for bad
content: a file that cannot be read comes back with a one-line ``rejected_reason`` that the
steward sees, and the other files of the same load still load.

Decisions, and why:

- **Format from the bytes.** An XLSX is a zip holding ``xl/workbook.xml``; anything else
  that decodes as text is a CSV, whatever the file is called (people rename files). PNGs,
  PDFs, old ``.xls`` and other binaries are rejected with what they look like.
- **Encodings, in this order:** a UTF-8 byte-order mark means ``utf-8-sig`` (Excel's "CSV
  UTF-8"); then strict UTF-8 (which plain ASCII also is); then Windows-1252 (Excel's plain
  "CSV" on a UK PC, where "£" is byte A3 and an en dash is 96). UTF-8 is tried before
  cp1252 because valid UTF-8 with non-ASCII text is almost never meant as cp1252, while
  the reverse is common. But a file that is UTF-8 apart from a few bytes (a value pasted
  from another program) is refused, naming the row and byte: reading it all as cp1252 would
  garble every other accent in it. Bytes with NULs are UTF-16 without a mark, a binary, or
  text with a stray NUL (named with its row); bytes undefined in cp1252, or more than 1%
  control characters, are "not text".
- **One header row**: the first row that is not blank (leading blank rows are skipped but
  counted). When it reads as no source's header, the next rows are searched for one, and
  the reason says where the header seems to be (below a title row); for a workbook, the
  other sheets too (only the first is read). Headers match the contract
  case-insensitively after trimming, through ``contracts.canonical_header``; two headers
  meaning the same column reject the file, identical ones too (``value,value``), naming
  both and their column letters: taking either would silently drop the other's figures.
- **Row numbers** are what a person sees in Excel: the header is row 1 when it is the first
  line, the first data row is 2. Blank rows (every cell empty or spaces) are skipped but keep
  their number, so later rows are not renumbered. In a CSV a quoted value spanning several
  lines is one row, as Excel shows it.
- **Header-only files are readable**, with 0 rows: the file was understood, it just holds
  no figures (the audit can then say so). A file with no header row at all (0 bytes, only
  blank lines, an empty first sheet) is rejected as empty.
- **Ragged CSV rows.** A row with fewer cells than the header has its missing cells empty
  (null). A row with a non-empty cell *beyond* the header's last column rejects the file,
  naming the row: the usual cause is an unquoted comma in a number (``£377,550`` written
  without quotes), which splits one value in two and shifts every value after it into the
  wrong column. Loading such a row would silently put wrong figures in the right-looking
  place. Empty trailing cells (``a,b,c,,``) carry nothing and are ignored.
- **Extra columns** (not in the source's contract) are kept per row in ``extra_columns``: a
  JSON object of that row's non-empty extra cells keyed by the header exactly as received,
  or null when the row has none. **Columns with no header** that hold data are kept there
  too, under ``"(no header, column N)"`` (N counting from 1 in the table); empty ones are
  dropped, as they carry nothing.
- **Source from the columns**: the source whose signature columns (``contracts``) are all
  present; more than one is ambiguous. If none is complete but exactly one source has some
  of its signature, the file is taken as that source so the steward hears which required
  column is missing ("missing required column(s): value") rather than "cannot tell".
- **XLSX cells** are read from the first sheet as text by calamine (via fastexcel, the
  engine behind ``polars.read_excel``; used directly so that formula errors are visible),
  in a child process with a memory cap (``_WorkbookReader``), after the sheet's XML has
  been checked: its extent, measured from the cells present (``MAX_COLUMNS``,
  ``MAX_GRID_CELLS``: one cell at XFD1048576 would make the engine abort the process), and
  formulas saved without results (a workbook written by a program that does not calculate;
  "open it in Excel and save").
  Excel stores every number as a float; calamine writes whole ones without a fraction
  ("12", not "12.0") and others with up to 9 decimal places, trailing zeros dropped, so a
  formula result like 0.30000000000000004 reads "0.3", as Excel shows it. The tests pin
  this, so an engine upgrade that changes it cannot go unnoticed. A formula error cell reads
  as its Excel text (``#DIV/0!``), not as blank, so the steward sees what was in the file.
  Dates read as ``YYYY-MM-DD HH:MM:SS`` and booleans as ``true``/``false``.
- **Values are not trimmed** here: raw keeps what was received; an empty cell is null.
- **Size**: files above ``MAX_FILE_BYTES`` (50 MiB; ``$STLS_MAX_FILE_MB`` overrides it)
  are refused before being read into memory (their checksum is still computed, streaming,
  so a repeat is recognised). A workbook whose parts unpack to more than
  ``MAX_UNZIPPED_FACTOR`` times that is refused too (a "zip bomb").
- **Rows**: a file with more than ``MAX_ROWS`` data rows (200,000; ``$STLS_MAX_ROWS``
  overrides it) is refused before it is parsed: a term is 26 rows a district, a census a
  few hundred, so a file this long is a wrong export, not a return. A CSV's rows are
  counted as its line breaks (already in memory, under the size limit); a workbook's by
  streaming its first sheet's XML and counting ``<row>`` elements, stopping past the limit,
  so the sheet is never loaded whole. The parsed grid is checked again, in case a writer
  spelled its rows in a way the count did not see.
- **Unreadable files** (permissions, vanished) become a rejected result with an empty
  ``checksum``: there are no bytes to fingerprint.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from warehouse.core.errors import first_line
from warehouse.ingest import child_level
from warehouse.ingest.decoding import _decode_text, _is_xlsx
from warehouse.ingest.frames import _data_elsewhere, _frame_from_grid, row_limit
from warehouse.ingest.grids import _csv_grid, _csv_header
from warehouse.ingest.parquet import PARQUET, is_parquet, parquet_grid, parquet_shape
from warehouse.ingest.reading import (
    _DOC_SUFFIXES,
    _JUNK_NAMES,
    CSV,
    XLSX,
    Limits,
    ReadError,
    ReadResult,
    _Grid,
    _NoHeader,
    _Progress,
    _Rejected,
    _too_big,
    _too_many_rows,
    limits,
)
from warehouse.ingest.workbook_process import _guarded, _xlsx_grid
from warehouse.ingest.workbooks import _check_csv_rows, _check_workbook

# --------------------------------------------------------------------------------------
# Finding files
# --------------------------------------------------------------------------------------


def discover_files(paths: Iterable[Path | str]) -> list[Path]:
    """The files to load: files given directly, plus every file under folders given.

    Files named directly are taken as they are, in the order given (the steward chose
    them, and the order of arrival decides which of two submissions is the later one).
    A folder contributes its files recursively, sorted by path so a load is repeatable,
    without hidden files or folders, Office lock files (``~$...``), README and markdown
    files, and Windows' ``Thumbs.db``/``desktop.ini``. A file reached twice is listed once.
    """
    found: list[Path] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            candidates = sorted(p for p in path.rglob("*") if _is_data_file(p, path))
        elif path.exists():
            candidates = [path]
        else:
            raise ReadError(f"{path}: no such file or folder")
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found


def _is_data_file(path: Path, folder: Path) -> bool:
    if not path.is_file():
        return False
    parts = path.relative_to(folder).parts
    if any(part.startswith(".") for part in parts):
        return False
    name = path.name.lower()
    if name.startswith("~$") or name in _JUNK_NAMES:
        return False
    return not (path.stem.lower() == "readme" or path.suffix.lower() in _DOC_SUFFIXES)


# --------------------------------------------------------------------------------------
# Reading one file
# --------------------------------------------------------------------------------------


def read_file(path: Path | str) -> ReadResult:
    """Read one file; never raises for bad content (see the module docstring)."""
    path = Path(path)
    limit = limits()
    try:
        size = path.stat().st_size
        if size > limit.file_bytes:
            reason = _too_big(size, limit.file_bytes)
            return _result(path, _sha256_of_file(path), size, _Progress(), reason)
        data = path.read_bytes()
    except OSError as exc:
        return _result(path, "", 0, _Progress(), f"cannot read the file: {exc.strerror or exc}")
    progress = _Progress()
    checksum = hashlib.sha256(data).hexdigest()
    try:
        frame = _read_frame(data, progress, limit)
    except _Rejected as rejected:
        return _result(path, checksum, len(data), progress, rejected.reason)
    except Exception as exc:  # a bug here must not stop the other files of the load
        reason = f"cannot read the file (unexpected {type(exc).__name__}: {first_line(exc)})"
        return _result(path, checksum, len(data), progress, reason)
    return _result(path, checksum, len(data), progress, None, frame)


def _result(
    path: Path,
    checksum: str,
    size: int,
    progress: _Progress,
    reason: str | None,
    frame: pl.DataFrame | None = None,
) -> ReadResult:
    return ReadResult(
        path=path,
        file_name=path.name,
        checksum=checksum,
        file_bytes=size,
        file_format=progress.file_format,
        encoding=progress.encoding,
        source=progress.source,
        header_map=dict(progress.header_map),
        frame=frame,
        rejected_reason=child_level.redact(reason),
    )


def _sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_frame(data: bytes, progress: _Progress, limit: Limits) -> pl.DataFrame:
    """Bytes -> the raw frame for this file's source, or ``_Rejected``."""
    if not data:
        raise _Rejected("the file is empty")
    if is_parquet(data):
        progress.file_format = PARQUET
        headers, rows = parquet_shape(data, limit)
        allowed = row_limit(headers, limit.rows)
        if rows > allowed:
            raise _too_many_rows(f"the file has {rows:,} rows", allowed)
        return _guarded_frame(parquet_grid(data), progress)
    if _is_xlsx(data, limit):
        progress.file_format = XLSX
        sheets = _check_workbook(data, limit)
        try:
            grid = _guarded(_xlsx_grid, data, what="the workbook")
            _check_grid_rows(grid, limit)
            return _guarded_frame(grid, progress)
        except _NoHeader as no_header:
            raise _data_elsewhere(data, sheets, limit) or no_header from None
    allowed = row_limit(_csv_header(data), limit.rows)
    if allowed != limit.rows:  # a source with a limit of its own (DfE's national data)
        _check_csv_rows(data, allowed)
        limit = dataclasses.replace(limit, rows=allowed)
    else:  # the child-level sources' limit is a setting (child_level)
        limit = child_level.check_csv_rows(_check_csv_rows, data, limit)
    text, encoding = _decode_text(data)
    progress.file_format, progress.encoding = CSV, encoding
    grid = _guarded(_csv_grid, text, what="the CSV")
    _check_grid_rows(grid, limit)
    return _guarded_frame(grid, progress)


def _guarded_frame(grid: _Grid, progress: _Progress) -> pl.DataFrame:
    """The grid's frame, after the privacy guard (``child_level``): a file holding a
    UPN-shaped value, or a child-level file with a personal column, is refused whole."""
    child_level.refuse_upn_shaped(grid, progress)
    frame = _frame_from_grid(grid, progress)
    child_level.refuse_personal_columns(progress)
    return frame


def _check_grid_rows(grid: _Grid, limit: Limits, allowed: int | None = None) -> None:
    rows = limit.rows if allowed is None else allowed
    if grid.cells.height - 1 > rows:  # the header is one of them
        raise _too_many_rows(f"the file has {grid.cells.height - 1:,} rows", rows)


# --------------------------------------------------------------------------------------
