"""Reading the files people send (CSV or XLSX) into one text frame per file, and telling
which of the three sources each file is from its columns.

This is the first step of a load: it never decides whether a *value* is good (that is the
audit's job, with ``warehouse.values``); it only decides whether a *file* can be read at all,
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
  the reverse is common. Bytes with NULs (UTF-16, binaries), bytes undefined in cp1252, or
  more than 1% control characters are "not text".
- **One header row**: the first row that is not blank (leading blank rows are skipped but
  counted). Headers match the contract case-insensitively after trimming, through
  ``contracts.canonical_header``; two headers meaning the same column reject the file,
  identical ones too (``value,value``), naming both and their column letters: taking
  either would silently drop the other's figures.
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
  engine behind ``polars.read_excel``; used directly so that formula errors are visible).
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

import codecs
import csv
import hashlib
import io
import os
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fastexcel
import polars as pl

from warehouse import contracts

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
        f"the file is {_mib(size)} MiB, above the {_mib(limit)} MiB limit for one file "
        f"({MAX_FILE_MB_ENV}); split it (for example one file per year)"
    )


def _too_many_rows(counted: str, limit: int) -> _Rejected:
    return _Rejected(
        f"{counted}, above the {limit:,}-row limit for one file ({MAX_ROWS_ENV}); check it "
        "is the right export, or split it (for example one file per year)"
    )


def _mib(size: int) -> str:
    """Sizes as a person reads them: 50, 1.5, 0.001 (a limit set that small in a test)."""
    return f"{size / 1024 / 1024:.3g}"


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
        _check_sheet_rows(data, limit.rows)
        grid = _guarded(_xlsx_grid, data, what="the workbook")
    else:
        _check_csv_rows(data, limit.rows)
        text, encoding = _decode_text(data)
        progress.file_format, progress.encoding = CSV, encoding
        grid = _guarded(_csv_grid, text, what="the CSV")
    if grid.cells.height - 1 > limit.rows:  # the header is one of them
        raise _too_many_rows(f"the file has {grid.cells.height - 1:,} rows", limit.rows)
    return _frame_from_grid(grid, progress)


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


def _check_sheet_rows(data: bytes, max_rows: int) -> None:
    """Refuse a workbook whose first sheet has more rows than the limit, before loading it.

    A part that cannot be found or unpacked is left to fastexcel, which says what is wrong
    in its own words; the grid is counted again once read.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            part = _first_sheet_part(archive)
            if part is None:
                return
            with archive.open(part) as stream:
                rows = _count_rows(stream, stop_after=max_rows + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError, ValueError):
        return
    if rows > max_rows + 1:  # the header row is one of them
        raise _too_many_rows(f"its first sheet has more than {max_rows + 1:,} rows", max_rows)


def _count_rows(stream: io.BufferedIOBase, *, stop_after: int) -> int:
    """Row elements in a worksheet's XML, read in chunks (memory stays one chunk), stopping
    once past ``stop_after``. A tag cut by a chunk boundary is carried to the next chunk."""
    count = 0
    carry = b""
    while count <= stop_after:
        chunk = stream.read(_STREAM_CHUNK)
        if not chunk:
            return count + len(_ROW_TAG.findall(carry))
        buffer = carry + chunk
        cut = buffer.rfind(b"<", max(0, len(buffer) - _TAG_OVERLAP))
        cut = len(buffer) if cut == -1 else cut
        count += len(_ROW_TAG.findall(buffer, 0, cut))
        carry = buffer[cut:]
    return count


def _first_sheet_part(archive: zipfile.ZipFile) -> str | None:
    """The zip member holding the workbook's first sheet (the one that is read): the first
    ``<sheet>`` of xl/workbook.xml, through its relationship id; else sheet1.xml."""
    names = set(archive.namelist())
    fallback = "xl/worksheets/sheet1.xml" if "xl/worksheets/sheet1.xml" in names else None
    if "xl/_rels/workbook.xml.rels" not in names:
        return fallback
    sheet = _SHEET_TAG.search(archive.read("xl/workbook.xml"))
    if sheet is None:
        return fallback
    relationship_id = next(
        (v for k, v in _ATTRIBUTE.findall(sheet.group(1)) if k.endswith(b":id")), None
    )
    for tag in _RELATIONSHIP_TAG.finditer(archive.read("xl/_rels/workbook.xml.rels")):
        attributes = dict(_ATTRIBUTE.findall(tag.group(1)))
        if relationship_id is not None and attributes.get(b"Id") == relationship_id:
            target = attributes.get(b"Target", b"").decode("utf-8", "replace")
            part = target.lstrip("/") if target.startswith("/") else "xl/" + target
            part = posixpath.normpath(part)
            return part if part in names else fallback
    return fallback


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
            f"the workbook unpacks to {_mib(unzipped)} MiB, above the "
            f"{_mib(limit.unzipped_bytes)} MiB limit ({MAX_UNZIPPED_FACTOR} times "
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
        raise _not_text(data)
    if data.startswith(codecs.BOM_UTF8):
        try:
            text, encoding = data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _Rejected(
                "the file starts with a UTF-8 byte-order mark but is not valid UTF-8 "
                f"(byte {exc.start})"
            ) from exc
    else:
        text, encoding = _decode_without_bom(data)
    if _control_ratio(data) > MAX_CONTROL_CHAR_RATIO:
        raise _not_text(data)
    return text, encoding


def _decode_without_bom(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise _not_text(data) from exc


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
    """The first sheet's cells as text; formula errors as Excel shows them."""
    reader = fastexcel.read_excel(data)
    if not reader.sheet_names:
        raise _Rejected("the file is empty (the workbook has no sheets)")
    # header_row=None with skip_rows=0 keeps leading empty rows, so row numbers match Excel.
    sheet = reader.load_sheet(0, header_row=None, skip_rows=0, dtypes="string")
    batch, errors = sheet.to_arrow_with_errors()
    cells = pl.DataFrame(pl.from_arrow(batch))
    if cells.width == 0 or cells.height == 0:
        raise _Rejected(f"the file is empty (its first sheet, {sheet.name!r}, has no cells)")
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
        raise _Rejected("the file is empty (every row is blank)")
    header = [rows[c][0] for c in cell_columns]
    data = rows.slice(1)
    width = grid.header_width if grid.header_width is not None else len(cell_columns)
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
    raise _Rejected(
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
