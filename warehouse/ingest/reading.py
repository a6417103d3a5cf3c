"""What reading a file gives (a frame of text, or one line saying why not), the limits a
file must keep to, and the types the readers share."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from warehouse.core import contracts

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
MAX_FILE_MB_ENV = "STLS_MAX_FILE_MB"
MAX_ROWS_ENV = "STLS_MAX_ROWS"
# A pupil-level census is a row per pupil (Kent: some 250,000): child-level CSVs have their
# own limit (warehouse.ingest.child_level).
MAX_CHILD_ROWS = 500_000
MAX_CHILD_ROWS_ENV = "STLS_MAX_CHILD_ROWS"
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
    contracts.NATIONAL_DATA: "DfE's national data",
    contracts.NATIONAL_DICTIONARY: "DfE's indicator dictionary",
    contracts.NATIONAL_NEIGHBOURS: "DfE's statistical neighbours",
    contracts.CASELOAD_EPISODE: "a caseload episodes extract",
    contracts.PUPIL_CENSUS: "a pupil-level census",
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
    child_rows: int = MAX_CHILD_ROWS

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
    child = _positive(MAX_CHILD_ROWS_ENV, int, "the most data rows a child-level file may have")
    return Limits(
        file_bytes=MAX_FILE_BYTES if megabytes is None else round(megabytes * 1024 * 1024),
        rows=MAX_ROWS if rows is None else int(rows),
        child_rows=MAX_CHILD_ROWS if child is None else int(child),
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


def whole_mib(size: int) -> int:
    """A size in whole MiB, rounded up (the dashboard's uploader takes its limit so)."""
    return max(1, -(-size // (1024 * 1024)))


def mib(size: int) -> str:
    """A size in MiB as a person writes it: 1,124, 50, 1.5, 0.001 (a limit set that small
    in a test); never in exponent notation."""
    value = size / 1024 / 1024
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 0.001:
        return f"{value:.3g}"
    return f"{value:.6f}".rstrip("0").rstrip(".") or "0"


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


def column_letter(position: int) -> str:
    """Excel's letter for a 1-based column number: 1 -> A, 27 -> AA."""
    letters = ""
    while position > 0:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
