"""A broken national file (Source 4) through `stls load`: the rows that break Source 4's rules
are quarantined alone, the rest is published, and the steward sees why (`stls dq`)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from apptest import open_tables
from national_files import folder_with, write_long_csv
from streamlit.testing.v1 import AppTest

from warehouse import cli
from warehouse.publish import connect
from warehouse.quality import dq

ROOT = Path(__file__).resolve().parents[2]

GOOD = [
    ("SEN_TotStat", "2024", "Kent", "5.4", "886", "South East"),
    ("SEN_TotStat", "2025", "Kent", "5.8", "886", "South East"),
    ("SEN_TotStat", "2025", "Essex", "-", "881", "East of England"),
    ("SEN_TotStat", "2025", "England", "5.3", "970", "NA"),
    ("SEN_TotStat", "2025", "South East", "5.5", "989", "NA"),
    ("SEN_EHC_Excpt_20wks", "2024", "Kent", "33.3", "886", "South East"),
    ("SEN_EHC_Excpt_20wks", "2024", "Essex", "c", "881", "East of England"),
]
BROKEN = {
    # data row number (header is row 1) -> what the steward should read about it
    9: ("SEN_TotStat", "2025", "Nowhere", "4.0", "ABC", "South East"),
    10: ("SEN_TotStat", "2025", "Bexley", "n/a", "303", "Outer London"),
    11: ("SEN_EHC_Excpt_20wks", "2024", "Devon", "20.1", "878", "South West"),
    12: ("SEN_EHC_Excpt_20wks", "2024", "Devon", "22.4", "878", "South West"),
    13: ("NOT_A_DFE_CODE", "2024", "Kent", "1.0", "886", "South East"),
}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> tuple[Path, int, str, str]:
    folder = tmp_path_factory.mktemp("national_broken")
    data = write_long_csv(folder / "lait_bds_long.csv", [*GOOD, *BROKEN.values()])
    folder_with(folder, data)
    warehouse = folder / "w.duckdb"
    status = cli.main(["--warehouse", str(warehouse), "load", str(folder)])
    return warehouse, status, str(folder), data.name


def test_the_broken_rows_are_quarantined_and_the_rest_published(loaded) -> None:
    warehouse, status, _, name = loaded
    assert status == 1  # something was held back
    con = connect.connect(warehouse)
    try:
        outcomes = dict(
            con.execute(
                """
                select o.row_number, o.outcome
                from dq.row_outcomes o join raw.files f using (file_id)
                where f.file_name = $name
                """,
                {"name": name},
            ).fetchall()
        )
        published = con.execute(
            "select indicator_code, la_number, year_published, value, value_symbol "
            "from marts.fct_la_indicator_year order by all"
        ).fetchall()
    finally:
        con.close()
    quarantined = {row for row, outcome in outcomes.items() if outcome == "quarantined"}
    assert quarantined == set(BROKEN)
    assert len(outcomes) == len(GOOD) + len(BROKEN)  # nothing received is lost
    assert sorted(published) == sorted(
        [
            ("SEN_EHC_Excpt_20wks", 881, "2024", None, "c"),
            ("SEN_EHC_Excpt_20wks", 886, "2024", 33.3, None),
            ("SEN_TotStat", 881, "2025", None, "-"),
            ("SEN_TotStat", 886, "2024", 5.4, None),
            ("SEN_TotStat", 886, "2025", 5.8, None),
            ("SEN_TotStat", 970, "2025", 5.3, None),
            ("SEN_TotStat", 989, "2025", 5.5, None),
        ]
    )


def test_the_steward_sees_why(loaded, capsys) -> None:
    warehouse = loaded[0]
    capsys.readouterr()
    assert cli.main(["--warehouse", str(warehouse), "dq", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    by_row: dict[int, str] = {}
    for check in result["checks"]:
        for row in check["sample"]:
            if row["file"] == "lait_bds_long.csv" and check["severity"] == "error":
                by_row[row["row"]] = by_row.get(row["row"], "") + " " + row["message"]
    assert set(by_row) == set(BROKEN)
    assert "ABC" in by_row[9]
    assert "n/a" in by_row[10]
    assert "rows 11, 12" in by_row[11] and "rows 11, 12" in by_row[12]
    assert "'NOT_A_DFE_CODE' is not in the indicator dictionary in force" in by_row[13]
    assert cli.main(["--warehouse", str(warehouse), "dq"]) == 0
    text = capsys.readouterr().out
    assert "lait_bds_long.csv" in text and "row 10," in text  # grouped by file, then row
    assert "the rest was published" in text


def test_the_data_quality_page_shows_the_quarantined_national_rows(loaded, monkeypatch) -> None:
    monkeypatch.setenv("STLS_WAREHOUSE", str(loaded[0]))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/data_quality.py")
    at.run()
    open_tables(at)
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Rows set aside"] == str(len(BROKEN))
    failing = pd.concat([frame.value for frame in at.dataframe], ignore_index=True).to_csv()
    con = connect.connect(loaded[0])
    try:
        load_id = dq.latest_load_id(con.cursor())
        errors = dq.failing_rows(con.cursor(), load_id).query("severity == 'error'")
    finally:
        con.close()
    assert sorted(errors["row"]) == sorted(BROKEN)  # each failing row once, with its value
    assert set(errors["value"]) == {"ABC", "n/a", "20.1", "22.4", "NOT_A_DFE_CODE"}
    assert "lait_bds_long.csv" in failing
    assert "'n/a'" in failing or "n/a" in failing


def test_a_newer_release_replaces_the_older_one(loaded, tmp_path) -> None:
    warehouse, _, _, _ = loaded
    newer = tmp_path / "release2"
    newer.mkdir()
    write_long_csv(
        newer / "lait_bds_long_2.csv",
        [("SEN_TotStat", "2025", "Kent", "6.1", "886", "South East")],
    )
    assert cli.main(["--warehouse", str(warehouse), "load", str(newer)]) == 0
    con = connect.connect(warehouse)
    try:
        rows = con.execute(
            "select la_number, year_published, value from marts.fct_la_indicator_year"
        ).fetchall()
    finally:
        con.close()
    assert rows == [(886, "2025", 6.1)]
