"""The `stls` command: exit codes, one-line errors, output formats."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from warehouse.cli import main, parse_terms
from warehouse.core.errors import LoadError
from warehouse.publish.load import exclusive

BATCH = Path(__file__).resolve().parent / "fixtures" / "small_batch"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err: str, *fragments: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.mark.parametrize(
    ("text", "terms"),
    [("1-4", (1, 2, 3, 4)), ("1,3", (1, 3)), ("2", (2,)), ("5-6,1", (1, 5, 6))],
)
def test_parse_terms(text, terms):
    assert parse_terms(text) == terms


def test_report_without_a_warehouse_says_what_to_run(capsys, tmp_path):
    missing = tmp_path / "nothing.duckdb"
    code, out, err = run(
        capsys, "--warehouse", str(missing), "report", "tables", "--year", "2023-24"
    )
    assert code == 2 and out == ""
    assert_one_line_error(err, str(missing), "stls demo")


def test_load_of_a_path_that_does_not_exist(capsys, tmp_path):
    code, _, err = run(
        capsys, "--warehouse", str(tmp_path / "w.duckdb"), "load", str(tmp_path / "nope")
    )
    assert code == 2
    assert_one_line_error(err, "nope", "no such file")
    assert not (tmp_path / "w.duckdb").exists()


@pytest.fixture(scope="module")
def warehouse(load1_warehouse) -> Path:
    """The small batch's first load (conftest), which `stls report` only reads."""
    return load1_warehouse


@pytest.mark.dbt
@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--terms", "7-9"], "terms are numbered 1 to 6"),
        (["--terms", "first"], "write terms like 1-4"),
        (["--district", "Medway"], "unknown district 'Medway'"),
        (["--year", "2030-31"], "no published termly returns"),
    ],
)
def test_report_bad_arguments_are_one_line(capsys, warehouse, args, fragment):
    year = [] if "--year" in args else ["--year", "2023-24"]
    code, out, err = run(capsys, "--warehouse", str(warehouse), "report", "tables", *year, *args)
    assert code == 2 and out == ""
    assert_one_line_error(err, fragment)


@pytest.mark.dbt
def test_report_formats(capsys, warehouse, tmp_path):
    base = [
        "--warehouse",
        str(warehouse),
        "report",
        "tables",
        "--year",
        "2023-24",
        "--terms",
        "1-2",
    ]
    code, out, _ = run(capsys, *base, "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["academic_year"] == "2023-24" and data["terms"] == [1, 2]
    assert set(data["engagement_pct"]) == {"early_years", "primary", "secondary"}
    assert set(data["lift_sen_status_pct"]) == {"sen_support", "receiving_hnf", "has_ehcp"}

    code, out, _ = run(capsys, *base, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    engagement = {r["breakdown"]: r for r in rows if r["figure"] == "engagement_pct"}
    assert float(engagement["primary"]["value"]) == pytest.approx(data["engagement_pct"]["primary"])
    assert engagement["primary"]["display"].endswith("%")

    code, out, _ = run(capsys, *base, "--format", "md")
    assert out.startswith("# STLS committee tables, 2023-24, Terms 1-2")
    assert "| Terms 1-2 2023-24 |" in out

    code, out, _ = run(capsys, *base)
    assert "Settings engaging with the service (Table 1)" in out

    target = tmp_path / "tables.xlsx"
    code, _, err = run(capsys, *base, "--format", "xlsx", "--output", str(target))
    assert code == 0 and target.stat().st_size > 0 and str(target) in err
    from openpyxl import load_workbook

    sheet = load_workbook(target)["Tables"]
    assert sheet["A3"].value == "figure"


@pytest.mark.dbt
def test_load_exit_codes_dq_counts_and_reload_is_a_no_op(capsys, tmp_path):
    path = tmp_path / "stls.duckdb"
    shutil.copytree(BATCH, tmp_path / "batch")
    code, out, _ = run(capsys, "--warehouse", str(path), "load", str(tmp_path / "batch" / "load1"))
    assert code == 0 and "WARNINGS" in out  # 10 of 12 districts have not sent

    code, out, _ = run(
        capsys,
        "--warehouse",
        str(path),
        "load",
        str(tmp_path / "batch" / "load2"),
        "--format",
        "json",
    )
    result = json.loads(out)
    assert code == 1
    assert result["status"] == "failed"
    assert result["rows_received"] == result["rows_published"] + result["rows_quarantined"]
    assert result["rows_quarantined"] == 26  # the held Dover term 2 resubmission
    assert [f["file"] for f in result["files_rejected"]] == ["not_a_spreadsheet.csv"]
    assert result["held_submissions"][0]["district"] == "Dover"

    code, out, _ = run(capsys, "--warehouse", str(path), "dq", "--format", "json")
    assert json.loads(out)["load_id"] == result["load_id"]

    code, out, _ = run(
        capsys,
        "--warehouse",
        str(path),
        "load",
        str(tmp_path / "batch" / "load1"),
        "--format",
        "json",
    )
    again = json.loads(out)
    assert code == 0
    assert again["rows_received"] == again["rows_published"] == again["rows_quarantined"] == 0
    assert len(again["files_already_loaded"]) == 5


def test_a_second_load_at_once_stops_with_a_clear_message(tmp_path):
    path = tmp_path / "stls.duckdb"
    with (
        exclusive(path),
        pytest.raises(LoadError, match="another load is running"),
        exclusive(path),
    ):
        pass


@pytest.mark.parametrize(
    "command",
    [[str(Path(sys.executable).with_name("stls"))], [sys.executable, "-m", "warehouse.cli"]],
    ids=["stls", "python-m"],
)
def test_installed_command_never_prints_a_traceback(tmp_path, command):
    """Both ways in end through ``cli.run``, with ``main``'s exit code."""
    done = subprocess.run(
        [*command, "--warehouse", str(tmp_path / "w.duckdb"), "dq"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert_one_line_error(done.stderr, "no warehouse here")
