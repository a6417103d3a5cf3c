"""Checks made before any parser sees a file's cells: a CSV's rows counted from its bytes,
a workbook's sheets read as XML (rows, extent, formulas saved without results)."""

from __future__ import annotations

import bisect
import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO

from warehouse.ingest.reading import Limits, _Rejected, _too_many_rows, column_letter

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
