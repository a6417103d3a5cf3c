"""The dbt project end to end: hand-made raw + dq rows in, marts out.

One real ``dbt build`` for the module (seeds, models, data tests and unit tests) on a small
warehouse written here row by row, the way the loader and audit would write it:

- two districts (Dover, Ashford), academic years 2022-23 and 2023-24;
- Dover 2023-24 T1 sent twice, both published: the second replaces the first as a whole
  (its transition_events figure is missing from the correction and must not survive);
- Dover 2023-24 T2 sent twice, the second held: the first stays in force;
- a quarantined row that fits no district-term (unknown district);
- the January 2023 census only: 2023-24 (census year 2024) falls back to it;
- 2023-24 funding with money strings, a blank optional other_income and a "Total" row.

Expected figures below are worked out by hand from these rows.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from warehouse.ingest.schema import ensure_raw
from warehouse.publish import dbt
from warehouse.quality.schema import ensure_dq
from warehouse.quality.store import backfill_row_values

pytestmark = pytest.mark.dbt

# (file_id, load_id, received_seq, file_name, source)
FILES = [
    ("L1/1", "L1", 1, "returns_2023-24_t1.csv", "termly_return"),
    ("L1/2", "L1", 2, "dover_2023-24_t2.csv", "termly_return"),
    ("L1/3", "L1", 3, "census_2023.csv", "census"),
    ("L1/4", "L1", 4, "funding_2023-24.csv", "funding"),
    ("L1/5", "L1", 5, "ashford_2022-23_t6.csv", "termly_return"),
    ("L2/1", "L2", 6, "dover_2023-24_t1_corrected.csv", "termly_return"),
    ("L2/2", "L2", 7, "dover_2023-24_t2_again.csv", "termly_return"),
    ("L2/3", "L2", 8, "ashford_2023-24_t2.csv", "termly_return"),
]

PHASES3 = ("early_years", "primary", "secondary")


def figures(engaged, lift, training, caseload, targets=None, extra=()):
    """Termly rows (phase, measure, value) for one submission."""
    rows = []
    for name, values in (
        ("settings_engaged", engaged),
        ("settings_attending_lift", lift),
        ("settings_attending_training", training),
        ("caseload", caseload),
    ):
        rows += [(phase, name, value) for phase, value in zip(PHASES3, values, strict=True)]
    if targets:
        names = ("targets_reviewed", "cases_closed_targets_met", "targets_amended")
        rows += [("school_age", name, v) for name, v in zip(names, targets, strict=True)]
    return rows + list(extra)


# (file_id, district as written, canonical district, year as written, term, status, rows)
# fmt: off
TERMLY = [
    ("L1/1", "Dover", "Dover", "2023-24", 1, "published",
     figures((90, 50, 10), (20, 30, 5), (10, 20, 4), (100, 200, 30), (100, 30, 20),
             extra=[("early_years", "transition_events", "5")])),
    ("L1/1", "Ashford Borough", "Ashford", "2023-24", 1, "published",
     figures((60, 38, 8), (12, 20, 3), (6, 15, 2), (90, 150, 25), (80, 20, 10))),
    ("L1/2", "Dover", "Dover", "2023-24", 2, "published",
     figures((70, 40, 8), (15, 25, 4), (8, 18, 3), (120, 220, 50), (100, 20, 30))),
    ("L1/5", "Ashford", "Ashford", "2022-23", 6, "published",
     figures((50, 35, 7), (10, 18, 2), (5, 10, 1), (80, 140, 20), (50, 10, 5))),
    # The correction of Dover T1: replaces L1/1's Dover rows as a whole (no transition_events).
    ("L2/1", " Dover ", "Dover", "2023/24", 1, "published",
     figures((80, 45, 9), (20, 30, 5), (10, 20, 4), ("110", "210", "40"), ("120", "36", "24"))),
    # A later Dover T2 that the audit held: never replaces L1/2.
    ("L2/2", "Dover", "Dover", "2023-24", 2, "held",
     figures((99, 99, 99), (1, 1, 1), (1, 1, 1), (999, 999, 999), (1, 1, 1))),
    ("L2/3", "Ashford", "Ashford", "2023-24", 2, "published",
     figures((64, 36, 6), (16, 22, 2), (7, 17, 3), (95, 160, 30), (60, 12, 12))),
]
# fmt: on

# census 2023: (district, phase, settings, pupils, sen_support, ehcp)
CENSUS_2023 = [
    ("Dover", "early_years", "100", "2,000", "200", "50"),
    ("Dover", "primary", "50", "10,000", "1,200", "400"),
    ("Dover", "secondary", "10", "8,000", "900", "300"),
    ("Ashford", "early_years", "80", "1,500", "150", "40"),
    ("Ashford", "primary", "40", "9,000", "1,000", "350"),
    ("Ashford", "secondary", "8", "7,000", "700", "250"),
]

# funding 2023-24: (district cell, core, outreach, total, other_income)
FUNDING = [
    ("Dover", "£283,230", "£180,000", "£463,230", ""),
    ("Ashford", "292,840", "210,000", "£502,840", "£17,751"),
    ("Total", "", "", "£966,000", ""),
]


def write_warehouse(path: Path) -> None:
    """The raw and dq rows the loader and audit would have written."""
    con = duckdb.connect(str(path))
    ensure_raw(con)
    ensure_dq(con)
    con.execute(
        "insert into raw.loads values "
        "('L1', 1, '2024-03-01 09:00', '2024-03-01 09:01', 'failed', 'load', '[]', 'test',"
        " null, null),"
        "('L2', 2, '2024-05-01 09:00', '2024-05-01 09:01', 'failed', 'load', '[]', 'test',"
        " null, null)"
    )
    for file_id, load_id, seq, name, source in FILES:
        con.execute(
            "insert into raw.files values (?, ?, ?, ?, ?, 'sha-' || ?, 1, 'csv', 'utf-8', ?,"
            " 'accepted', null, 0, null)",
            [file_id, load_id, seq, name, "/in/" + name, file_id, source],
        )
    seq_of = {f[0]: f[2] for f in FILES}
    name_of = {f[0]: f[3] for f in FILES}
    next_row: dict[str, int] = {}

    def lineage(file_id: str) -> list:
        next_row[file_id] = next_row.get(file_id, 1) + 1  # row 1 is the header
        load_id = file_id.split("/")[0]
        return [load_id, file_id, name_of[file_id], "sha-" + file_id, next_row[file_id]]

    def submission(file_id, source, district, year, term, census_year, rows, status):
        period = year + (f"/T{term}" if term else "") if census_year is None else str(census_year)
        sid = f"{file_id}/{district}/{period}"
        con.execute(
            "insert into dq.submissions values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [sid, source, file_id.split("/")[0], file_id, name_of[file_id], seq_of[file_id],
             district, year, term, census_year, rows, status,
             "an error" if status == "held" else None],
        )  # fmt: skip
        return sid

    def outcome(source, lin, sid, district, year, term, census_year, status):
        con.execute(
            "insert into dq.row_outcomes values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null)",
            [source, lin[0], lin[1], lin[4], sid, district, year, term, census_year,
             "published" if status == "published" else "quarantined"],
        )  # fmt: skip

    for file_id, written, district, year_written, term, status, rows in TERMLY:
        year = "2023-24" if year_written == "2023/24" else year_written
        sid = submission(file_id, "termly_return", district, year, term, None, len(rows), status)
        for phase, measure, value in rows:
            lin = lineage(file_id)
            con.execute(
                "insert into raw.termly_return values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null)",
                [*lin, written, year_written, f" {term}", phase.upper(), measure, str(value)],
            )
            outcome("termly_return", lin, sid, district, year, term, None, status)
    # A row that fits no district-term: quarantined on its own, no submission.
    lin = lineage("L2/3")
    con.execute(
        "insert into raw.termly_return values (?, ?, ?, ?, ?, 'Medway', '2023-24', '2',"
        " 'primary', 'caseload', '999', null)",
        lin,
    )
    outcome("termly_return", lin, None, None, "2023-24", 2, None, "quarantined")

    for district in ("Dover", "Ashford"):
        rows = [r for r in CENSUS_2023 if r[0] == district]
        sid = submission("L1/3", "census", district, "2022-23", None, 2023, len(rows), "published")
        for _, phase, *values in rows:
            lin = lineage("L1/3")
            con.execute(
                "insert into raw.census values (?, ?, ?, ?, ?, '2023', ?, ?, ?, ?, ?, ?, null)",
                [*lin, district, phase, *values],
            )
            outcome("census", lin, sid, district, None, None, 2023, "published")

    for cell, *money in FUNDING:
        lin = lineage("L1/4")
        con.execute(
            "insert into raw.funding values (?, ?, ?, ?, ?, '2023-24', ?, ?, ?, ?, ?, null)",
            [*lin, cell, *money],
        )
        if cell == "Total":
            outcome("funding", lin, None, None, "2023-24", None, None, "published")
        else:
            sid = submission("L1/4", "funding", cell, "2023-24", None, None, 1, "published")
            outcome("funding", lin, sid, cell, "2023-24", None, None, "published")
    # The audit's reading of every cell (dq.<source>_values), by the audit's own code.
    assert backfill_row_values(con) > 0
    con.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dbt.DbtResult, Path]]:
    path = tmp_path_factory.mktemp("dbt") / "w.duckdb"
    write_warehouse(path)
    yield dbt.build(path), path


@pytest.fixture(scope="module")
def con(built: tuple[dbt.DbtResult, Path]) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(built[1]), read_only=True)
    yield connection
    connection.close()


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    rows = con.execute(sql, params or []).fetchall()
    assert len(rows) == 1, rows
    return rows[0] if len(rows[0]) > 1 else rows[0][0]


def test_build_runs_every_node_and_test(built: tuple[dbt.DbtResult, Path]) -> None:
    """The whole project, unexcluded: this is where make test (and so CI) runs the project's
    own checks that no load runs (warehouse.publish.scope: UNIT_TESTS, SEED_TESTS): every unit test
    and every data test of the seeds."""
    result, path = built
    counts = result.counts
    assert set(counts) <= {"success", "pass", "no-op"}, result.summary()
    # dbt lists the exposures (pages, the committee tables) as nodes with nothing to run
    no_op = {node.resource_type for node in result.nodes if node.status == "no-op"}
    assert no_op <= {"exposure"}, result.summary()
    kinds = {node.resource_type for node in result.nodes}
    assert {"seed", "model", "test", "unit_test"} <= kinds
    assert result.work_dir == path.with_name("w.duckdb.dbt")
    assert (result.work_dir / "target" / "partial_parse.msgpack").exists()
    assert not [w for w in result.warnings if "deprecat" in w.lower()], result.warnings


def test_schemas_are_used_as_named(con: duckdb.DuckDBPyConnection) -> None:
    schemas = {
        r[0]
        for r in con.execute(
            "select distinct table_schema from information_schema.tables"
        ).fetchall()
    }
    assert {"raw", "dq", "seeds", "staging", "intermediate", "marts"} <= schemas
    assert not [s for s in schemas if s.startswith("main_")]


def test_dimensions(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "select count(*) from marts.dim_district") == 12
    assert one(con, "select count(*) from marts.dim_phase") == 4
    assert one(con, "select count(*) from marts.dim_measure") == 14
    years = con.execute(
        "select academic_year, census_year, census_year_used, census_is_fallback"
        " from marts.dim_academic_year order by 1"
    ).fetchall()
    assert years == [("2022-23", 2023, 2023, False), ("2023-24", 2024, 2023, True)]
    assert one(con, "select count(*) from marts.dim_term") == 12
    label = one(
        con,
        "select term_label from marts.dim_term where academic_year = '2023-24' and term_number = 1",
    )
    assert label == "2023-24 T1 (Autumn 1)"
    assert one(con, "select max(term_sort) from marts.dim_term") == 20236


def test_fact_grains_are_unique(con: duckdb.DuckDBPyConnection) -> None:
    grains = {
        "fct_termly_return": "district_sk, term_sk, phase_sk, measure_sk",
        "fct_district_term_submission": "district_sk, term_sk",
        "fct_census": "district_sk, census_year, phase_sk",
        "fct_funding": "district_sk, academic_year_sk",
        "fct_figure_district_term": "figure_sk, breakdown_sk, district_sk, academic_year_sk,"
        " term_sk",
        "mart_figure_district_term": "figure_key, breakdown, district_name, academic_year,"
        " term_number",
        "mart_return_status_district_term": "district_name, academic_year, term_number",
    }
    for table, grain in grains.items():
        duplicates = one(
            con,
            f"select count(*) from (select {grain} from marts.{table} group by all"
            " having count(*) > 1)",
        )
        assert duplicates == 0, table


TERMLY_SQL = """
    select f.value
    from marts.fct_termly_return f
    join marts.dim_district d using (district_sk)
    join marts.dim_term t using (term_sk)
    join marts.dim_phase p using (phase_sk)
    join marts.dim_measure m using (measure_sk)
    where d.district_name = ? and t.academic_year = ? and t.term_number = ?
      and p.phase_code = ? and m.measure_code = ?
"""


def termly(con, district, year, term, phase, measure):
    rows = con.execute(TERMLY_SQL, [district, year, term, phase, measure]).fetchall()
    return rows[0][0] if rows else None


FIGURE_SQL = """
    select is_known, numerator, denominator, reason_code, census_year_used, census_is_fallback
    from marts.mart_figure_district_term
    where figure_key = ? and breakdown = ? and district_name = ? and academic_year = ?
      and term_number is not distinct from ?
"""


def figure(con, key, breakdown, district, year, term=None):
    """One row of the figure mart: (is_known, numerator, denominator, reason_code,
    census_year_used, census_is_fallback)."""
    return one(con, FIGURE_SQL, [key, breakdown, district, year, term])


def test_later_published_submission_replaces_the_earlier_as_a_whole(con) -> None:
    assert termly(con, "Dover", "2023-24", 1, "primary", "caseload") == 210
    assert termly(con, "Dover", "2023-24", 1, "school_age", "targets_reviewed") == 120
    # Only in the superseded file: must not survive.
    assert termly(con, "Dover", "2023-24", 1, "early_years", "transition_events") is None
    file_name = one(
        con,
        "select s.file_name from marts.fct_district_term_submission s"
        " join marts.dim_district d using (district_sk) join marts.dim_term t using (term_sk)"
        " where d.district_name = 'Dover' and t.academic_year = '2023-24' and t.term_number = 1",
    )
    assert file_name == "dover_2023-24_t1_corrected.csv"
    figures_in_force = one(
        con,
        "select count(*) from marts.fct_termly_return f join marts.dim_district d"
        " using (district_sk) join marts.dim_term t using (term_sk)"
        " where d.district_name = 'Dover' and t.academic_year = '2023-24' and t.term_number = 1",
    )
    assert figures_in_force == 15
    # So the figure built on it is unknown for that district-term (not 0, not the old value).
    known, numerator, _, reason, *_ = figure(
        con, "transition_events_avg", "early_years", "Dover", "2023-24", 1
    )
    assert (known, numerator, reason) == (False, None, "measure_missing")


def test_held_submission_keeps_the_earlier_published_figures(con) -> None:
    assert termly(con, "Dover", "2023-24", 2, "primary", "caseload") == 220
    row = one(
        con,
        "select s.file_name, s.later_held_submissions from marts.fct_district_term_submission s"
        " join marts.dim_district d using (district_sk) join marts.dim_term t using (term_sk)"
        " where d.district_name = 'Dover' and t.academic_year = '2023-24' and t.term_number = 2",
    )
    assert row == ("dover_2023-24_t2.csv", 1)
    # Published district-terms: Dover T1, T2; Ashford T1, T2 (2023-24) and T6 (2022-23).
    assert one(con, "select count(*) from marts.fct_district_term_submission") == 5
    status = one(
        con,
        "select return_status from marts.mart_return_status_district_term"
        " where district_name = 'Dover' and academic_year = '2023-24' and term_number = 2",
    )
    assert status == "published_held"
    published = "select count(*) from marts.mart_return_status_district_term"
    assert one(con, published + " where has_published_return") == 5
    known = "select count(*) from marts.mart_figure_district_term where is_known"
    assert one(con, known + " and figure_key = 'caseload_avg' and breakdown = 'primary'") == 5
    assert one(con, known + " and figure_key = 'engagement_pct'") == 15


def test_quarantined_rows_and_stated_totals_are_not_loaded(con) -> None:
    assert one(con, "select count(*) from marts.fct_termly_return where value = 999") == 0
    # The funding file's stated Total (966,000) is never a district (the county check is
    # the audit's): only Dover's and Ashford's SLAs are here.
    count, total = one(con, "select count(*), sum(total_budget) from marts.fct_funding")
    assert (count, float(total)) == (2, 463230.0 + 502840.0)


def test_funding_money_and_per_pupil_figures(con) -> None:
    row = one(
        con,
        """
        select f.core_budget, f.outreach_budget, f.total_budget, f.other_income
        from marts.fct_funding f join marts.dim_district d using (district_sk)
        join marts.dim_academic_year y using (academic_year_sk)
        where d.district_name = 'Dover' and y.academic_year = '2023-24'
        """,
    )
    assert [float(v) for v in row] == [283230.0, 180000.0, 463230.0, 0.0]
    # Per pupil on roll and per SEN pupil: against census 2023 (2024 is not published).
    per_pupil = figure(con, "funding_per_pupil", "all", "Dover", "2023-24")
    assert per_pupil == (True, 463230.0, 10000.0 + 8000.0, None, 2023, True)
    per_sen = figure(con, "funding_per_sen_pupil", "all", "Dover", "2023-24")
    assert per_sen[:3] == (True, 463230.0, 1200.0 + 900.0 + 400.0 + 300.0)
    # Per caseload pupil is pooled term by term: the budget over each term's caseload.
    # Caseload all phases: T1 110+210+40 = 360, T2 120+220+50 = 390; average 375.
    terms = con.execute(
        "select term_number, numerator, denominator from marts.mart_figure_district_term"
        " where figure_key = 'funding_per_caseload_pupil' and district_name = 'Dover'"
        " and academic_year = '2023-24' and is_known order by term_number"
    ).fetchall()
    assert terms == [(1, 463230.0, 360.0), (2, 463230.0, 390.0)]
    pooled = sum(t[1] for t in terms) / sum(t[2] for t in terms)
    assert pooled == pytest.approx(463230 / 375)
    types = dict(
        con.execute(
            "select column_name, data_type from information_schema.columns"
            " where table_schema = 'marts' and table_name = 'fct_funding'"
        ).fetchall()
    )
    assert types["total_budget"] == "DECIMAL(14,2)"


def test_pooled_rates_match_hand_computed_values(con) -> None:
    # Dover 2023-24, T1 + T2, three phases, against census 2023 (the fallback).
    engaged, settings, fallback = one(
        con,
        "select sum(numerator), sum(denominator), bool_and(census_is_fallback)"
        " from marts.mart_figure_district_term where figure_key = 'engagement_pct'"
        " and district_name = 'Dover' and academic_year = '2023-24'",
    )
    assert (engaged, settings, fallback) == (80 + 45 + 9 + 70 + 40 + 8, 2 * 160, True)
    primary = figure(con, "engagement_pct", "primary", "Dover", "2023-24", 1)
    assert primary[:3] == (True, 45, 50)
    # Inclusion, Ashford census 2023 (academic year 2022-23, term 6 only).
    ehcp = figure(con, "ehcp_rate_pct", "school_age", "Ashford", "2022-23")
    assert ehcp[:3] == (True, 350 + 250, 9000 + 7000)
    sen = figure(con, "sen_support_rate_pct", "school_age", "Ashford", "2022-23")
    assert sen[:3] == (True, 1000 + 700, 9000 + 7000)
    for key, numerator in (("engagement_pct", 50 + 35 + 7), ("lift_attendance_pct", 10 + 18 + 2)):
        pooled = one(
            con,
            "select sum(numerator), sum(denominator) from marts.mart_figure_district_term"
            " where figure_key = ? and district_name = 'Ashford' and academic_year = '2022-23'",
            [key],
        )
        assert pooled == (numerator, 80 + 40 + 8), key
    # school-age caseload is primary + secondary: 140 + 20
    reviewed = figure(
        con, "targets_reviewed_pct_of_open_cases", "school_age", "Ashford", "2022-23", 6
    )
    assert reviewed[:3] == (True, 50, 140 + 20)
    closed = figure(
        con, "cases_closed_targets_met_pct_of_reviewed", "school_age", "Ashford", "2022-23", 6
    )
    assert closed[:3] == (True, 10, 50)
    # Dover has no published term in 2022-23: its service figures are unknown, not 0.
    dover = figure(con, "engagement_pct", "primary", "Dover", "2022-23", 6)
    assert dover[:4] == (False, None, None, "no_published_return")


def test_mart_contracts_are_enforced_by_the_tables(
    built: tuple[dbt.DbtResult, Path], tmp_path: Path
) -> None:
    """The marts are created with their contracts' constraints: DuckDB itself refuses a row
    that breaks one (what the not_null/unique/non_negative data tests used to find)."""
    copy = tmp_path / "copy.duckdb"
    shutil.copy(built[1], copy)
    con = duckdb.connect(str(copy))
    try:
        bad = [
            # a duplicate of the grain (primary key)
            "insert into marts.fct_termly_return select * from marts.fct_termly_return limit 1",
            # a negative count (check)
            "insert into marts.fct_census select * replace (-1 as settings, 1999 as census_year)"
            " from marts.fct_census limit 1",
            # a figure with a numerator but a reason it is unknown (model-level check)
            "insert into marts.mart_figure_district_term select * replace"
            " ('no_published_return' as reason_code, 'x' || figure_key as figure_key)"
            " from marts.mart_figure_district_term where is_known limit 1",
            # no district (not null)
            "update marts.mart_return_status_district_term set area = null",
        ]
        for sql in bad:
            with pytest.raises(duckdb.ConstraintException):
                con.execute(sql)
    finally:
        con.close()


def _census_failure(
    built: tuple[dbt.DbtResult, Path], tmp_path: Path, change: str
) -> dbt.NodeResult:
    """The one failing node when int_census__published and what it reads are rebuilt in a
    copy of the built warehouse whose first census row had ``change`` (SQL ``set``) made."""
    copy = tmp_path / "copy.duckdb"
    shutil.copy(built[1], copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute(
            f"update dq.census_values set {change} "
            "where rowid = (select min(rowid) from dq.census_values)"
        )
    finally:
        con.close()
    with pytest.raises(dbt.DbtBuildError) as caught:
        dbt.build(copy, select="+int_census__published")
    [failure] = caught.value.failures
    return failure


def test_an_empty_required_column_fails_the_models_not_null_columns_test(
    built: tuple[dbt.DbtResult, Path], tmp_path: Path
) -> None:
    """A staging or intermediate model's required columns are checked by one
    not_null_columns test (dbt/tests/generic/not_null_columns.sql), not a test per column:
    an empty one still fails the build, and that test is what fails."""
    failure = _census_failure(built, tmp_path, "settings = null")
    assert failure.name.startswith("not_null_columns_int_census__published")


def test_a_negative_count_fails_the_models_non_negative_columns_test(
    built: tuple[dbt.DbtResult, Path], tmp_path: Path
) -> None:
    """Counts and money below zero are checked by one non_negative_columns test per model
    (dbt/tests/generic/non_negative_columns.sql); its failing row names the column."""
    failure = _census_failure(built, tmp_path, "ehcp = -3")
    assert failure.name.startswith("non_negative_columns_int_census__published")
    assert failure.message.startswith("Got 1 result"), failure.message


def test_a_phase_the_census_does_not_count_fails_the_test_against_the_phases_seed(
    built: tuple[dbt.DbtResult, Path], tmp_path: Path
) -> None:
    """The phases a census counts are the phases seed's rows with in_census, read by one
    relationships_where test (dbt/tests/generic/relationships_where.sql), not a copied list:
    a census row for school age, a phase the seed has but not in the census, fails it."""
    failure = _census_failure(built, tmp_path, "phase = 'school_age'")
    assert failure.name.startswith("relationships_where_int_census__published_phase_code")
    assert failure.message.startswith("Got 1 result"), failure.message


def test_a_failing_build_raises_one_line(tmp_path: Path) -> None:
    # A warehouse without the raw and dq schemas: every staging view fails.
    bare = tmp_path / "bare.duckdb"
    duckdb.connect(str(bare)).close()
    with pytest.raises(dbt.DbtBuildError) as caught:
        dbt.build(bare, select="staging")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("dbt build failed in stg_")
    assert "does not exist" in message
    assert caught.value.failures


def test_a_missing_folder_raises_one_line(tmp_path: Path) -> None:
    with pytest.raises(dbt.DbtBuildError) as caught:
        dbt.build(tmp_path / "no-such-folder" / "w.duckdb")
    assert "\n" not in str(caught.value)
    assert "does not exist" in str(caught.value)
