"""Limits on what one file may be: refused with a clear reason, before being parsed.

The parsers are replaced by ones that fail the test if called, so "refused before reading"
is checked, not assumed.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import xlsxwriter

from warehouse.cli import main
from warehouse.ingest import readers, reading, workbooks
from warehouse.ingest.readers import ReadError, limits, read_file

HEADER = "district,academic_year,term,phase,measure,value"
ROW = "Dover,2023-24,1,primary,caseload,12"


def csv_file(tmp_path: Path, rows: int, *, newline: str = "\n", final: bool = True) -> Path:
    lines = [HEADER] + [ROW] * rows
    text = newline.join(lines) + (newline if final else "")
    path = tmp_path / f"return_{rows}.csv"
    path.write_bytes(text.encode())
    return path


def workbook(tmp_path: Path, sheets: dict[str, int], name: str = "book.xlsx") -> Path:
    """A workbook with a termly-return sheet of ``rows`` data rows per sheet name."""
    path = tmp_path / name
    book = xlsxwriter.Workbook(path)
    for title, rows in sheets.items():
        sheet = book.add_worksheet(title)
        sheet.write_row(0, 0, HEADER.split(","))
        for r in range(1, rows + 1):
            sheet.write_row(r, 0, ["Dover", "2023-24", 1, "primary", "caseload", r])
    book.close()
    return path


def swap_first_two_sheets(path: Path) -> Path:
    """Rewrite a workbook so its second sheet comes first in xl/workbook.xml (the order
    Excel and the reader use), leaving the parts' names as they were."""
    source = zipfile.ZipFile(path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                sheets = re.findall(rb"<sheet [^>]*/>", data)
                data = data.replace(sheets[0], b"\0").replace(sheets[1], sheets[0])
                data = data.replace(b"\0", sheets[1])
            target.writestr(item, data)
    swapped = path.with_name("swapped_" + path.name)
    swapped.write_bytes(out.getvalue())
    return swapped


@pytest.fixture
def no_parsing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail if a file reaches a parser: a refused file must be refused before. (Recorded,
    not raised: the reader turns whatever a parser raises into a rejection.)"""
    parsed: list[str] = []

    def parse(*_args: object, **_kwargs: object) -> None:
        parsed.append("parsed")
        raise RuntimeError("parsed")

    monkeypatch.setattr(readers, "_csv_grid", parse)
    monkeypatch.setattr(readers, "_xlsx_grid", parse)
    yield
    assert not parsed, "the file was parsed although it is over the limit"


# --- the limits in force ----------------------------------------------------------------


def test_default_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STLS_MAX_FILE_MB", raising=False)
    monkeypatch.delenv("STLS_MAX_ROWS", raising=False)
    assert limits() == reading.Limits(file_bytes=50 * 1024 * 1024, rows=200_000)
    assert limits().unzipped_bytes == 1000 * 1024 * 1024


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STLS_MAX_FILE_MB", "200")
    monkeypatch.setenv("STLS_MAX_ROWS", "1_000_000")
    assert limits() == reading.Limits(file_bytes=200 * 1024 * 1024, rows=1_000_000)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("STLS_MAX_FILE_MB", "lots"),
        ("STLS_MAX_FILE_MB", "0"),
        ("STLS_MAX_FILE_MB", "-5"),
        ("STLS_MAX_FILE_MB", "nan"),
        ("STLS_MAX_ROWS", "1.5"),
        ("STLS_MAX_ROWS", "0"),
    ],
)
def test_a_limit_that_is_not_a_positive_number_is_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ReadError, match=f"{name}='{re.escape(value)}': give .* above 0"):
        limits()


def test_a_bad_limit_stops_the_load_with_one_line_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STLS_MAX_ROWS", "many")
    warehouse = tmp_path / "w.duckdb"
    assert main(["--warehouse", str(warehouse), "load", str(csv_file(tmp_path, 3))]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "STLS_MAX_ROWS='many'" in err[0]
    assert list(tmp_path.iterdir()) == [tmp_path / "return_3.csv"]


# --- size -------------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_parsing: None
) -> None:
    monkeypatch.setenv("STLS_MAX_FILE_MB", "0.001")  # 1 KiB
    path = csv_file(tmp_path, 40)  # about 1.5 KiB
    result = read_file(path)
    assert result.rejected_reason == (
        f"the file is {path.stat().st_size / 1024 / 1024:.3g} MiB, above the 0.001 MiB limit "
        "for one file (STLS_MAX_FILE_MB); split it (for example one file per year)"
    )
    assert result.checksum  # still fingerprinted, so a repeat is recognised


def test_raising_the_size_limit_lets_the_file_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STLS_MAX_FILE_MB", "0.001")
    path = csv_file(tmp_path, 40)
    assert read_file(path).rejected_reason
    monkeypatch.setenv("STLS_MAX_FILE_MB", "1")
    assert read_file(path).rows_read == 40


def test_a_workbook_that_unpacks_too_large_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_parsing: None
) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * 2_000_000)
    assert path.stat().st_size < 50 * 1024  # small on disk: under the size limit below
    monkeypatch.setenv("STLS_MAX_FILE_MB", "0.05")  # so at most 1 MiB unpacked
    assert read_file(path).rejected_reason == (
        "the workbook unpacks to 1.91 MiB, above the 1 MiB limit (20 times STLS_MAX_FILE_MB)"
    )


# --- rows: CSV --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("newline", "final"), [("\n", True), ("\r\n", True), ("\n", False), ("\r", True)]
)
def test_a_csv_over_the_row_limit_is_refused_before_parsing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_parsing: None,
    newline: str,
    final: bool,
) -> None:
    monkeypatch.setenv("STLS_MAX_ROWS", "10")
    result = read_file(csv_file(tmp_path, 11, newline=newline, final=final))
    assert result.rejected_reason == (
        "the file has 11 lines after its header, above the 10-row limit for one file "
        "(STLS_MAX_ROWS); check it is the right export, or split it (for example one file "
        "per year)"
    )
    assert result.frame is None


@pytest.mark.parametrize(
    ("newline", "final"), [("\n", True), ("\r\n", True), ("\n", False), ("\r", True)]
)
def test_a_csv_at_the_row_limit_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, newline: str, final: bool
) -> None:
    monkeypatch.setenv("STLS_MAX_ROWS", "10")
    result = read_file(csv_file(tmp_path, 10, newline=newline, final=final))
    assert result.rejected_reason is None and result.rows_read == 10


def test_the_default_row_limit_is_far_above_a_real_file(tmp_path: Path) -> None:
    # A whole county's year: 12 districts x 6 terms x 26 rows, in one file.
    assert read_file(csv_file(tmp_path, 12 * 6 * 26)).rows_read == 1872


# --- rows: workbooks --------------------------------------------------------------------


def test_a_workbook_over_the_row_limit_is_refused_before_loading_the_sheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_parsing: None
) -> None:
    monkeypatch.setenv("STLS_MAX_ROWS", "10")
    result = read_file(workbook(tmp_path, {"Return": 11}))
    assert result.rejected_reason.startswith(
        "its first sheet has more than 11 rows, above the 10-row limit for one file (STLS_MAX_ROWS)"
    )
    assert result.file_format == "xlsx"


def test_a_workbook_at_the_row_limit_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STLS_MAX_ROWS", "10")
    result = read_file(workbook(tmp_path, {"Return": 10}))
    assert result.rejected_reason is None and result.rows_read == 10


def test_only_the_sheet_that_is_read_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STLS_MAX_ROWS", "10")
    # sheet1.xml is small and sheet2.xml long; only the first sheet in the workbook is read.
    path = workbook(tmp_path, {"Return": 5, "Notes": 50})
    assert read_file(path).rows_read == 5
    # Make the long sheet the first (its part is still sheet2.xml): now it is refused.
    assert "more than 11 rows" in read_file(swap_first_two_sheets(path)).rejected_reason


def test_the_grid_is_counted_again_if_the_streamed_count_missed_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STLS_MAX_ROWS", "10")
    monkeypatch.setattr(readers, "_check_workbook", lambda _data, _limit: [])
    reason = read_file(workbook(tmp_path, {"Return": 11})).rejected_reason
    assert reason.startswith("the file has 11 rows, above the 10-row limit")


def test_row_tags_are_counted_across_chunk_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    xml = b'<x:worksheet><x:sheetData><x:row r="1"><c/></x:row>' + b"".join(
        f'<row r="{i}" spans="1:6"><c r="A{i}"/></row>'.encode() for i in range(2, 500)
    )
    xml += b"<rowBreaks/><row/></x:sheetData></x:worksheet>"
    expected = 1 + 498 + 1
    for chunk in (3, 7, 64, 1000, 1 << 20):
        monkeypatch.setattr(workbooks, "_STREAM_CHUNK", chunk)
        assert workbooks._count_rows(io.BytesIO(xml), stop_after=10**6) == expected, chunk
    # It stops reading soon after the limit: far fewer bytes than the sheet holds.
    stream = io.BytesIO(xml)
    monkeypatch.setattr(workbooks, "_STREAM_CHUNK", 64)
    assert 11 <= workbooks._count_rows(stream, stop_after=10) < 20
    assert stream.tell() < len(xml) // 10
