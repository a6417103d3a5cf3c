"""Hostile and careless files (issue 9): each is rejected, or read, with one line that says
what is wrong and where, and never stops the rest of the load. Every file is built here,
byte by byte, so the test says exactly what was received."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from warehouse import readers
from warehouse.readers import read_file

TERMLY_HEADER = "district,academic_year,term,phase,measure,value"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def rejected(path: Path) -> str:
    result = read_file(path)
    assert result.frame is None, "the file was read, but should have been rejected"
    assert result.rejected_reason is not None
    assert "\n" not in result.rejected_reason
    return result.rejected_reason


def accepted(path: Path) -> readers.ReadResult:
    result = read_file(path)
    assert result.rejected_reason is None, result.rejected_reason
    assert result.frame is not None
    return result


# --- defect 1: a duplicated header ----------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "row", "named"),
    [
        (f"{TERMLY_HEADER},value", "Thanet,2023-24,1,primary,caseload,12,99", "value"),
        (f"district,{TERMLY_HEADER}", "Dover,Thanet,2023-24,1,primary,caseload,12", "district"),
    ],
)
def test_an_identical_duplicated_header_rejects_the_file_naming_the_columns(
    tmp_path: Path, header: str, row: str, named: str
) -> None:
    path = write(tmp_path, "thanet.csv", f"{header}\n{row}\n".encode())

    reason = rejected(path)

    assert "duplicate column" in reason
    assert f"'{named}'" in reason
    assert "column" in reason and ("F and G" in reason or "A and B" in reason), reason


def test_an_identical_duplicated_header_in_a_workbook_rejects_it(tmp_path: Path) -> None:
    path = tmp_path / "thanet.xlsx"
    with xlsxwriter.Workbook(str(path)) as book:
        sheet = book.add_worksheet()
        for col, name in enumerate([*TERMLY_HEADER.split(","), "value"]):
            sheet.write_string(0, col, name)
        for col, cell in enumerate(["Thanet", "2023-24", 1, "primary", "caseload", 12, 99]):
            sheet.write(1, col, cell)

    reason = rejected(path)

    assert "duplicate column" in reason and "'value'" in reason and "F and G" in reason
