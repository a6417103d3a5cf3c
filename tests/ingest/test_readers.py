"""Reading raw files: encodings, XLSX cells, header spellings, telling the source from the
columns, row numbers, and every way a file is rejected as a whole. Each file is built here,
byte by byte, so the test says exactly what was received."""

from __future__ import annotations

import hashlib
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from warehouse.core.values import parse_money
from warehouse.ingest import reading
from warehouse.ingest.readers import ReadError, discover_files, read_file

TERMLY_HEADER = "district,academic_year,term,phase,measure,value"
TERMLY_COLUMNS = ["district", "academic_year", "term", "phase", "measure", "value"]
CENSUS_HEADER = "census_year,district,phase,settings,pupils,sen_support,ehcp"
FUNDING_HEADER = "academic_year,district,core_budget,outreach_budget,total_budget"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def write_xlsx(tmp_path: Path, name: str, rows: dict[int, list[object]]) -> Path:
    """A workbook whose first sheet holds ``rows`` (0-based Excel row -> cells from A)."""
    path = tmp_path / name
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Return")
    for row, cells in rows.items():
        for column, cell in enumerate(cells):
            if isinstance(cell, tuple):  # (formula, cached result)
                sheet.write_formula(row, column, cell[0], None, cell[1])
            elif cell is not None:
                sheet.write(row, column, cell)
    workbook.add_worksheet("Notes").write(0, 0, "a second sheet is never read")
    workbook.close()
    return path


def accepted(path: Path) -> reading.ReadResult:
    result = read_file(path)
    assert result.rejected_reason is None, result.rejected_reason
    assert result.frame is not None
    return result


def rejected(path: Path) -> str:
    result = read_file(path)
    assert result.frame is None
    assert result.rows_read == 0
    assert result.rejected_reason is not None
    assert "\n" not in result.rejected_reason
    return result.rejected_reason


# --- encodings -----------------------------------------------------------------------------


def test_utf8_termly_return_is_read_as_received(tmp_path: Path) -> None:
    data = (
        f"{TERMLY_HEADER}\n"
        " Ashford ,2023-24,1,primary,caseload,12\n"
        "Dover,2023-24,1,school_age,actively_supported,\n"
    ).encode()
    path = write(tmp_path, "ashford.csv", data)

    result = accepted(path)

    assert (result.file_format, result.encoding, result.source) == ("csv", "utf-8", "termly_return")
    assert result.checksum == hashlib.sha256(data).hexdigest()
    assert result.file_bytes == len(data)
    assert result.file_name == "ashford.csv"
    assert result.frame.columns == ["row_number", *TERMLY_COLUMNS, "extra_columns"]
    assert result.frame.schema["row_number"] == pl.Int32
    assert all(result.frame.schema[c] == pl.String for c in [*TERMLY_COLUMNS, "extra_columns"])
    assert result.frame.rows() == [
        (2, " Ashford ", "2023-24", "1", "primary", "caseload", "12", None),  # not trimmed
        (3, "Dover", "2023-24", "1", "school_age", "actively_supported", None, None),
    ]
    assert result.rows_read == 2


def test_utf8_with_bom_does_not_leak_into_the_first_header(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + f"{CENSUS_HEADER}\r\n2023,Dover,primary,61,9876,1204,310\r\n".encode()

    result = accepted(write(tmp_path, "census.csv", data))

    assert result.encoding == "utf-8-sig"
    assert result.source == "census"
    assert "census_year" in result.header_map  # not "\ufeffcensus_year"
    assert result.frame.row(0, named=True)["census_year"] == "2023"


def test_windows_1252_with_pound_sign_and_en_dash(tmp_path: Path) -> None:
    en_dash = "\u2013"
    text = (
        f"{FUNDING_HEADER},Notes\r\n"
        f'2023-24,Ashford,"£377,550",£1,"£377,551",Agreed {en_dash} final\r\n'
    )
    data = text.encode("cp1252")
    assert b"\xa3" in data and b"\x96" in data  # really the Windows-1252 bytes

    result = accepted(write(tmp_path, "funding.csv", data))

    assert (result.encoding, result.source) == ("cp1252", "funding")
    row = result.frame.row(0, named=True)
    assert row["core_budget"] == "£377,550"
    assert row["other_income"] is None  # an optional column that is absent
    assert json.loads(row["extra_columns"]) == {"Notes": f"Agreed {en_dash} final"}


# --- XLSX ----------------------------------------------------------------------------------


def test_xlsx_cells_come_out_as_the_text_excel_shows(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        "census.xlsx",
        {
            0: ["Census Year", "District", "Phase", "Settings", "Pupils", "SEN Support", "EHCP"],
            1: [2023, "Dover", "primary", 61.0, "9,876", 1204, ("=0.1*3", 0.30000000000000004)],
            2: [2023.0, "Dover", "secondary", 12.5, 7000, " 15 ", ("=1/0", "#DIV/0!")],
        },
    )

    result = accepted(path)

    assert (result.file_format, result.encoding, result.source) == ("xlsx", None, "census")
    assert result.header_map["Census Year"] == "census_year"
    assert result.header_map["SEN Support"] == "sen_support"
    first, second = result.frame.iter_rows(named=True)
    # Whole floats lose their ".0", text stays text, a formula shows its result as Excel does.
    assert (first["census_year"], first["settings"], first["pupils"]) == ("2023", "61", "9,876")
    assert (first["sen_support"], first["ehcp"]) == ("1204", "0.3")
    assert (second["census_year"], second["settings"], second["sen_support"]) == (
        "2023",
        "12.5",
        " 15 ",
    )
    assert second["ehcp"] == "#DIV/0!"  # an error cell is shown, not read as blank


def test_xlsx_row_numbers_are_excel_row_numbers(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        "return.xlsx",
        {
            2: ["District", "Academic Year", "Term", "Phase", "Measure", "Value"],  # row 3
            3: ["Dover", "2023-24", 1, "primary", "caseload", 40],  # row 4
            5: ["Dover", "2023-24", 1, "secondary", "caseload", 30],  # row 6; row 5 blank
        },
    )

    result = accepted(path)

    assert result.frame["row_number"].to_list() == [4, 6]
    assert result.frame["value"].to_list() == ["40", "30"]


# --- headers and sources -------------------------------------------------------------------


def test_header_spellings_map_to_contract_columns(tmp_path: Path) -> None:
    header = (
        "Academic Year, DISTRICT ,Core Budget,OUTREACH,"
        '"Total (This is the amount specified in each SLA)",Any other income'
    )
    data = f'{header}\n2023-24,Ashford,"£377,550","£1,120","£378,670",\n'.encode()

    result = accepted(write(tmp_path, "sla.csv", data))

    assert result.source == "funding"
    assert result.header_map == {
        "Academic Year": "academic_year",
        " DISTRICT ": "district",
        "Core Budget": "core_budget",
        "OUTREACH": "outreach_budget",
        "Total (This is the amount specified in each SLA)": "total_budget",
        "Any other income": "other_income",
    }
    row = result.frame.row(0, named=True)
    assert (row["district"], row["total_budget"], row["other_income"]) == (
        "Ashford",
        "£378,670",
        None,
    )


def test_extra_columns_are_kept_as_json_with_received_headers(tmp_path: Path) -> None:
    data = (
        f"{TERMLY_HEADER},Notes ,Checked by,\n"
        "Dover,2023-24,1,primary,caseload,12,late return,JS,\n"
        "Dover,2023-24,1,secondary,caseload,9,,,\n"
        "Dover,2023-24,1,early_years,caseload,3,,,stray note\n"
    ).encode()

    result = accepted(write(tmp_path, "dover.csv", data))

    extras = result.frame["extra_columns"].to_list()
    assert json.loads(extras[0]) == {"Notes ": "late return", "Checked by": "JS"}
    assert extras[1] is None  # nothing outside the contract in this row
    assert json.loads(extras[2]) == {"(no header, column 9)": "stray note"}
    assert result.header_map["Notes "] == "Notes "
    assert result.header_map["(no header, column 9)"] == "(no header, column 9)"


@pytest.mark.parametrize(
    ("header", "row", "source"),
    [
        (TERMLY_HEADER, "Dover,2023-24,1,primary,caseload,12", "termly_return"),
        (CENSUS_HEADER, "2023,Dover,primary,61,9876,1204,310", "census"),
        (FUNDING_HEADER, "2023-24,Dover,1,2,3", "funding"),
        # Column order does not matter, and aliases count towards the signature.
        (
            "Pupils on roll,EHC plans,SEN support pupils,Settings,Phase,District,Census Year",
            "1,2,3,4,primary,Dover,2023",
            "census",
        ),
    ],
)
def test_source_is_told_from_the_columns(
    tmp_path: Path, header: str, row: str, source: str
) -> None:
    result = accepted(write(tmp_path, "unnamed.csv", f"{header}\n{row}\n".encode()))
    assert result.source == source
    assert result.rows_read == 1


def test_columns_of_two_sources_are_ambiguous(tmp_path: Path) -> None:
    data = f"{TERMLY_HEADER},total_budget\nDover,2023-24,1,primary,caseload,1,2\n".encode()
    reason = rejected(write(tmp_path, "both.csv", data))
    assert reason.startswith("the columns fit more than one source")
    assert "termly_return" in reason and "funding" in reason


def test_unknown_columns_say_what_each_source_needs(tmp_path: Path) -> None:
    reason = rejected(write(tmp_path, "other.csv", b"name,score\nAlex,3\n"))
    assert reason.startswith("cannot tell which source this is from its columns")
    assert "'name', 'score'" in reason
    assert "census_year and pupils" in reason and "total_budget" in reason


def test_missing_required_column_is_named(tmp_path: Path) -> None:
    data = b"district,academic_year,term,phase,measure\nDover,2023-24,1,primary,caseload\n"
    result = read_file(write(tmp_path, "no_value.csv", data))
    assert result.rejected_reason == (
        "missing required column(s): value "
        "(columns found: district, academic_year, term, phase, measure)"
    )
    assert result.source == "termly_return"  # recorded, though rejected
    assert result.frame is None


@pytest.mark.parametrize(
    ("header", "clash"),
    [
        (
            "District,academic_year,term,phase,measure,value, district ",
            "'District' and ' district '",
        ),
        ("academic_year,district,core,outreach,Total,SLA total", "'Total' and 'SLA total'"),
    ],
)
def test_two_headers_for_one_column_reject_the_file(
    tmp_path: Path, header: str, clash: str
) -> None:
    reason = rejected(write(tmp_path, "dupes.csv", f"{header}\n".encode()))
    assert reason.startswith("duplicate column names")
    assert clash in reason


# --- empty, binary, oversized ------------------------------------------------------------


def test_zero_byte_file_is_rejected_as_empty(tmp_path: Path) -> None:
    result = read_file(write(tmp_path, "empty.csv", b""))
    assert result.rejected_reason == "the file is empty"
    assert result.checksum == hashlib.sha256(b"").hexdigest()


def test_blank_lines_only_is_rejected_as_empty(tmp_path: Path) -> None:
    assert rejected(write(tmp_path, "blank.csv", b"\xef\xbb\xbf\r\n ,, \r\n")).startswith(
        "the file is empty"
    )


def test_header_only_file_is_readable_with_no_rows(tmp_path: Path) -> None:
    result = accepted(write(tmp_path, "header.csv", f"{CENSUS_HEADER}\n".encode()))
    assert result.source == "census"
    assert result.rows_read == 0
    assert result.frame.columns[0] == "row_number"


@pytest.mark.parametrize(
    "garbage",
    [
        bytes((i * 37 + 11) % 256 for i in range(2000)),  # every byte value, NULs included
        b"district,value\n" + bytes(range(1, 9)) * 40,  # decodes, but is control characters
    ],
    ids=["binary", "control-characters"],
)
def test_garbage_bytes_named_csv_are_not_text(tmp_path: Path, garbage: bytes) -> None:
    reason = rejected(write(tmp_path, "return.csv", garbage))
    assert reason == "not a CSV or XLSX file (the bytes are neither text nor a workbook)"


def test_png_named_xlsx_is_not_a_workbook(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
    result = read_file(write(tmp_path, "return.xlsx", png))
    assert result.rejected_reason.startswith("not a CSV or XLSX file (the bytes are a PNG image")
    assert result.file_format is None


def test_zip_that_is_not_a_workbook_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "return.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert "without xl/workbook.xml" in rejected(path)


def test_workbook_named_csv_is_read_as_xlsx(tmp_path: Path) -> None:
    source = write_xlsx(
        tmp_path, "x.xlsx", {0: FUNDING_HEADER.split(","), 1: ["2023-24", "Dover", 1, 2, 3]}
    )
    renamed = write(tmp_path, "funding.csv", source.read_bytes())
    result = accepted(renamed)
    assert (result.file_format, result.source, result.rows_read) == ("xlsx", "funding", 1)


def test_files_above_the_size_limit_are_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = f"{TERMLY_HEADER}\n".encode() + b"Dover,2023-24,1,primary,caseload,12\n" * 10
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 100)
    result = read_file(write(tmp_path, "big.csv", data))
    assert "above the" in result.rejected_reason and "limit" in result.rejected_reason
    assert result.checksum == hashlib.sha256(data).hexdigest()  # a repeat is still recognised
    assert result.file_bytes == len(data)


def test_unreadable_path_is_a_rejected_result_not_an_exception(tmp_path: Path) -> None:
    result = read_file(tmp_path)  # a folder: reading its bytes fails at the OS level
    assert result.rejected_reason.startswith("cannot read the file")
    assert result.checksum == ""


# --- rows ----------------------------------------------------------------------------------


def test_blank_rows_are_skipped_without_renumbering(tmp_path: Path) -> None:
    data = (
        "\r\n"  # row 1: blank, before the header
        f"{TERMLY_HEADER}\r\n"  # row 2
        "Dover,2023-24,1,primary,caseload,1\r\n"  # row 3
        "\r\n"  # row 4
        ",,,,,\r\n"  # row 5: Excel's way of writing a blank row
        "   ,  ,,,,\r\n"  # row 6: only spaces
        'Dover,2023-24,1,primary,measure_with_note,"two\r\nlines"\r\n'  # row 7, one row
        "Dover,2023-24,1,secondary,caseload,2\r\n"  # row 8
    ).encode()

    result = accepted(write(tmp_path, "gaps.csv", data))

    assert result.frame["row_number"].to_list() == [3, 7, 8]
    assert result.frame["value"].to_list() == ["1", "two\r\nlines", "2"]


def test_quoted_money_with_commas_stays_whole(tmp_path: Path) -> None:
    data = (
        f"{FUNDING_HEADER},other_income\n"
        '2023-24,Ashford,"£377,550","£1,120","£378,670",\n'
        '2023-24,Total," £ 5,856,468 ","1,204","£1,234.50",0\n'
    ).encode()

    frame = accepted(write(tmp_path, "sla.csv", data)).frame

    assert frame["core_budget"].to_list() == ["£377,550", " £ 5,856,468 "]
    assert [parse_money(v, optional=False).value for v in frame["total_budget"]] == [
        Decimal("378670"),
        Decimal("1234.50"),
    ]


def test_unquoted_comma_shifting_columns_rejects_the_file(tmp_path: Path) -> None:
    data = (
        f"{FUNDING_HEADER}\n"
        '2023-24,Ashford,"£377,550","£1,120","£378,670"\n'
        "2023-24,Dover,£377,550,£1,120,£378,670\n"
    ).encode("cp1252")

    result = read_file(write(tmp_path, "sla.csv", data))

    assert result.rejected_reason.startswith("row 3 has 8 cells but the header has 5")
    assert result.source == "funding"


def test_short_rows_and_empty_trailing_cells_are_accepted(tmp_path: Path) -> None:
    data = (
        f"{TERMLY_HEADER}\n"
        "Dover,2023-24,1,primary,caseload,12,,\n"  # empty cells past the header: nothing lost
        "Dover,2023-24,1,primary\n"  # short: the missing cells are empty
        '"Dover","2023-24","1","primary","caseload",""\n'  # a quoted "" is an empty cell too
    ).encode()

    frame = accepted(write(tmp_path, "ragged.csv", data)).frame

    assert frame.rows() == [
        (2, "Dover", "2023-24", "1", "primary", "caseload", "12", None),
        (3, "Dover", "2023-24", "1", "primary", None, None, None),
        (4, "Dover", "2023-24", "1", "primary", "caseload", None, None),
    ]


def test_a_stray_quote_rejects_the_file_with_a_hint(tmp_path: Path) -> None:
    data = f'{TERMLY_HEADER}\nDover,"2023-24,1,primary,caseload,12\nDover,2023-24,1,x,y,1\n'
    reason = rejected(write(tmp_path, "quote.csv", data.encode()))
    assert reason.startswith('cannot read the CSV: a quote (") opens a value that never closes')


# --- discovering files ---------------------------------------------------------------------


def test_discover_files_walks_folders_and_skips_non_data(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    for name in [
        "b_dover.csv",
        "a_ashford.xlsx",
        "2023/census.csv",
        ".hidden.csv",
        ".git/config",
        "~$a_ashford.xlsx",
        "README.md",
        "notes.markdown",
        "2023/readme.txt",
    ]:
        write(inbox, name, b"x")
    direct = write(tmp_path, "single.csv", b"x")

    found = discover_files([direct, str(inbox), inbox / "b_dover.csv"])

    assert found == [
        direct,
        inbox / "2023" / "census.csv",
        inbox / "a_ashford.xlsx",
        inbox / "b_dover.csv",  # given twice, listed once
    ]


def test_discover_files_names_a_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.csv"
    with pytest.raises(ReadError, match="no such file or folder") as error:
        discover_files([missing])
    assert str(error.value) == f"{missing}: no such file or folder"
