"""Every figure is defined once: the figure catalogue and dbt work each one out, Python only
pools a selection, and every surface (the CLI, the pages, their downloads) gives the same
number. Also: one term grammar, one number parser, and the analyst's walk-through.
"""

from __future__ import annotations

import ast
import csv
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from apptest import open_tables
from streamlit.testing.v1 import AppTest
from warehouses import copy_warehouse

from warehouse import cli
from warehouse.core import contracts, figures, paths
from warehouse.dashboard import filters
from warehouse.publish.load import load
from warehouse.reporting import render

ROOT = Path(__file__).resolve().parents[2]
BATCH = Path(__file__).resolve().parents[1] / "fixtures" / "small_batch"

# ---------------------------------------------------------------- a return missing a measure


@pytest.fixture(scope="module")
def gap_warehouse(tmp_path_factory, load1_warehouse) -> Path:
    """The small batch (tests/reporting/test_report_definitions.py) with Dover's term 1 sent again
    without settings_engaged: the audit only warns, the resubmission is published, and
    Dover term 1 is unknown for engagement and known for everything else. The first load
    is the run's shared one (conftest), copied."""
    folder = tmp_path_factory.mktemp("gap")
    shutil.copytree(BATCH / "load2", folder / "load2")
    with (BATCH / "load1" / "dover_2023-24_t1.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.reader(handle) if r[4] != "settings_engaged"]
    with (folder / "load2" / "dover_2023-24_t1_again.csv").open(
        "w", encoding="utf-8", newline=""
    ) as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    warehouse = copy_warehouse(load1_warehouse, folder)
    assert load([folder / "load2"], warehouse).exit_code == 1  # held Dover T2, rejected file
    return warehouse


# Census settings: Dover EY 50, P 30, S 6; Thanet EY 40, P 25, S 5. Engagement: Dover T1
# (left out), Dover T2 42/29/6, Thanet T1 (corrected) 30/25/5.
ENGAGEMENT = {
    "early_years": 100 * (42 + 30) / (50 + 40),
    "primary": 100 * (29 + 25) / (30 + 25),
    "secondary": 100 * (6 + 5) / (6 + 5),
}
# LIFT attendance keeps Dover T1: EY 20 + 22 + 10 over 50 + 50 + 40 (as before the gap).
LIFT = {
    "early_years": 100 * (20 + 22 + 10) / 140,
    "primary": 100 * (25 + 24 + 20) / 85,
    "secondary": 100 * (3 + 4 + 2) / 17,
}


def report_json(capsys, warehouse: Path, *extra: str) -> dict:
    code = cli.main(
        [
            "--warehouse",
            str(warehouse),
            "report",
            "tables",
            "--year",
            "2023-24",
            "--terms",
            "1-2",
            "--format",
            "json",
            *extra,
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)


@pytest.mark.dbt
def test_a_missing_measure_is_unknown_for_its_figures_only(capsys, gap_warehouse):
    tables = report_json(capsys, gap_warehouse, "--district", "Dover", "--district", "Thanet")
    assert tables["engagement_pct"] == pytest.approx(ENGAGEMENT, rel=1e-12)
    assert tables["lift_attendance_pct"] == pytest.approx(LIFT, rel=1e-12)
    left_out = {(r["district"], r["term"], r["figure"]) for r in tables["left_out"]}
    # Thanet's corrected term 1 leaves out early-years transition events (the fixture's).
    assert left_out == {("Dover", 1, "engagement_pct"), ("Thanet", 1, "transition_events_avg")}
    assert any("Dover term 1" in note for note in tables["notes"])
    assert tables["missing_district_terms"] == [{"district": "Thanet", "term": 2}]


def engagement_page(monkeypatch, warehouse: Path, phase: str) -> AppTest:
    monkeypatch.setenv("STLS_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update(
        {"year": "2023-24", "terms": "1-2", "phase": phase, "measure": "engagement"}
    )
    at.switch_page("pages/engagement.py")
    at.run()
    open_tables(at)
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.dbt
@pytest.mark.parametrize("phase", ["early_years", "primary", "secondary"])
def test_the_engagement_page_and_its_download_equal_the_report(
    monkeypatch, capsys, gap_warehouse, downloads, phase
):
    import io

    import pandas as pd

    tables = report_json(capsys, gap_warehouse)
    at = engagement_page(monkeypatch, gap_warehouse, phase)
    by_district = at.table[0].value.set_index("District")
    column = next(c for c in by_district.columns if c.endswith("(%)"))
    shown = by_district.loc["Kent", column]
    assert shown == render.display("engagement_pct", tables["engagement_pct"][phase])
    button = at.get("download_button")[0]
    frame = pd.read_csv(io.BytesIO(downloads.of(button)), dtype=str)
    assert frame.set_index("District").loc["Kent", column] == shown.rstrip("%")
    # Each district's own figure too (Dover: term 2 only; Thanet: term 1).
    for district in ("Dover", "Thanet"):
        own = report_json(capsys, gap_warehouse, "--district", district)
        expected = render.display("engagement_pct", own["engagement_pct"][phase])
        assert by_district.loc[district, column] == expected


# ---------------------------------------------------------------- arithmetic lives in one place

# Modules that may divide, and why. Everything else under warehouse/, pages/ and app.py
# may not: a figure's arithmetic is dbt's, and its pooling is warehouse/core/pooling.py's.
MAY_DIVIDE = {
    "warehouse/core/pooling.py": "pools a selection of figure rows: the one place that does",
    "warehouse/reporting/stats.py": "Pearson's r of pooled figures",
    "warehouse/ingest/reading.py": "file sizes in MiB for the steward's messages",
    "warehouse/ingest/decoding.py": "byte counts of a file being read (control bytes, samples)",
    "warehouse/ingest/workbook_process.py": "the child reader's memory cap in GiB, for a message",
    "warehouse/dashboard/charts.py": "chart layout (panels per row, legend offset)",
    "warehouse/publish/upload.py": "how far a load from the browser is, for its progress bar",
    "warehouse/demo/generate.py": "writes the illustrative demo files",
    "warehouse/demo/children.py": "writes the illustrative child-level demo files",
}


def _divisions(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div | ast.FloorDiv):
            right = node.right
            if isinstance(right, ast.JoinedStr) or (
                isinstance(right, ast.Constant) and isinstance(right.value, str)
            ):
                continue  # a path: folder / "name"
            found.append(f"{path}:{node.lineno}: {ast.unparse(node)}")
        elif (isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Div | ast.FloorDiv)) or (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"div", "truediv", "divide", "rdiv", "rtruediv", "pct_change"}
        ):
            found.append(f"{path}:{node.lineno}: {ast.unparse(node)}")
    return found


def python_files() -> list[Path]:
    return sorted(
        [*(ROOT / "warehouse").rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]
    )


def test_no_module_outside_pooling_divides_one_figure_by_another():
    offending = []
    for path in python_files():
        if path.relative_to(ROOT).as_posix() in MAY_DIVIDE:
            continue
        offending += _divisions(path)
    assert offending == [], "divide only in warehouse/core/pooling.py:\n" + "\n".join(offending)


def test_the_division_check_would_catch_a_ratio(tmp_path):
    planted = tmp_path / "page.py"
    planted.write_text("rate = 100 * engaged / settings\nfolder = root / 'x'\n")
    assert len(_divisions(planted)) == 1
    assert _divisions(ROOT / "warehouse" / "core" / "pooling.py")  # the allowed place divides


def test_pages_hold_no_sql():
    for path in (ROOT / "pages").glob("*.py"):
        text = path.read_text(encoding="utf-8").lower()
        for word in ("select ", "duckdb", ".execute("):
            assert word not in text, f"{path.name} holds {word!r}"


# ---------------------------------------------------------------- one term grammar, one list


@pytest.mark.parametrize(
    "text", ["1-4", "1,3", "2", "5-6,1", " 1 - 2 , 4", "1-4,", "01", "4-1", "7", "1,,2", "", "x"]
)
def test_the_cli_and_the_address_read_terms_the_same_way(text):
    try:
        expected = contracts.parse_terms(text)
    except ValueError:
        expected = None
    assert filters.parse_terms(text) == expected
    if expected is None:
        with pytest.raises(cli.UsageError):
            cli.parse_terms(text)
    else:
        assert cli.parse_terms(text) == expected
        assert contracts.parse_terms(contracts.format_terms(expected)) == expected


def test_phases_and_labels_come_from_the_seeds():
    with (paths.SEEDS_DIR / "phases.csv").open(encoding="utf-8") as handle:
        seeded = list(csv.DictReader(handle))
    in_census = tuple(r["phase_code"] for r in seeded if r["in_census"] == "true")
    assert in_census == contracts.CENSUS_PHASES
    assert list(filters.PHASES)[1:] == list(in_census)
    for row in seeded:
        assert figures.breakdown_label(row["phase_code"]) == row["short_label"]


# ---------------------------------------------------------------- one number parser


@pytest.mark.dbt
def test_the_warehouse_reads_numbers_only_as_the_audit_did(tmp_path):
    """Cells the audit rejects ('12,04', '1 204', an em space before a number) are held,
    never read another way by dbt; cells it accepts are published as it read them."""
    rows = [["district", "academic_year", "term", "phase", "measure", "value"]]
    with (BATCH / "load1" / "dover_2023-24_t1.csv").open(encoding="utf-8") as handle:
        rows += list(csv.reader(handle))[1:]
    odd = {
        ("primary", "settings_engaged"): "12,04",
        ("secondary", "settings_engaged"): "1 204",
        ("early_years", "caseload"): "\u2003100",
        ("primary", "caseload"): "1,200",
    }
    for row in rows[1:]:
        row[5] = odd.get((row[3], row[4]), row[5])
    folder = tmp_path / "files"
    shutil.copytree(BATCH / "load1", folder)
    with (folder / "dover_2023-24_t1.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    warehouse = tmp_path / "stls.duckdb"
    load([folder], warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        read = dict(
            con.execute(
                """
                select r.value, v.value
                from raw.termly_return r
                join dq.termly_return_values v using (file_id, row_number)
                where r.value in ('12,04', '1 204', '\u2003100', '1,200')
                """
            ).fetchall()
        )
        [(status,)] = con.execute(
            "select status from dq.submissions where district = 'Dover' and term = 1"
        ).fetchall()
        published = con.execute(
            """
            select count(*) from marts.fct_termly_return f
            join marts.dim_district d using (district_sk)
            where d.district_name = 'Dover'
            """
        ).fetchone()[0]
    finally:
        con.close()
    assert read == {"12,04": None, "1 204": None, "\u2003100": None, "1,200": 1200}
    assert status == "held" and published == 26  # Dover term 2 only


def _published(warehouse: Path) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select * from marts.fct_figure_district_term order by all").fetchall()
    finally:
        con.close()


@pytest.mark.dbt
def test_a_warehouse_from_before_the_audit_kept_its_reading_is_backfilled(
    tmp_path, load1_warehouse
):
    usual = copy_warehouse(load1_warehouse, tmp_path / "usual")
    upgraded = copy_warehouse(load1_warehouse, tmp_path / "upgraded")
    con = duckdb.connect(str(upgraded))
    for source in contracts.SOURCES:  # as a warehouse loaded by an earlier version
        con.execute(f"delete from dq.{source}_values")
    con.close()
    for warehouse in (usual, upgraded):
        load([BATCH / "load2"], warehouse)
    con = duckdb.connect(str(upgraded), read_only=True)
    try:
        missing = con.execute(
            """
            select count(*) from raw.termly_return r
            anti join dq.termly_return_values v using (file_id, row_number)
            """
        ).fetchone()[0]
    finally:
        con.close()
    assert missing == 0
    assert _published(upgraded) == _published(usual)


@pytest.mark.dbt
def test_the_audit_checks_a_return_against_the_census_dbt_uses(tmp_path):
    """The audit checks settings engaged against the census before dbt runs (this load's
    own census rows may be new), so it applies the census fallback to them itself. On
    what is published, its choice must be dbt's: here Dover has a 2023 census only and
    Thanet a 2022 one and a 2024 one, so 2023-24 returns fall back for Dover."""
    from warehouse.publish.baseline import census_and_caseload
    from warehouse.quality import submissions as audit_submissions

    folder = tmp_path / "files"
    folder.mkdir()
    for name in ("dover_2023-24_t1.csv", "thanet_2023-24_t1.csv"):
        shutil.copy(BATCH / "load1" / name, folder / name)
    lines = (BATCH / "load1" / "census_2024.csv").read_text(encoding="utf-8").splitlines()
    census = [lines[0]]
    for line in lines[1:]:
        if line.startswith("2024,Dover"):
            census.append(line.replace("2024,Dover", "2023,Dover"))
        else:
            census += [line, line.replace("2024,Thanet", "2022,Thanet").replace(",5,", ",4,")]
    (folder / "census.csv").write_text("\n".join(census) + "\n", encoding="utf-8")
    warehouse = tmp_path / "stls.duckdb"
    load([folder], warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        published, _ = census_and_caseload(con)
        submissions = con.sql(
            """
            select submission_id, district, academic_year
            from intermediate.int_submissions__latest_published
            where source = 'termly_return'
            """
        ).pl()
        dbt_census = {
            (d, y, p): (s, c)
            for d, y, p, s, c in con.execute(
                """
                select district, academic_year, phase_code, settings, census_year_used
                from intermediate.int_census__district_phase_year
                """
            ).fetchall()
        }
    finally:
        con.close()
    audit = audit_submissions._census_settings(submissions, published)
    compared = 0
    for row in audit.join(submissions, on="submission_id").iter_rows(named=True):
        for phase in contracts.CENSUS_PHASES:
            chosen = (row[f"census_settings_{phase}"], row[f"census_year_{phase}"])
            assert chosen == dbt_census[(row["district"], row["academic_year"], phase)]
            compared += 1
    assert compared == 6
    assert dbt_census[("Dover", "2023-24", "primary")][1] == 2023  # the fallback happened
