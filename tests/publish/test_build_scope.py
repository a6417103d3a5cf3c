"""What a load rebuilds (warehouse.publish.scope): a load of only DfE's national files, or only
the child-level files, rebuilds the models those sources feed; a term's returns rebuild all
but the national and child-level models; each leaves every mart exactly as a full build of
the same warehouse would. A new warehouse or a changed dbt project builds in full."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest
from national_files import write_long_csv

from warehouse.core.contracts import (
    CASELOAD_EPISODE,
    CENSUS,
    NATIONAL_DATA,
    NATIONAL_DICTIONARY,
    NATIONAL_NEIGHBOURS,
    PUPIL_CENSUS,
    TERMLY_RETURN,
)
from warehouse.demo import DATA_DIR, children
from warehouse.publish import dbt, scope
from warehouse.publish.load import load, marts_models

NATIONAL = (NATIONAL_DATA, NATIONAL_DICTIONARY, NATIONAL_NEIGHBOURS)
CHILD = (CASELOAD_EPISODE, PUPIL_CENSUS)


def copy_of(warehouse: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "stls.duckdb"
    shutil.copyfile(warehouse, target)
    return target


def builds(warehouse: Path) -> list[str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("select selection from raw.dbt_builds order by built_at").fetchall()
        return [s for (s,) in rows]
    finally:
        con.close()


def marts_that_differ(one: Path, other: Path) -> dict[str, int]:
    """Each mart table whose rows differ between two warehouses -> rows in one not the other."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{one}' as one (read_only)")
        con.execute(f"attach '{other}' as other (read_only)")
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = 'one' and table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        assert set(marts_models()) <= set(tables)
        differ = {}
        for table in tables:
            [(count,)] = con.execute(
                f"select count(*) from ((select * from one.marts.{table} except all "
                f"select * from other.marts.{table}) union all (select * from "
                f"other.marts.{table} except all select * from one.marts.{table}))"
            ).fetchall()
            if count:
                differ[table] = count
        return differ
    finally:
        con.close()


def rebuilt_in_full(warehouse: Path, folder: Path) -> Path:
    """A copy of ``warehouse`` with every seed and model built again: the reference a scoped
    build's marts must equal. Its data tests and unit tests are left out: they change no
    table, and `test_dbt_build.py` runs them all."""
    copy = copy_of(warehouse, folder)
    dbt.build(copy, skip_types=("test", "unit_test"))
    return copy


def test_a_load_of_dfe_figures_rebuilds_only_their_models_and_every_mart_is_as_a_full_build(
    demo_warehouse, tmp_path
):
    warehouse = copy_of(demo_warehouse, tmp_path / "w")
    newer = write_long_csv(
        tmp_path / "lait_bds_long_newer.csv",
        [
            ("SEN_EHC_Excpt_20wks", "2024", "Kent", "41.0", "886", "South East"),
            ("SEN_EHC_Excpt_20wks", "2024", "Medway", "52.5", "887", "South East"),
        ],
    )
    result = load([newer], warehouse)
    assert [f.status for f in result.files] == ["accepted"]
    assert builds(warehouse)[-1] == f"source:stls.dq.{NATIONAL_DATA}_values+"
    assert marts_that_differ(warehouse, rebuilt_in_full(warehouse, tmp_path / "full")) == {}


def test_a_load_of_child_level_files_rebuilds_only_their_models_and_every_mart_is_as_a_full_build(
    demo_warehouse, tmp_path
):
    warehouse = copy_of(demo_warehouse, tmp_path / "w")
    files = children.write_child_level(tmp_path / "children", "small")
    result = load(files, warehouse)
    assert result.accepted
    assert builds(warehouse)[-1] == (
        f"source:stls.dq.{CASELOAD_EPISODE}_values+ source:stls.dq.{PUPIL_CENSUS}_values+"
    )
    assert marts_that_differ(warehouse, rebuilt_in_full(warehouse, tmp_path / "full")) == {}


def test_a_terms_returns_rebuild_all_but_national_and_child_models_every_mart_as_a_full_build(
    demo_warehouse, tmp_path
):
    warehouse = copy_of(demo_warehouse, tmp_path / "w")
    term = tmp_path / "stls_return_ashford_2023-24_t5.csv"
    source = DATA_DIR / "returns" / "2023-24" / "term4" / "stls_return_ashford_2023-24_t4.csv"
    rows = list(csv.reader(source.read_text(encoding="utf-8-sig").splitlines()))
    term_column = rows[0].index("term")
    with term.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(
            [rows[0], *([*r[:term_column], "5", *r[term_column + 1 :]] for r in rows[1:])]
        )
    result = load([term], warehouse)
    assert [f.status for f in result.files] == ["accepted"]
    assert builds(warehouse)[-1] == "all but " + scope.selectors(NATIONAL + CHILD)
    assert marts_that_differ(warehouse, rebuilt_in_full(warehouse, tmp_path / "full")) == {}


@pytest.mark.dbt
def test_a_new_warehouse_builds_the_empty_groups_models_and_their_tests_would_pass(tmp_path):
    """A new warehouse's first load of district files builds in full, the national and
    child-level models included (every page finds its marts), without those groups' data
    tests: with no rows from their sources the models are empty, and the tests left out,
    run here, pass."""
    warehouse = tmp_path / "new" / "stls.duckdb"
    warehouse.parent.mkdir()
    returns = DATA_DIR / "returns" / "2023-24" / "term1"
    result = load([next(returns.glob("*.csv")), DATA_DIR / "census"], warehouse)
    assert result.accepted and not result.rejected
    assert builds(warehouse) == [scope.FULL]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert scope.empty_groups(con) == (*NATIONAL, *CHILD)
    finally:
        con.close()
    copy = copy_of(warehouse, tmp_path / "tested")
    groups = scope.selectors(NATIONAL + CHILD).split()
    ran = dbt.build(copy, select=" ".join(f"{g},resource_type:test" for g in groups))
    tests = [n for n in ran.nodes if n.resource_type == "test"]
    assert len(tests) >= 20 and all(n.status == "pass" for n in tests)
    models = dbt.build(copy, select=" ".join(groups), skip_types=("test", "unit_test"))
    con = duckdb.connect(str(warehouse), read_only=True)  # as the load left them
    try:
        for node in models.nodes:
            if node.resource_type == "model":
                name = node.name.rsplit(".", 1)[-1]
                [(schema,)] = con.execute(
                    "select table_schema from information_schema.tables where table_name = ?",
                    [name],
                ).fetchall()
                [(rows,)] = con.execute(f'select count(*) from {schema}."{name}"').fetchall()
                assert rows == 0, name
    finally:
        con.close()


def test_the_comparison_sees_a_changed_mart(demo_warehouse, tmp_path):
    changed = copy_of(demo_warehouse, tmp_path / "changed")
    con = duckdb.connect(str(changed))
    con.execute("update marts.fct_census set pupils = pupils + 1 where census_year = 2024")
    con.close()
    assert "fct_census" in marts_that_differ(demo_warehouse, changed)


PROJECT = "p1"


@pytest.mark.parametrize(
    ("sources", "last_full", "complete", "select", "exclude"),
    [
        ({NATIONAL_DATA}, PROJECT, True, f"source:stls.dq.{NATIONAL_DATA}_values+", None),
        (
            {NATIONAL_DICTIONARY, NATIONAL_DATA},
            PROJECT,
            True,
            f"source:stls.dq.{NATIONAL_DATA}_values+ source:stls.dq.{NATIONAL_DICTIONARY}_values+",
            None,
        ),
        # The census feeds every figure: all but the groups it brings no file of.
        ({CENSUS}, PROJECT, True, None, scope.selectors(CHILD + NATIONAL)),
        ({NATIONAL_DATA, CENSUS}, PROJECT, True, None, scope.selectors(CHILD)),
        ({TERMLY_RETURN, PUPIL_CENSUS}, PROJECT, True, None, scope.selectors(NATIONAL)),
        ({TERMLY_RETURN, PUPIL_CENSUS, NATIONAL_NEIGHBOURS}, PROJECT, True, None, None),
        ({NATIONAL_DATA}, "p0", True, None, None),  # last built in full by another project
        ({CENSUS}, None, True, None, None),  # never recorded a full build
        ({TERMLY_RETURN}, PROJECT, False, None, None),  # new, or a mart is missing
        (set(), PROJECT, True, None, None),  # nothing new: a rebuild is a full one
    ],
)
def test_what_a_load_rebuilds(sources, last_full, complete, select, exclude):
    chosen = scope.plan(sources, project=PROJECT, last_full=last_full, complete=complete)
    assert (chosen.select, chosen.exclude) == (select, exclude)
    assert chosen.label == (select or (f"all but {exclude}" if exclude else scope.FULL))
    # The unit tests and the seeds' own tests check the project alone: no load runs them
    # (make test does). Only a full build reloads the seeds and re-creates the views.
    scoped = chosen.label != scope.FULL
    assert chosen.skip_types == (("seed", "unit_test") if scoped else ("unit_test",))
    expected = [exclude, scope.SEED_TESTS, scope.VIEWS if scoped else None]
    assert chosen.dbt_exclude == " ".join(filter(None, expected))


def test_a_full_build_leaves_out_only_the_tests_of_the_empty_groups():
    new = scope.plan([TERMLY_RETURN], project=PROJECT, last_full=None, complete=False, empty=CHILD)
    assert (new.label, new.untested) == (scope.FULL, scope.selectors(CHILD))
    assert new.dbt_exclude == " ".join(
        [
            *(f"{part},resource_type:test" for part in scope.selectors(CHILD).split()),
            scope.SEED_TESTS,
        ]
    )
    # A scoped build leaves the empty groups out altogether already.
    term = scope.plan(
        [TERMLY_RETURN], project=PROJECT, last_full=PROJECT, complete=True, empty=CHILD
    )
    assert (term.exclude, term.untested) == (scope.selectors(CHILD + NATIONAL), None)


def test_the_project_hash_follows_the_dbt_project(tmp_path, monkeypatch):
    project = tmp_path / "dbt"
    shutil.copytree(scope.DBT_DIR / "models", project / "models")
    (project / "dbt_project.yml").write_text("name: stls\n", encoding="utf-8")
    monkeypatch.setattr(scope, "DBT_DIR", project)
    before = scope.project_hash()
    assert scope.project_hash() == before
    model = next((project / "models").rglob("*.sql"))
    model.write_text(model.read_text(encoding="utf-8") + "\n-- changed\n", encoding="utf-8")
    assert scope.project_hash() != before
