"""The data steward's load: write, audit, publish with every kind of bad input.

A base warehouse is built from tests/fixtures/small_batch/load1 (Dover terms 1-2, Thanet
term 1, the January 2024 census, funding). Then a batch with every kind of bad input the
steward meets is loaded on top. Nothing is lost, counts add up, only what passed is
published, a corrected file releases its hold, and reloading changes nothing.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from apptest import open_tables
from warehouses import copy_warehouse

from warehouse.cli import main
from warehouse.demo import DATA_DIR
from warehouse.publish.load import load
from warehouse.quality import dq

BATCH = Path(__file__).resolve().parents[1] / "fixtures" / "small_batch"
TEMPLATE = BATCH / "load1" / "dover_2023-24_t1.csv"

pytestmark = pytest.mark.dbt


def template_rows() -> list[list[str]]:
    with TEMPLATE.open(encoding="utf-8") as handle:
        return list(csv.reader(handle))[1:]


def write_return(path: Path, district: str, term: int, edits=None, extra_rows=()) -> Path:
    """A complete 26-row return for (district, 2023-24, term), with cell edits by row index."""
    rows = [[district, "2023-24", str(term), p, m, v] for _, _, _, p, m, v in template_rows()]
    for index, (column, value) in (edits or {}).items():
        rows[index][column] = value
    rows += [list(r) for r in extra_rows]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["district", "academic_year", "term", "phase", "measure", "value"])
        writer.writerows(rows)
    return path


VALUE, MEASURE, TERM, YEAR, DISTRICT = 5, 4, 2, 1, 0


def bad_batch(folder: Path) -> dict[str, str]:
    """Every kind of bad input; returns file name -> what should happen to it."""
    folder.mkdir()
    write_return(folder / "dover_t3_good.csv", "Dover", 3)
    write_return(folder / "thanet_t3_fractional.csv", "Thanet", 3, {0: (VALUE, "2.5")})
    write_return(folder / "dover_t4_negative.csv", "Dover", 4, {3: (VALUE, "-3")})
    write_return(
        folder / "thanet_t4_duplicate.csv",
        "Thanet",
        4,
        extra_rows=[["Thanet", "2023-24", "4", "primary", "caseload", "999"]],
    )
    write_return(
        folder / "dover_t5_with_stray_rows.csv",
        "Dover",
        5,
        extra_rows=[
            ["Medway", "2023-24", "5", "primary", "caseload", "10"],
            ["Dover", "2023-24", "7", "primary", "caseload", "10"],
            ["Dover", "2023-25", "5", "primary", "caseload", "10"],
        ],
    )
    write_return(folder / "thanet_t5_unknown_measure.csv", "Thanet", 5, {0: (MEASURE, "tea")})
    (folder / "garbage.csv").write_bytes(bytes(range(256)) * 8)
    (folder / "empty.csv").write_bytes(b"")
    (folder / "no_value_column.csv").write_text(
        "district,academic_year,term,phase,measure\nDover,2023-24,6,primary,caseload\n"
    )
    (folder / "utf16.csv").write_bytes(TEMPLATE.read_text().encode("utf-16"))
    (folder / "census_2025_sen_above_pupils.csv").write_text(
        "census_year,district,phase,settings,pupils,sen_support,ehcp\n"
        "2025,Dover,primary,30,6000,5000,2000\n"
        "2025,Thanet,primary,25,5000,600,280\n"
    )
    return {
        "dover_t3_good.csv": "published",
        "thanet_t3_fractional.csv": "held",
        "dover_t4_negative.csv": "held",
        "thanet_t4_duplicate.csv": "held",
        "dover_t5_with_stray_rows.csv": "published, 3 rows quarantined alone",
        "thanet_t5_unknown_measure.csv": "held",
        "garbage.csv": "rejected",
        "empty.csv": "rejected",
        "no_value_column.csv": "rejected",
        "utf16.csv": "rejected",
        "census_2025_sen_above_pupils.csv": "Dover held, Thanet published",
    }


def dq_json(warehouse: Path, capsys, *extra: str) -> dict:
    assert main(["--warehouse", str(warehouse), "dq", "--format", "json", *extra]) == 0
    return json.loads(capsys.readouterr()[0])


def published_values(warehouse: Path) -> dict[tuple[str, int, str, str], int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            """
            select d.district_name, t.term_number, p.phase_code, m.measure_code, f.value
            from marts.fct_termly_return f
            join marts.dim_district d using (district_sk)
            join marts.dim_term t using (term_sk)
            join marts.dim_phase p using (phase_sk)
            join marts.dim_measure m using (measure_sk)
            """
        ).fetchall()
    return {(d, t, p, m): v for d, t, p, m, v in rows}


@pytest.fixture(scope="module")
def loaded(load1_warehouse, tmp_path_factory):
    root = tmp_path_factory.mktemp("steward")
    warehouse = copy_warehouse(load1_warehouse, root)
    before = published_values(warehouse)
    expected = bad_batch(root / "bad")
    result = load([root / "bad"], warehouse)
    return warehouse, root, before, expected, result


def test_bad_batch_exits_1_and_counts_add_up(loaded, capsys):
    warehouse, _root, _before, _expected, result = loaded
    assert result.exit_code == 1
    report = dq_json(warehouse, capsys)
    assert report["status"] == "failed"
    assert report["rows_received"] == report["rows_published"] + report["rows_quarantined"]
    # 6 returns (26 rows, +1 duplicate, +3 stray) and a census of 2 rows were readable.
    assert report["rows_received"] == 6 * 26 + 1 + 3 + 2
    assert report["rows_published"] == 26 + 26 + 1  # Dover T3, Dover T5, Thanet census


def test_every_rejected_file_is_named_with_its_reason(loaded, capsys):
    warehouse, *_ = loaded
    rejected = {f["file"]: f["reason"] for f in dq_json(warehouse, capsys)["files_rejected"]}
    assert set(rejected) == {"garbage.csv", "empty.csv", "no_value_column.csv", "utf16.csv"}
    assert "empty" in rejected["empty.csv"]
    assert "value" in rejected["no_value_column.csv"]
    assert all(reason and "\n" not in reason for reason in rejected.values())


def test_held_submissions_name_district_term_and_reason(loaded, capsys):
    warehouse, *_ = loaded
    held = dq_json(warehouse, capsys)["held_submissions"]
    got = {(h["district"], h["term"] or h["census_year"]) for h in held}
    assert got == {("Thanet", 3), ("Dover", 4), ("Thanet", 4), ("Thanet", 5), ("Dover", 2025)}
    reasons = {(h["district"], h["term"]): h["reason"] for h in held}
    assert "2.5" in reasons[("Thanet", 3)]
    assert "tea" in reasons[("Thanet", 5)]


def test_stray_rows_are_quarantined_alone_and_kept_in_raw(loaded):
    warehouse, *_ = loaded
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            """
            select r.district, r.term, r.academic_year, o.outcome, o.reason
            from raw.termly_return r
            join dq.row_outcomes o using (file_id, row_number)
            where r.file_name = 'dover_t5_with_stray_rows.csv' and o.submission_id is null
            order by r.row_number
            """
        ).fetchall()
    assert [(d, t, y) for d, t, y, _, _ in rows] == [
        ("Medway", "5", "2023-24"),
        ("Dover", "7", "2023-24"),
        ("Dover", "5", "2023-25"),
    ]
    assert {o for *_, o, _ in rows} == {"quarantined"}
    assert all(reason for *_, reason in rows)


def test_published_figures_are_exactly_the_submissions_that_passed(loaded):
    warehouse, root, before, _expected, _result = loaded
    after = published_values(warehouse)
    new = {k: v for k, v in after.items() if k not in before}
    expected = {}
    for name, term in (("dover_t3_good.csv", 3), ("dover_t5_with_stray_rows.csv", 5)):
        with (root / "bad" / name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if (row["district"], row["term"], row["academic_year"]) == (
                    "Dover",
                    str(term),
                    "2023-24",
                ):
                    expected[("Dover", term, row["phase"], row["measure"])] = int(row["value"])
    assert new == expected
    # Everything published before is unchanged.
    assert {k: after[k] for k in before} == before


def test_a_corrected_resubmission_releases_the_hold(loaded, capsys, tmp_path):
    warehouse, *_ = loaded
    # Thanet has 25 primary schools in the census: engaged (row 1) and LIFT (row 4) fit.
    fixed = write_return(
        tmp_path / "thanet_t3_corrected.csv", "Thanet", 3, {1: (VALUE, "25"), 4: (VALUE, "20")}
    )
    assert load([fixed], warehouse).exit_code == 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        holds = dq.holds(con)
    held = holds[holds["file_name"] == "thanet_t3_fractional.csv"]
    released = list(zip(held["released_by_file"], strict=True))
    assert released == [("thanet_t3_corrected.csv",)]
    assert ("Thanet", 3, "early_years", "settings_engaged") in published_values(warehouse)


def test_reloading_identical_files_changes_nothing(loaded, capsys):
    warehouse, root, *_ = loaded
    values = published_values(warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        raw_rows = con.execute("select count(*) from raw.termly_return").fetchone()[0]
    result = load([root / "bad"], warehouse)
    assert result.exit_code == 0
    report = dq_json(warehouse, capsys)
    assert report["rows_received"] == report["rows_published"] == report["rows_quarantined"] == 0
    assert len(report["files_already_loaded"]) == 11
    assert published_values(warehouse) == values
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw.termly_return").fetchone()[0] == raw_rows


def test_the_reports_own_funding_table_publishes_with_warnings_naming_its_flaws(tmp_path, capsys):
    warehouse = tmp_path / "stls.duckdb"
    funding = tmp_path / "funding"
    shutil.copytree(DATA_DIR / "funding", funding)
    result = load([funding], warehouse)
    assert result.exit_code == 0
    report = dq_json(warehouse, capsys)
    assert report["status"] == "warnings"
    assert report["rows_quarantined"] == 0
    assert not [c for c in report["checks"] if c["severity"] == "error"]
    messages = {c["check"]: [s["message"] for s in c["sample"]] for c in report["checks"]}
    spelling = " ".join(messages["district_spelling_is_standard"])
    assert "Folkstone and Hythe" in spelling and "Folkestone and Hythe" in spelling
    total = " ".join(messages["total_is_core_plus_outreach"])
    assert "Tunbridge Wells" in total and "£364,800" in total and "£364,850" in total
    county = " ".join(messages["county_total_matches_districts"])
    assert "£5,856,468" in county and "£5,856,469" in county
    # Each flaw is found in both years' files.
    counts = {c["check"]: c["failing_rows"] for c in report["checks"]}
    assert counts["district_spelling_is_standard"] == 2
    assert counts["total_is_core_plus_outreach"] == 2
    assert counts["county_total_matches_districts"] == 2


# ---------------------------------------------------------------- the Data quality page

ROOT = Path(__file__).resolve().parents[2]


def dq_page(monkeypatch, warehouse: Path, **params: str):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("STLS_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/data_quality.py")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    open_tables(at)
    assert not at.exception
    return at


def first_load(warehouse: Path, where: str = "true") -> str:
    """The id of the earliest load in ``raw.loads`` matching the SQL condition ``where``."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            f"select load_id from raw.loads where {where} order by load_seq limit 1"
        ).fetchone()[0]


def frame_with_column(at, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_page_shows_the_latest_load_at_a_glance(loaded, monkeypatch, capsys):
    warehouse, *_ = loaded
    report = dq_json(warehouse, capsys)
    at = dq_page(monkeypatch, warehouse)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Files received"] == f"{report['files_received']:,}"
    assert metrics["Rows published"] == f"{report['rows_published']:,}"
    assert metrics["Rows set aside"] == f"{report['rows_quarantined']:,}"
    received = f"Of the {report['rows_received']:,} rows this load received"
    assert any(c.value.startswith(received) for c in at.caption)
    live = next(c.value for c in at.caption if "published by load" in c.value)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        latest = con.execute("select load_seq from raw.loads order by load_seq desc").fetchone()
    assert f"published by load {latest[0]} on " in live


def test_page_district_filter_and_download_hold_the_rows_shown(loaded, monkeypatch, downloads):
    import io

    import pandas as pd

    warehouse, *_ = loaded
    at = dq_page(monkeypatch, warehouse, load=first_load(warehouse, "status = 'failed'"))
    everyone = frame_with_column(at, "Value as sent")
    at.selectbox(key="dq_district").select("Thanet").run()
    assert not at.exception
    thanet = frame_with_column(at, "Value as sent")
    assert set(thanet["District"]) == {"Thanet"}
    assert 0 < len(thanet) < len(everyone)
    button = next(b for b in at.get("download_button") if "failing rows" in b.proto.label)
    assert not button.proto.url  # written when pressed, not on every run of the page
    sent = pd.read_csv(io.BytesIO(downloads.of(button)), dtype=str, keep_default_na=False)
    assert len(sent) == len(thanet)
    assert list(sent["district"]) == list(thanet["District"])
    assert list(sent["message"]) == list(thanet["What is wrong"])
    assert "2.5" in set(sent["value"])  # the fractional value, as Thanet sent it


def test_page_opens_the_load_named_in_the_link(loaded, monkeypatch):
    warehouse, *_ = loaded
    first = first_load(warehouse)
    at = dq_page(monkeypatch, warehouse, load=first)
    assert at.selectbox(key="dq_load").value == first
    assert at.header[0].value == "Published, with warnings to review"


def test_the_data_docs_are_zipped_when_asked_for_not_on_every_run(loaded, monkeypatch, downloads):
    """The Data Docs' ZIP (a folder of HTML, every load's) is made when its button is
    pressed: a page run that zipped it each time spent 103-152 ms (the 20-year bench-scale
    warehouse) on a download nobody asked for (issue 14: nothing is computed that the page
    does not show)."""
    import io
    import zipfile

    from warehouse.dashboard import app_data

    zipped: list[str] = []
    real = app_data._zip_folder
    monkeypatch.setattr(app_data, "_zip_folder", lambda *args: zipped.append(args) or real(*args))
    warehouse, *_ = loaded
    # A load that wrote Data Docs (others in this module may load nothing new later).
    at = dq_page(monkeypatch, warehouse, load=first_load(warehouse, "data_docs is not null"))
    button = next(b for b in at.get("download_button") if "Data Docs" in b.proto.label)
    assert zipped == [] and not button.proto.url
    data = downloads.of(button)  # pressed
    assert zipped and len(zipped) == 1
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert any(name.endswith("/index.html") for name in archive.namelist())
