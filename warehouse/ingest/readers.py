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

import atexit
import bisect
import codecs
import contextlib
import csv
import hashlib
import io
import os
import posixpath
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Any

import fastexcel
import polars as pl

from warehouse.core import contracts, paths

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
MAX_FILE_MB_ENV = "STLS_MAX_FILE_MB"
MAX_ROWS_ENV = "STLS_MAX_ROWS"
# A workbook is compressed; refuse one whose contents would unpack to more than this many
# times the file size limit.
MAX_UNZIPPED_FACTOR = 20
# More control characters than this share of the text means the bytes are not text.
MAX_CONTROL_CHAR_RATIO = 0.01

ROW_NUMBER = "row_number"
EXTRA_COLUMNS = "extra_columns"

CSV = "csv"
XLSX = "xlsx"

# Files in a folder that are never data: OS artefacts (hidden dot-files are skipped anyway).
_JUNK_NAMES = frozenset({"thumbs.db", "desktop.ini"})
_DOC_SUFFIXES = frozenset({".md", ".markdown"})

_SOURCE_LABELS = {
    contracts.TERMLY_RETURN: "a termly return",
    contracts.CENSUS: "a census",
    contracts.FUNDING: "a funding file",
}

# Calamine's names for Excel's error values, as Excel shows them in the cell.
_EXCEL_ERRORS = {
    "Div0": "#DIV/0!",
    "NA": "#N/A",
    "Name": "#NAME?",
    "Null": "#NULL!",
    "Num": "#NUM!",
    "Ref": "#REF!",
    "Value": "#VALUE!",
    "GettingData": "#GETTING_DATA",
}
_EXCEL_ERROR_DETAIL = re.compile(r"Error\((\w+)\)")

# Recognisable non-text files, for a clearer rejection than "not text".
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"%PDF", "a PDF document"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_CONTROL_BYTES = bytes(b for b in [*range(1, 32), 127] if b not in b"\t\n\r")


class ReadError(Exception):
    """A problem with what the steward asked to load (not with a file's content)."""


@dataclass(frozen=True)
class ReadResult:
    """One file as read: what it is, and either its rows as text or why it was rejected."""

    path: Path
    file_name: str
    checksum: str
    file_bytes: int
    file_format: str | None = None
    encoding: str | None = None
    source: str | None = None
    header_map: dict[str, str] = field(default_factory=dict)
    frame: pl.DataFrame | None = None
    rejected_reason: str | None = None

    @property
    def rows_read(self) -> int:
        return 0 if self.frame is None else self.frame.height

    @property
    def accepted(self) -> bool:
        return self.rejected_reason is None


class _Rejected(Exception):
    """Internal: stop reading this file, with the reason the steward will see."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __reduce__(self) -> tuple[type, tuple[str]]:  # crosses from the reader process
        return (type(self), (self.reason,))


Rejected = _Rejected


class _NoHeader(_Rejected):
    """Internal: the sheet's first row is not a header (or the sheet is empty); the data may
    be further down or on another sheet (``_header_below``, ``_data_elsewhere``)."""


@dataclass(frozen=True)
class Limits:
    """The limits in force for one read (see ``limits``)."""

    file_bytes: int
    rows: int

    @property
    def unzipped_bytes(self) -> int:
        return MAX_UNZIPPED_FACTOR * self.file_bytes


def limits() -> Limits:
    """``$STLS_MAX_FILE_MB`` and ``$STLS_MAX_ROWS``, else ``MAX_FILE_BYTES`` and ``MAX_ROWS``.

    Read at every call, so a council can raise them for one load without a code change.
    Raises ReadError (one line) for a value that is not a number above 0.
    """
    megabytes = _positive(MAX_FILE_MB_ENV, float, "the largest file size in MiB")
    rows = _positive(MAX_ROWS_ENV, int, "the most data rows a file may have")
    return Limits(
        file_bytes=MAX_FILE_BYTES if megabytes is None else round(megabytes * 1024 * 1024),
        rows=MAX_ROWS if rows is None else int(rows),
    )


def _positive(name: str, kind: type[int] | type[float], meaning: str) -> float | None:
    text = os.environ.get(name, "").strip().replace("_", "").replace(",", "")
    if not text:
        return None
    try:
        value = kind(text)
    except ValueError:
        value = 0
    if not value > 0 or value == float("inf"):
        raise ReadError(f"{name}={os.environ[name]!r}: give {meaning}, a number above 0")
    return value


@dataclass
class _Progress:
    """What is known about a file so far, so a rejection still records it."""

    file_format: str | None = None
    encoding: str | None = None
    source: str | None = None
    header_map: dict[str, str] = field(default_factory=dict)


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
        reason = f"cannot read the file (unexpected {type(exc).__name__}: {_first_line(exc)})"
        return _result(path, checksum, len(data), progress, reason)
    return _result(path, checksum, len(data), progress, None, frame)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


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
        rejected_reason=reason,
    )


def _too_big(size: int, limit: int) -> str:
    return (
        f"the file is {mib(size)} MiB, above the {mib(limit)} MiB limit for one file "
        f"({MAX_FILE_MB_ENV}); split it (for example one file per year)"
    )


def _too_many_rows(counted: str, limit: int) -> _Rejected:
    return _Rejected(
        f"{counted}, above the {limit:,}-row limit for one file ({MAX_ROWS_ENV}); check it "
        "is the right export, or split it (for example one file per year)"
    )


def mib(size: int) -> str:
    """A size in MiB as a person writes it: 1,124, 50, 1.5, 0.001 (a limit set that small
    in a test); never in exponent notation."""
    value = size / 1024 / 1024
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 0.001:
        return f"{value:.3g}"
    return f"{value:.6f}".rstrip("0").rstrip(".") or "0"


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
    if _is_xlsx(data, limit):
        progress.file_format = XLSX
        sheets = _check_workbook(data, limit)
        try:
            grid = _guarded(_xlsx_grid, data, what="the workbook")
            _check_grid_rows(grid, limit)
            return _frame_from_grid(grid, progress)
        except _NoHeader as no_header:
            raise _data_elsewhere(data, sheets, limit) or no_header from None
    _check_csv_rows(data, limit.rows)
    text, encoding = _decode_text(data)
    progress.file_format, progress.encoding = CSV, encoding
    grid = _guarded(_csv_grid, text, what="the CSV")
    _check_grid_rows(grid, limit)
    return _frame_from_grid(grid, progress)


def _check_grid_rows(grid: _Grid, limit: Limits) -> None:
    if grid.cells.height - 1 > limit.rows:  # the header is one of them
        raise _too_many_rows(f"the file has {grid.cells.height - 1:,} rows", limit.rows)


# --------------------------------------------------------------------------------------
# Row limits, checked before parsing
# --------------------------------------------------------------------------------------

# A worksheet row element, with or without a namespace prefix: <row r="2">, <x:row>.
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_SHEET_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet\b([^>]*)>")
_RELATIONSHIP_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Relationship\b([^>]*)>")
_ATTRIBUTE = re.compile(rb'([\w.:-]+)\s*=\s*"([^"]*)"')
_STREAM_CHUNK = 1024 * 1024
# The longest row tag the pattern can match is far shorter than this.
_TAG_OVERLAP = 128


def _check_csv_rows(data: bytes, max_rows: int) -> None:
    """Refuse a CSV with more lines after its header than the limit, before parsing it.

    Counting line breaks over-counts only blank lines and quoted values spanning lines,
    which are rare and make a file longer than its rows, never shorter.
    """
    breaks = data.count(b"\n") or data.count(b"\r")  # "\r" alone: classic Mac endings
    lines = breaks + (0 if data.endswith((b"\n", b"\r")) else 1)
    if lines - 1 > max_rows:
        raise _too_many_rows(f"the file has {lines - 1:,} lines after its header", max_rows)


# --------------------------------------------------------------------------------------
# Workbooks: their sheets' XML checked before any parser sees them
# --------------------------------------------------------------------------------------

# A workbook's cells are read into a grid as wide and as long as the farthest cell present:
# one cell at XFD1048576 (Excel's last) asks the engine for 17 billion cells, and it aborts
# the process. Before a sheet is handed to it, its XML is streamed (memory stays one chunk)
# and its extent measured from the rows and cells actually there; a sheet reaching beyond
# these is refused. A return is a handful of columns; the rows are bounded by the row limit.
MAX_COLUMNS = 1_000
MAX_GRID_CELLS = 10_000_000

_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_CELL_REF = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?(?<=\s)r="([A-Z]{1,4})([0-9]{1,9})"')
_ROW_NUMBER = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?row\s[^>]*?(?<=\s)r="([0-9]{1,9})"')
_ROW_OR_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)([\s/>][^>]*)?>")
_REF_ATTRIBUTE = re.compile(rb'(?<=\s)r="([A-Z]{1,4})?([0-9]{1,9})"')
_ROW_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?row\s*>")
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_CELL_CLOSE = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?c\s*>")
_VALUE_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v\b[^>]*?(/?)>([^<]*)")
_TYPE_ATTRIBUTE = re.compile(rb'(?<=\s)t="([^"]*)"')


@dataclass
class _SheetScan:
    """What a sheet's XML holds, measured without parsing it into cells."""

    row_elements: int = 0
    max_row: int = 0  # the farthest row, 1-based (a row or cell may name it, or count it)
    max_column: int = 0  # the farthest column, 1-based
    formula_without_value: str | None = None  # the first formula cell with no stored result
    _column: int = 0  # the position of the last cell seen, for cells that name none

    @property
    def rows(self) -> int:
        return max(self.max_row, self.row_elements)

    @property
    def far_cell(self) -> str:
        return f"{column_letter(max(self.max_column, 1))}{max(self.rows, 1)}"


def _check_workbook(data: bytes, limit: Limits) -> list[tuple[str, str]]:
    """Refuse a workbook whose first sheet is too long, reaches too far, or holds formulas
    without stored results, before any parser sees it. Returns the sheets (name, zip part),
    first first, for ``_data_elsewhere``.

    A part that cannot be found or unpacked is left to the engine, which says what is wrong
    in its own words; the grid is counted again once read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sheets = _sheet_parts(archive)
            if not sheets:
                return sheets
            name, part = sheets[0]
            with archive.open(part) as stream:
                scan = _scan_sheet(stream, stop_after_rows=limit.rows + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError, ValueError):
        return []
    if scan.row_elements > limit.rows + 1:  # the header row is one of them
        raise _too_many_rows(f"its first sheet has more than {limit.rows + 1:,} rows", limit.rows)
    _check_extent(scan, name, limit)
    if scan.formula_without_value:
        raise _Rejected(
            "the workbook was saved without calculated values (cell "
            f"{scan.formula_without_value} of sheet {name!r} holds a formula with no stored "
            "result, so its figure cannot be read): open it in Excel and save it, then send "
            "it again"
        )
    return sheets


def _check_extent(scan: _SheetScan, name: str, limit: Limits) -> None:
    rows, columns = scan.rows, scan.max_column
    if rows - 1 <= limit.rows and columns <= MAX_COLUMNS and rows * columns <= MAX_GRID_CELLS:
        return
    raise _Rejected(
        f"sheet {name!r} has cells as far as {scan.far_cell} ({columns:,} columns by "
        f"{rows:,} rows), far beyond a return's table (at most {MAX_COLUMNS:,} columns and "
        f"{limit.rows + 1:,} rows are read): delete the stray cells beyond the table, or "
        "copy the table into a new workbook, and send it again"
    )


def _scan_sheet(stream: IO[bytes], *, stop_after_rows: int) -> _SheetScan:
    """Measure a worksheet's XML in chunks, stopping once past ``stop_after_rows`` row
    elements. Each chunk is cut after its last whole row (or, within one long row, before
    its last tag), and the rest carried to the next."""
    scan = _SheetScan()
    carry = b""
    while scan.row_elements <= stop_after_rows:
        chunk = stream.read(_STREAM_CHUNK)
        buffer = carry + chunk
        if not chunk:
            _scan_piece(buffer, scan)
            break
        cut = _safe_cut(buffer)
        _scan_piece(buffer[:cut], scan)
        carry = buffer[cut:]
    return scan


def _safe_cut(buffer: bytes) -> int:
    end = buffer.rfind(b"row>")
    start = buffer.rfind(b"</", 0, end) if end != -1 else -1
    if start != -1 and _ROW_END.fullmatch(buffer, start, end + 4):
        return end + 4
    cut = buffer.rfind(b"<", max(0, len(buffer) - _TAG_OVERLAP))
    return len(buffer) if cut == -1 else cut


def _scan_piece(piece: bytes, scan: _SheetScan) -> None:
    scan.row_elements += len(_ROW_TAG.findall(piece))
    numbers = _ROW_NUMBER.findall(piece)
    if numbers:
        scan.max_row = max(scan.max_row, max(map(int, numbers)))
    refs = _CELL_REF.findall(piece)
    if refs:
        letters = max((c for c, _ in refs), key=lambda c: (len(c), c))
        scan.max_column = max(scan.max_column, _column_number(letters))
        scan.max_row = max(scan.max_row, max(int(r) for _, r in refs))
    if len(_CELL_TAG.findall(piece)) > len(refs):
        _scan_positions(piece, scan)  # cells that do not name their place: count them
    if scan.formula_without_value is None and _FORMULA_TAG.search(piece):
        scan.formula_without_value = _formula_without_value(piece, scan)


def _scan_positions(piece: bytes, scan: _SheetScan) -> None:
    """Place cells without an ``r`` as the engine does: after the cell before them."""
    row = scan.row_elements - len(_ROW_TAG.findall(piece))
    for match in _ROW_OR_CELL.finditer(piece):
        ref = _REF_ATTRIBUTE.search(match.group(2) or b"")
        if match.group(1) == b"row":
            row = int(ref.group(2)) if ref else row + 1
            scan._column = 0
        else:
            scan._column = (
                _column_number(ref.group(1)) if ref and ref.group(1) else scan._column + 1
            )
            scan.max_column = max(scan.max_column, scan._column)
        scan.max_row = max(scan.max_row, row)


def _formula_without_value(piece: bytes, scan: _SheetScan) -> str | None:
    """The first cell holding a formula (``<f>``) but no stored result (no ``<v>``, or an
    empty one, as openpyxl and some exports write it); a formula whose result is text
    (``t="str"``) may store an empty one."""
    starts = [m.start() for m in _CELL_TAG.finditer(piece)]
    for formula in _FORMULA_TAG.finditer(piece):
        index = bisect.bisect_right(starts, formula.start()) - 1
        if index < 0:
            continue
        start = starts[index]
        close = _CELL_CLOSE.search(piece, formula.end())
        cell = piece[start : close.start() if close else len(piece)]
        tag_end = cell.find(b">")
        kind = _TYPE_ATTRIBUTE.search(cell, 0, tag_end)
        if kind and kind.group(1) == b"str":
            continue
        value = _VALUE_TAG.search(cell)
        if value is None or value.group(1) == b"/" or not value.group(2).strip():
            ref = _REF_ATTRIBUTE.search(cell, 0, tag_end)
            if ref and ref.group(1):
                return (ref.group(1) + ref.group(2)).decode("ascii")
            return f"in row {scan.rows}"
    return None


def _column_number(letters: bytes | str) -> int:
    """Excel's column letters as a 1-based number: A -> 1, XFD -> 16384."""
    number = 0
    for char in letters.decode("ascii") if isinstance(letters, bytes) else letters:
        number = number * 26 + (ord(char.upper()) - ord("A") + 1)
    return number


def _count_rows(stream: IO[bytes], *, stop_after: int) -> int:
    """Row elements in a worksheet's XML (see ``_scan_sheet``)."""
    return _scan_sheet(stream, stop_after_rows=stop_after).row_elements


def _sheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """The workbook's sheets in order, each (name, zip member of its XML), through the
    relationship ids of xl/workbook.xml; the first is the one that is read. Without the
    relationships, xl/worksheets/sheet1.xml stands for the first sheet."""
    names = set(archive.namelist())
    fallback = (
        [("sheet1", "xl/worksheets/sheet1.xml")] if "xl/worksheets/sheet1.xml" in names else []
    )
    if "xl/_rels/workbook.xml.rels" not in names:
        return fallback
    targets: dict[bytes, str] = {}
    for tag in _RELATIONSHIP_TAG.finditer(archive.read("xl/_rels/workbook.xml.rels")):
        attributes = dict(_ATTRIBUTE.findall(tag.group(1)))
        target = attributes.get(b"Target", b"").decode("utf-8", "replace")
        part = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[attributes.get(b"Id", b"")] = posixpath.normpath(part)
    sheets = []
    for tag in _SHEET_TAG.finditer(archive.read("xl/workbook.xml")):
        attributes = _ATTRIBUTE.findall(tag.group(1))
        name = next((v for k, v in attributes if k == b"name"), b"").decode("utf-8", "replace")
        relationship_id = next((v for k, v in attributes if k.endswith(b":id")), None)
        part = targets.get(relationship_id) if relationship_id is not None else None
        if part in names:
            sheets.append((_xml_unescape(name), part))
    return sheets or fallback


def _xml_unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


# --------------------------------------------------------------------------------------
# Workbooks are parsed in a child process
# --------------------------------------------------------------------------------------

# The extent check above is the first line of defence; the second is that the engine (Rust
# code reading untrusted zip and XML) runs in a child process with a memory cap, so a
# workbook that makes it abort, or run out of memory, costs that file and not the load.
# One child serves every workbook of a process (starting it costs a fraction of a second)
# and is started again after it dies.
READ_SECONDS = 300
_READER_MEMORY_FLOOR = 2 * 1024 * 1024 * 1024


def _reader_memory(limit: Limits) -> int:
    """The child's address-space cap: room for the engine on the largest allowed workbook."""
    return _READER_MEMORY_FLOOR + 4 * limit.unzipped_bytes


class _WorkbookReader:
    """The child process that parses workbooks, and the pipes to it.

    A plain ``python -c`` process, not ``multiprocessing``: its spawn start method runs the
    parent's main script again in the child (under Streamlit or AppTest, a page), which is
    neither wanted nor safe. Messages are pickled over two pipes
    (``multiprocessing.connection.Connection``); the child's stderr (a Rust backtrace when
    the engine aborts) goes to a temporary file, whose first line the reason quotes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._to_child: Connection | None = None
        self._from_child: Connection | None = None
        self._stderr: IO[bytes] | None = None
        self._memory: int | None = None

    def grid(self, data: bytes, sheet: int | str, rows: int | None, memory: int) -> _Grid:
        with self._lock:
            if self._memory != memory or self._process is None or self._process.poll() is not None:
                self._start(memory)
            assert self._to_child is not None and self._from_child is not None
            try:
                self._to_child.send((data, sheet, rows))
                if not self._from_child.poll(READ_SECONDS):
                    self._stop()
                    raise _Rejected(
                        f"reading the workbook took longer than {READ_SECONDS} s, so it was "
                        "stopped: save it again in Excel (or as CSV) and send it again"
                    )
                kind, payload = self._from_child.recv()
            except (EOFError, OSError):
                ended = self._stop()
                raise _Rejected(
                    f"the workbook stopped the workbook reader ({ended}; a workbook that "
                    f"needs more than {memory / 1024**3:.0f} GiB of memory does): open it in "
                    "Excel, check for cells far from the table, save it and send it again"
                ) from None
        if kind == "grid":
            return payload
        if kind == "rejected":
            raise payload
        raise _Rejected(f"cannot read the workbook: {payload}")

    def _start(self, memory: int) -> None:
        self._stop()
        to_child_read, to_child_write = os.pipe()
        from_child_read, from_child_write = os.pipe()
        stderr = tempfile.TemporaryFile()  # noqa: SIM115 (kept open while the child runs)
        code = (
            "from warehouse.ingest.readers import _reader_main; "
            f"_reader_main({to_child_read}, {from_child_write}, {memory})"
        )
        environment = dict(os.environ)
        environment["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(paths.PROJECT_ROOT), environment.get("PYTHONPATH")) if p
        )
        try:
            process = subprocess.Popen(
                [sys.executable, "-c", code],
                pass_fds=(to_child_read, from_child_write),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env=environment,
                cwd=paths.PROJECT_ROOT,
            )
        finally:
            os.close(to_child_read)
            os.close(from_child_write)
        self._process, self._memory, self._stderr = process, memory, stderr
        self._to_child = Connection(to_child_write, readable=False)
        self._from_child = Connection(from_child_read, writable=False)

    def _stop(self) -> str:
        """Stop the child (if any); how it ended, in words."""
        process, stderr = self._process, self._stderr
        for connection in (self._to_child, self._from_child):
            if connection is not None:
                connection.close()
        self._process = self._to_child = self._from_child = self._stderr = None
        self._memory = None
        if process is None:
            return "it was not running"
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        code = process.returncode
        ended = f"it ended with exit code {code}"
        if code is not None and code < 0:
            with contextlib.suppress(ValueError):
                ended = f"it ended with {signal.Signals(-code).name}"
        if stderr is not None:
            stderr.seek(0)
            said = stderr.read(4096).decode("utf-8", "replace")
            stderr.close()
            first = next((line.strip() for line in said.splitlines() if line.strip()), "")
            if first:
                ended += f": {first[:200]}"
        return ended


_READER = _WorkbookReader()
atexit.register(_READER._stop)


def _reader_main(receive_fd: int, send_fd: int, memory: int) -> None:
    """The child: cap its address space, then parse each workbook it is sent until the
    parent closes the pipe."""
    with contextlib.suppress(ValueError, OSError):
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    receive = Connection(receive_fd, writable=False)
    send = Connection(send_fd, readable=False)
    while True:
        try:
            data, sheet, rows = receive.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[str, Any] = ("grid", _parse_xlsx_grid(data, sheet, rows))
        except _Rejected as rejected:
            reply = ("rejected", rejected)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # pyo3 panics derive from BaseException
            reply = ("failed", _first_line(exc))
        send.send(reply)


def read_sheet_isolated(data: bytes, sheet: int | str, rows: int | None = None) -> _Grid:
    """One sheet (index or name) of a workbook parsed in the child process, with no check
    before it (the callers in this module check first). Raises ``Rejected`` with the
    steward's reason."""
    return _READER.grid(data, sheet, rows, _reader_memory(limits()))


def _guarded(reader: Callable[[Any], _Grid], payload: bytes | str, *, what: str) -> _Grid:
    """Run a third-party parser so that nothing it raises escapes ``read_file``.

    pyo3 panics from the Rust engines derive from BaseException, hence the wide net; an
    interrupt or exit still propagates.
    """
    try:
        return reader(payload)
    except _Rejected:
        raise
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:
        raise _Rejected(f"cannot read {what}: {_first_line(exc)}") from exc


# --------------------------------------------------------------------------------------
# Format detection and decoding
# --------------------------------------------------------------------------------------


def _is_xlsx(data: bytes, limit: Limits) -> bool:
    """True for an XLSX workbook; rejects other zips and known binaries with a reason."""
    if data.startswith(_OLE2_MAGIC):
        raise _Rejected(
            "not a CSV or XLSX file (an Excel 97-2003 .xls or a password-protected workbook): "
            "save it as .xlsx without a password, or as CSV"
        )
    if not data.startswith(_ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _Rejected(f"not a CSV or XLSX file (a damaged zip or workbook: {exc})") from exc
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        raise _Rejected(
            "not a CSV or XLSX file (a zip archive without xl/workbook.xml, so not an .xlsx "
            "workbook; .xlsb and .ods are not supported either)"
        )
    unzipped = sum(member.file_size for member in members)
    if unzipped > limit.unzipped_bytes:
        raise _Rejected(
            f"the workbook unpacks to {mib(unzipped)} MiB, above the "
            f"{mib(limit.unzipped_bytes)} MiB limit ({MAX_UNZIPPED_FACTOR} times "
            f"{MAX_FILE_MB_ENV})"
        )
    return True


def _not_text(data: bytes) -> _Rejected:
    for magic, label in _MAGIC:
        if data.startswith(magic):
            return _Rejected(
                f"not a CSV or XLSX file (the bytes are {label}, neither text nor a workbook)"
            )
    return _Rejected("not a CSV or XLSX file (the bytes are neither text nor a workbook)")


def _decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 with BOM, then UTF-8, then Windows-1252 (see module doc)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _Rejected(
            "not a CSV or XLSX file (UTF-16 text, as Excel's 'Unicode Text' writes it): "
            "save it as 'CSV UTF-8' instead"
        )
    if b"\x00" in data:
        raise _nul_bytes(data)
    if data.startswith(codecs.BOM_UTF8):
        try:
            text, encoding = data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _Rejected(
                "the file starts with a UTF-8 byte-order mark but is not valid UTF-8: "
                f"{_where_byte(data, exc.start)}; save the file again as 'CSV UTF-8'"
            ) from exc
    else:
        text, encoding = _decode_without_bom(data)
    if _control_ratio(data) > MAX_CONTROL_CHAR_RATIO:
        raise _not_text(data)
    return text, encoding


# Well-formed UTF-8 for a character beyond ASCII: a file holding these was written as UTF-8
# (in Windows-1252 text they would be two or three unlikely characters in a row, "Â£").
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _decode_without_bom(data: bytes) -> tuple[str, str]:
    """UTF-8; else Windows-1252, unless the file is UTF-8 with a few bytes that are not
    (a value pasted from another program): reading it all as Windows-1252 would garble
    every other accent and symbol in it ("café" as "cafÃ©"), so it is refused, naming the
    row and byte, and nothing is decoded twice."""
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if _UTF8_SEQUENCE.search(data):
            bad = data[exc.start]
            meaning = bytes([bad]).decode("cp1252", "replace")
            shown = f", {meaning!r} in Windows-1252" if meaning != "\ufffd" else ""
            raise _Rejected(
                f"the file is UTF-8 except at {_where_byte(data, exc.start)} (byte 0x{bad:02x}"
                f"{shown}): a character pasted from another program? Correct it, or save "
                "the file again as 'CSV UTF-8', and send it again"
            ) from exc
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise _not_text(data) from exc


def _where_byte(data: bytes, position: int) -> str:
    """'row 3, byte 1,234 of the file': the row as a text editor numbers its lines."""
    breaks = b"\n" if b"\n" in data else b"\r"
    return f"row {data.count(breaks, 0, position) + 1}, byte {position + 1:,} of the file"


def _nul_bytes(data: bytes) -> _Rejected:
    """Why bytes holding NULs are not a CSV: a known binary, UTF-16 text without its mark,
    or text with a stray NUL (where it is)."""
    if any(data.startswith(magic) for magic, _label in _MAGIC):
        return _not_text(data)
    sample = data[:4096]
    nuls = sample.count(b"\x00")
    if nuls >= len(sample) // 4 and (
        sample[1::2].count(0) >= len(sample) // 3 or sample[0::2].count(0) >= len(sample) // 3
    ):
        return _Rejected(
            "not a CSV or XLSX file (it looks like UTF-16 text without a byte-order mark, "
            "as some programs export it): save it as 'CSV UTF-8' instead"
        )
    if (
        data.count(b"\x00") <= max(1, len(data) // 1000)
        and _control_ratio(data.replace(b"\x00", b"")) <= MAX_CONTROL_CHAR_RATIO
    ):
        return _Rejected(
            f"the file holds a NUL (zero) byte at {_where_byte(data, data.index(0))}, which "
            "text never does: the file is damaged, or was not saved as text; save it again "
            "as CSV and send it again"
        )
    return _not_text(data)


def _control_ratio(data: bytes) -> float:
    """Share of control characters other than tab and line breaks.

    Counted on the bytes (C-speed ``bytes.translate``): in UTF-8 and Windows-1252 alike,
    bytes 01-1F and 7F only ever stand for those control characters.
    """
    if not data:
        return 0.0
    return (len(data) - len(data.translate(None, _CONTROL_BYTES))) / len(data)


# --------------------------------------------------------------------------------------
# Grids: every cell as text (null when empty), and each row's number as a person sees it
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Grid:
    """A file's cells before header processing.

    ``cells`` has columns ``c0..cN`` (String) and ``row_number`` (the row as seen in Excel
    or a text editor). ``header_width`` is how many cells the header row holds (CSV) or the
    table's width (XLSX); cells beyond it are "ragged" (see the module docstring).
    """

    cells: pl.DataFrame
    header_width: int | None = None


def _cell_names(width: int) -> list[str]:
    return [f"c{i}" for i in range(width)]


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


def _xlsx_grid(data: bytes) -> _Grid:
    """The first sheet's cells as text, parsed in the child process (see above)."""
    return read_sheet_isolated(data, 0)


def _parse_xlsx_grid(data: bytes, sheet_index: int | str = 0, rows: int | None = None) -> _Grid:
    """A sheet's cells as text (the first ``rows`` rows, if given); formula errors as Excel
    shows them. Runs in the child process."""
    reader = fastexcel.read_excel(data)
    if not reader.sheet_names:
        raise _Rejected("the file is empty (the workbook has no sheets)")
    # header_row=None with skip_rows=0 keeps leading empty rows, so row numbers match Excel.
    options: dict[str, Any] = {} if rows is None else {"n_rows": rows}
    sheet = reader.load_sheet(sheet_index, header_row=None, skip_rows=0, dtypes="string", **options)
    batch, errors = sheet.to_arrow_with_errors()
    cells = pl.DataFrame(pl.from_arrow(batch))
    if cells.width == 0 or cells.height == 0:
        raise _NoHeader(f"the file is empty (its first sheet, {sheet.name!r}, has no cells)")
    cells = cells.rename(dict(zip(cells.columns, _cell_names(cells.width), strict=True)))
    cells = cells.with_columns(pl.all().cast(pl.String))
    cells = _with_error_cells(cells, errors.errors if errors is not None else [])
    numbers = pl.int_range(1, pl.len() + 1, dtype=pl.Int32)
    return _Grid(cells.with_columns(numbers.alias(ROW_NUMBER)), None)


def _with_error_cells(cells: pl.DataFrame, errors: list[fastexcel.CellError]) -> pl.DataFrame:
    """Put Excel's error text (``#DIV/0!``...) where calamine could not give a string."""
    patches: dict[int, dict[int, str]] = {}
    for error in errors:
        match = _EXCEL_ERROR_DETAIL.search(error.detail)
        text = _EXCEL_ERRORS.get(match.group(1), "#ERROR") if match else "#ERROR"
        row, column = error.position
        patches.setdefault(column, {})[row] = text
    for column, by_row in patches.items():
        name = cells.columns[column]
        values = cells[name].to_list()
        for row, text in by_row.items():
            values[row] = text
        cells = cells.with_columns(pl.Series(name, values, dtype=pl.String))
    return cells


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
    header = [rows[c][0] for c in cell_columns]
    data = rows.slice(1)
    width = grid.header_width if grid.header_width is not None else len(cell_columns)
    named = _name_columns(header[:width], data, cell_columns[:width])
    columns = {c.received: c.grid for c in named}
    try:
        source, mapping = _detect_source(named)
    except _NoHeader:
        _reject_header_below(rows, cell_columns)
        raise
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
        for source in contracts.SOURCES:
            present = {contracts.canonical_header(c, source) for c in cells}
            if all(column in present for column in contracts.CONTRACTS[source].signature):
                return row[ROW_NUMBER], cells
    return None


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


def column_letter(position: int) -> str:
    """Excel's letter for a 1-based column number: 1 -> A, 27 -> AA."""
    letters = ""
    while position > 0:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _name_columns(
    header: list[str | None], data: pl.DataFrame, cell_columns: list[str]
) -> list[_Column]:
    """The file's columns. Blank headers over data get a made-up name; two headers that
    read as the same name (identical ones included) reject the file."""
    named: list[_Column] = []
    for position, (title, column) in enumerate(zip(header, cell_columns, strict=True), 1):
        if _is_filled(title):
            received = title
        elif data.filter(~_blank_row([column])).height:
            received = f"(no header, column {position})"
        else:
            continue  # an empty column with no header carries nothing
        named.append(_Column(received, column, position))
    _reject_duplicates(named, contracts.normalise_header, "read as")
    return named


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
        for source in contracts.SOURCES
    }
    present = {source: set(mapping.values()) for source, mapping in mappings.items()}
    signature = {source: contracts.CONTRACTS[source].signature for source in contracts.SOURCES}
    full = [s for s in contracts.SOURCES if all(c in present[s] for c in signature[s])]
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
    partial = [s for s in contracts.SOURCES if any(c in present[s] for c in signature[s])]
    if len(partial) == 1:
        return partial
    found = ", ".join(repr(h.strip()) for h in headers) or "none"
    needs = "; ".join(
        f"{_SOURCE_LABELS[s]} needs {' and '.join(signature[s])}" for s in contracts.SOURCES
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
