"""Hostile and careless files (issue 9): each is rejected, or read, with one line that says
what is wrong and where, and never stops the rest of the load. Every file is built here,
byte by byte, so the test says exactly what was received."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from checking import load_file, submission
from hostile import far_cell_workbook

from warehouse.cli import main as stls
from warehouse.core.contracts import CENSUS, FUNDING, TERMLY_RETURN
from warehouse.ingest import reading, workbook_process
from warehouse.ingest.readers import read_file
from warehouse.publish import versions
from warehouse.publish.load import staging_path
from warehouse.quality.audit import ERROR, HELD, PUBLISHED, QUARANTINED, FileToAudit, audit

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


def accepted(path: Path) -> reading.ReadResult:
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


# --- defect 4: a 1.6 KB workbook that would make the reader allocate 512 GiB ----------------


def test_a_workbook_with_a_far_cell_is_rejected_without_crashing(tmp_path: Path) -> None:
    path = far_cell_workbook(tmp_path)
    assert path.stat().st_size < 6_000
    code = (
        "import sys, warehouse.ingest.readers as r; print(r.read_file(sys.argv[1]).rejected_reason)"
    )

    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-500:]}"
    assert "XFD1048576" in done.stdout and "stray" in done.stdout, done.stdout


@pytest.mark.dbt
def test_a_crashing_workbook_does_not_stop_the_load(hostile_warehouse: Path, capsys) -> None:
    """``hostile_warehouse`` is the demo after one load of the far-cell workbook beside a
    good return (and the hostile one): before the extent check that load aborted."""
    assert stls(["--warehouse", str(hostile_warehouse), "dq", "--format", "json"]) == 0

    result = json.loads(capsys.readouterr().out)

    [rejected_file] = result["files_rejected"]
    assert rejected_file["file"] == "far.xlsx" and "XFD1048576" in rejected_file["reason"]
    assert "swale_2023-24_t4_corrected.csv" in result["files_accepted"]
    assert result["rows_published"] == 26  # Swale's return
    assert not staging_path(hostile_warehouse).exists()


def test_a_reader_that_dies_rejects_only_that_workbook(tmp_path: Path) -> None:
    """The extent check is the first line; the second is that workbooks are parsed in a
    child process with a memory cap, so a parser that aborts (here: the real engine on the
    far-cell workbook, handed to it without the check) costs that file, not the load."""
    data = far_cell_workbook(tmp_path).read_bytes()

    with pytest.raises(reading.Rejected) as stopped:
        workbook_process.read_sheet_isolated(data, 0)

    assert "stopped the workbook reader" in stopped.value.reason
    good = tmp_path / "good.xlsx"
    with xlsxwriter.Workbook(str(good)) as book:
        sheet = book.add_worksheet()
        for col, cell in enumerate([*TERMLY_HEADER.split(",")]):
            sheet.write_string(0, col, cell)
        for col, cell in enumerate(["Thanet", "2023-24", 1, "primary", "caseload", 12]):
            sheet.write(1, col, cell)
    assert accepted(good).rows_read == 1  # the next workbook is read as usual


def test_a_claimed_extent_alone_is_not_a_problem(tmp_path: Path) -> None:
    """The sheet's <dimension> is the writer's claim; the engine sizes its grid from the
    cells present (pinned here, so an engine upgrade that changes it is noticed)."""
    good = tmp_path / "good.xlsx"
    with xlsxwriter.Workbook(str(good)) as book:
        sheet = book.add_worksheet()
        for col, cell in enumerate([*TERMLY_HEADER.split(",")]):
            sheet.write_string(0, col, cell)
        for col, cell in enumerate(["Thanet", "2023-24", 1, "primary", "caseload", 12]):
            sheet.write(1, col, cell)
    claimed = tmp_path / "claimed.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(claimed, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(
                    rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', data
                )
            target.writestr(item, data)

    assert accepted(claimed).rows_read == 1


# --- messages that leave a steward guessing --------------------------------------------------


def test_a_nul_byte_is_named_with_its_row(tmp_path: Path) -> None:
    data = (
        f"{TERMLY_HEADER}\nThanet,2023-24,1,primary,caseload,12\n"
        "Thanet,2023-24,1,primary,caseload_\x00,3\n"
    )
    reason = rejected(write(tmp_path, "nul.csv", data.encode()))

    assert "NUL" in reason and "row 3" in reason, reason


def test_utf16_without_a_byte_order_mark_is_named(tmp_path: Path) -> None:
    data = f"{TERMLY_HEADER}\nThanet,2023-24,1,primary,caseload,12\n".encode("utf-16-le")
    reason = rejected(write(tmp_path, "utf16.csv", data))

    assert "UTF-16" in reason, reason


def test_one_windows_1252_byte_in_a_utf8_file_is_named_not_guessed(tmp_path: Path) -> None:
    data = (
        f"{TERMLY_HEADER},notes\n".encode()
        + "Thanet,2023-24,1,primary,caseload,12,£12 from the café\n".encode()
        + b"Thanet,2023-24,1,secondary,caseload,3,term 1 \x96 term 2\n"
    )
    reason = rejected(write(tmp_path, "mixed.csv", data))

    assert "row 3" in reason and "0x96" in reason and "UTF-8" in reason, reason


def test_a_workbook_saved_without_calculated_values_says_so(tmp_path: Path) -> None:
    path = tmp_path / "formulas.xlsx"
    book = openpyxl.Workbook()  # openpyxl writes formulas without their results
    book.active.append(TERMLY_HEADER.split(","))
    book.active.append(["Thanet", "2023-24", 1, "primary", "caseload", "=10+2"])
    book.save(path)

    reason = rejected(path)

    assert "without calculated values" in reason and "F2" in reason, reason
    assert "open it in Excel and save" in reason


def test_data_below_a_title_row_says_where_the_header_seems_to_be(tmp_path: Path) -> None:
    data = f"STLS termly return: Thanet\n\n{TERMLY_HEADER}\nThanet,2023-24,1,primary,caseload,12\n"
    reason = rejected(write(tmp_path, "titled.csv", data.encode()))

    assert "row 3" in reason and "title" in reason, reason


def test_data_on_a_second_sheet_says_which_sheet(tmp_path: Path) -> None:
    path = tmp_path / "two_sheets.xlsx"
    with xlsxwriter.Workbook(str(path)) as book:
        book.add_worksheet("Cover").write_string(0, 0, "STLS termly return: Thanet")
        sheet = book.add_worksheet("Data")
        for col, header in enumerate(TERMLY_HEADER.split(",")):
            sheet.write_string(0, col, header)
        for col, cell in enumerate(["Thanet", "2023-24", 1, "primary", "caseload", 12]):
            sheet.write(1, col, cell)

    reason = rejected(path)

    assert "'Data'" in reason and "first sheet" in reason, reason


def test_an_empty_first_sheet_points_at_the_sheet_with_the_data(tmp_path: Path) -> None:
    path = tmp_path / "empty_first.xlsx"
    with xlsxwriter.Workbook(str(path)) as book:
        book.add_worksheet("Sheet1")
        sheet = book.add_worksheet("Return")
        for col, header in enumerate(TERMLY_HEADER.split(",")):
            sheet.write_string(2, col, header)

    reason = rejected(path)

    assert "'Return'" in reason and "row 3" in reason, reason


def test_sizes_are_printed_as_people_write_them() -> None:
    assert reading.mib(1_124 * 1024 * 1024) == "1,124"
    assert reading.mib(50 * 1024 * 1024) == "50"
    assert reading.mib(int(1.5 * 1024 * 1024)) == "1.5"
    assert "e" not in reading.mib(100)


def test_a_file_name_starting_with_a_dash_gets_a_hint(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-thanet.csv").write_text(f"{TERMLY_HEADER}\n", encoding="utf-8")

    with pytest.raises(SystemExit) as stopped:
        stls(["--warehouse", str(tmp_path / "w.duckdb"), "load", "-thanet.csv"])

    err = capsys.readouterr().err
    assert stopped.value.code == 2
    assert "stls load -- -thanet.csv" in err, err
    assert len(err.strip().splitlines()) == 1


# --- weak spots: the audit ----------------------------------------------------------------

LOAD_DAY = date(2026, 11, 30)  # in academic year 2026-27


def to_audit(source: str, rows: list[dict], seq: int = 1, name: str | None = None) -> FileToAudit:
    file = load_file(source, rows, seq, name)
    return FileToAudit("L1", file.file_id, file.file_name, seq, source, file.frame)


def errors_of(result, row_number: int | None = None) -> list[str]:
    return [
        i.message
        for i in result.issues
        if i.severity == ERROR and (row_number is None or i.row_number == row_number)
    ]


def test_a_stray_row_for_another_district_is_quarantined_alone() -> None:
    thanet = submission("Thanet", term=4)
    stray = submission("Dover", term=4)[0]  # one Dover row inside Thanet's return
    stray_row = len(thanet) + 2

    result = audit(
        [to_audit(TERMLY_RETURN, [*thanet, stray], name="thanet_t4.csv")], today=LOAD_DAY
    )

    assert [(s.district, s.status) for s in result.submissions] == [("Thanet", PUBLISHED)]
    outcome = next(o for o in result.outcomes if o.row_number == stray_row)
    assert (outcome.outcome, outcome.submission_id) == (QUARANTINED, None)
    [message] = errors_of(result, stray_row)
    assert "Dover" in message and "Thanet" in message, message


def test_a_county_wide_file_keeps_every_district() -> None:
    rows = [
        *submission("Thanet", term=4),
        *submission("Dover", term=4),
        *submission("Swale", term=4),
    ]

    result = audit([to_audit(TERMLY_RETURN, rows, name="kent_t4.csv")], today=LOAD_DAY)

    assert sorted((s.district, s.status) for s in result.submissions) == [
        ("Dover", PUBLISHED),
        ("Swale", PUBLISHED),
        ("Thanet", PUBLISHED),
    ]
    assert result.count(QUARANTINED) == 0


@pytest.mark.parametrize(
    ("year", "said"),
    [("2027-28", "after the current"), ("2031-32", "after the current"), ("1999-00", "before")],
)
def test_an_academic_year_outside_the_service_holds_the_submission(year: str, said: str) -> None:
    result = audit([to_audit(TERMLY_RETURN, submission("Thanet", year=year))], today=LOAD_DAY)

    [held] = result.submissions
    assert held.status == HELD
    assert year in held.reason and said in held.reason, held.reason


def test_the_current_academic_year_is_in_range_from_the_load_date() -> None:
    now = audit([to_audit(TERMLY_RETURN, submission("Thanet", year="2026-27"))], today=LOAD_DAY)
    september = audit(
        [to_audit(TERMLY_RETURN, submission("Thanet", year="2027-28"))], today=date(2027, 9, 1)
    )

    assert [s.status for s in now.submissions] == [PUBLISHED]
    assert [s.status for s in september.submissions] == [PUBLISHED]


def test_census_and_funding_years_outside_the_service_are_held() -> None:
    census = [
        {
            "census_year": "2028",
            "district": "Dover",
            "phase": "primary",
            "settings": "40",
            "pupils": "9000",
            "sen_support": "900",
            "ehcp": "300",
        },
    ]
    funding = [
        {
            "academic_year": "1999-00",
            "district": "Dover",
            "core_budget": "1",
            "outreach_budget": "1",
            "total_budget": "2",
        },
    ]

    result = audit([to_audit(CENSUS, census, 1), to_audit(FUNDING, funding, 2)], today=LOAD_DAY)

    assert sorted((s.source, s.status) for s in result.submissions) == [
        (CENSUS, HELD),
        (FUNDING, HELD),
    ]


def test_one_figure_is_not_one_figures() -> None:
    result = audit([to_audit(TERMLY_RETURN, submission("Thanet")[:1])], today=LOAD_DAY)

    messages = [i.message for i in result.issues]
    assert not [m for m in messages if "1 figures" in m]
    assert [m for m in messages if "1 figure " in m], messages


def test_a_year_or_term_formatted_as_a_date_says_so(tmp_path: Path) -> None:
    path = tmp_path / "dates.xlsx"
    with xlsxwriter.Workbook(str(path)) as book:
        sheet = book.add_worksheet()
        as_date = book.add_format({"num_format": "dd/mm/yyyy"})
        for col, header in enumerate(TERMLY_HEADER.split(",")):
            sheet.write_string(0, col, header)
        sheet.write_row(1, 0, ["Thanet"])
        sheet.write_datetime(1, 1, datetime(2023, 9, 1), as_date)  # "2023-24" typed as a date
        sheet.write_number(1, 2, 1)
        sheet.write_row(1, 3, ["primary", "caseload", 12])
        sheet.write_row(2, 0, ["Thanet", "2023-24"])
        sheet.write_datetime(2, 2, datetime(1900, 1, 1), as_date)  # term 1, shown as a date
        sheet.write_row(2, 3, ["secondary", "caseload", 3])
    read = accepted(path)

    result = audit(
        [FileToAudit("L1", "L1/1", path.name, 1, TERMLY_RETURN, read.frame)], today=LOAD_DAY
    )

    for row_number in (2, 3):
        [message] = errors_of(result, row_number)
        assert "looks like an Excel date" in message, message


# --- weak spot: a damaged warehouse ---------------------------------------------------------


@pytest.mark.dbt
def test_a_damaged_warehouse_points_at_rollback_and_is_never_kept(
    demo_warehouse, tmp_path: Path, capsys
) -> None:
    warehouse = tmp_path / "stls.duckdb"
    shutil.copyfile(demo_warehouse, warehouse)
    rejected_file = tmp_path / "not_a_return.csv"  # a load that publishes without dbt
    rejected_file.write_text("hello\n", encoding="utf-8")
    assert stls(["--warehouse", str(warehouse), "load", str(rejected_file)]) == 1
    kept = [v.version_id for v in versions.stored(warehouse)]
    damaged = tmp_path / "damaged.duckdb"  # what a disk fault or a bad copy leaves
    damaged.write_bytes(demo_warehouse.read_bytes()[: 3 * 4096] + bytes(64 * 1024))
    os.replace(damaged, warehouse)
    capsys.readouterr()

    code = stls(["--warehouse", str(warehouse), "load", str(rejected_file)])

    err = capsys.readouterr().err
    assert code == 2
    assert "damaged" in err and "stls rollback" in err, err
    assert len(err.strip().splitlines()) == 1
    assert [v.version_id for v in versions.stored(warehouse)] == kept  # not adopted
    assert stls(["--warehouse", str(warehouse), "dq"]) == 2
    assert "stls rollback" in capsys.readouterr().err

    assert stls(["--warehouse", str(warehouse), "rollback"]) == 0

    assert versions.live_version(warehouse).version_id == kept[-1]
    assert stls(["--warehouse", str(warehouse), "dq"]) == 0
