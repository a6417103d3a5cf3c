"""The dbt project as an analyst meets it: `dbt parse` in dbt/ with the committed
profiles.yml, and what its manifest promises.

One real `dbt parse` (the dbt command, in a subprocess, from inside dbt/) writes the manifest
to a temporary folder; the tests read it:

- every dashboard page (pages/*.py) and `stls report tables` has an exposure naming it;
- every mart (models/marts/) has an enforced contract, and every column of it a data type
  and a description; every model has a description;
- a mart column whose constraint already guarantees not_null/unique has no data test that
  repeats it (the constraint replaced the test to make the build cheaper), nor has a staging
  view a test that the raw or dq table it renames guarantees by its own DDL;
- `make docs` builds dbt's docs site as one self-contained page the dashboard serves;
- the separable groups of sources (warehouse.publish.scope) feed models no other source
  feeds, so a load can leave a group's subgraph out of its build.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import duckdb
import pytest

from warehouse.core.contracts import (
    CASELOAD_EPISODE,
    CHILD_SOURCES,
    NATIONAL_DATA,
    NATIONAL_SOURCES,
    TERMLY_RETURN,
)

ROOT = Path(__file__).resolve().parents[2]
DBT_DIR = ROOT / "dbt"
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))


def dbt_command() -> str:
    """The dbt of the interpreter running the tests (the project's venv), else PATH's."""
    beside = Path(sys.executable).with_name("dbt")
    found = str(beside) if beside.exists() else shutil.which("dbt")
    assert found, "no dbt command next to the interpreter or on PATH"
    return found


def run_parse(tmp: Path) -> subprocess.CompletedProcess[str]:
    """`dbt parse` run from dbt/, as an analyst would type it: no --profiles-dir, so dbt must
    find the committed dbt/profiles.yml; HOME is empty so ~/.dbt/profiles.yml cannot help."""
    home = tmp / "home"
    home.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "STLS_WAREHOUSE": str(tmp / "any.duckdb"),
        "DO_NOT_TRACK": "1",
    }
    env.pop("DBT_PROFILES_DIR", None)
    args = ["parse", "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs")]
    return subprocess.run(
        [dbt_command(), *args, "--no-partial-parse", "--no-use-colors"],
        cwd=DBT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("dbt_parse")
    result = run_parse(tmp)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads((tmp / "target" / "manifest.json").read_text(encoding="utf-8"))


def models(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]


def marts(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    found = [m for m in models(manifest) if m["original_file_path"].startswith("models/marts/")]
    assert found, "no models under models/marts/"
    return found


@pytest.mark.dbt
def test_dbt_parse_works_in_dbt_folder_with_the_committed_profile(tmp_path: Path) -> None:
    result = run_parse(tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["metadata"]["project_name"] == "stls"
    assert any(n["resource_type"] == "model" for n in manifest["nodes"].values())


def test_every_page_and_the_committee_tables_have_an_exposure(manifest: dict[str, Any]) -> None:
    exposures = list(manifest["exposures"].values())
    named = set()
    for exposure in exposures:
        meta = exposure.get("meta") or exposure.get("config", {}).get("meta") or {}
        named.update(str(v) for v in meta.values())
        if exposure.get("url"):
            named.add(exposure["url"])
    assert PAGES, "no pages/*.py found"
    missing = [page for page in PAGES if not any(page in name for name in named)]
    assert not missing, f"pages with no exposure (meta.page) in dbt/: {missing}"
    assert "stls report tables" in named, "no exposure for `stls report tables`"
    for exposure in exposures:
        assert exposure["depends_on"]["nodes"], f"{exposure['name']} names nothing it reads"


def test_exposures_name_the_marts_each_page_reads(manifest: dict[str, Any]) -> None:
    reads = {}
    for exposure in manifest["exposures"].values():
        meta = exposure.get("meta") or {}
        key = meta.get("page") or meta.get("command")
        reads[key] = {node.split(".")[-1] for node in exposure["depends_on"]["nodes"]}
    assert "mart_figure_district_term" in reads["pages/overview.py"]
    assert reads["stls report tables"] == reads["pages/overview.py"]
    assert {"loads", "files", "submissions", "row_outcomes", "issues", "check_results"} <= (
        reads["pages/data_quality.py"]
    )
    assert {"dim_figure", "dim_measure", "dim_phase"} <= reads["pages/about.py"]


def test_every_mart_has_an_enforced_contract(manifest: dict[str, Any]) -> None:
    loose = [m["name"] for m in marts(manifest) if not m["config"]["contract"]["enforced"]]
    assert not loose, f"marts without an enforced contract: {loose}"


def test_every_mart_column_has_a_type_and_a_description(manifest: dict[str, Any]) -> None:
    problems = []
    for mart in marts(manifest):
        if not mart["columns"]:
            problems.append(f"{mart['name']}: no columns listed")
        for column in mart["columns"].values():
            if not (column.get("description") or "").strip():
                problems.append(f"{mart['name']}.{column['name']}: no description")
            if not column.get("data_type"):
                problems.append(f"{mart['name']}.{column['name']}: no data_type")
    assert not problems, "\n".join(problems)


def test_every_model_has_a_description(manifest: dict[str, Any]) -> None:
    bare = [m["name"] for m in models(manifest) if not (m.get("description") or "").strip()]
    assert not bare, f"models without a description: {bare}"


def test_constraints_are_not_repeated_as_data_tests(manifest: dict[str, Any]) -> None:
    guaranteed: dict[tuple[str, str], set[str]] = {}
    for mart in marts(manifest):
        for column in mart["columns"].values():
            types = {c["type"] for c in column.get("constraints", [])}
            if "primary_key" in types:
                types |= {"not_null", "unique"}
            guaranteed[(mart["unique_id"], column["name"])] = types
        for constraint in mart.get("constraints", []):
            if constraint["type"] == "primary_key":
                for name in constraint.get("columns", []):
                    guaranteed.setdefault((mart["unique_id"], name), set()).add("not_null")
    repeated = repeated_tests(manifest, guaranteed)
    assert not repeated, f"data tests a constraint already guarantees: {repeated}"


def test_no_model_test_copies_a_seeds_code_list(manifest: dict[str, Any]) -> None:
    """A list of codes (phases, terms, sources, SEN statuses...) lives in its seed: a model's
    column drawn from one is tested against the seed (relationships, or relationships_where
    for a part of it), never with the codes copied into an accepted_values test."""
    codes: dict[str, set[str]] = {}
    for path in (DBT_DIR / "seeds").glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            codes[path.stem] = {row[0] for row in list(csv.reader(handle))[1:] if row}
    copied = []
    for test in manifest["nodes"].values():
        meta = test.get("test_metadata") or {}
        if meta.get("name") != "accepted_values" or test["original_file_path"].startswith("seeds/"):
            continue  # a seed's own tests check the seed's values
        values = {str(value) for value in meta["kwargs"]["values"]}
        copied += [
            f"{test['name']}: seeds/{seed}.csv" for seed, keys in codes.items() if values <= keys
        ]
    assert not copied, f"code lists copied from a seed: {copied}"


def repeated_tests(
    manifest: dict[str, Any], guaranteed: dict[tuple[str, str], set[str]]
) -> list[str]:
    """The not_null, unique and not_null_columns tests whose every column already carries
    what they test: ``guaranteed`` maps (model unique id, column) to {"not_null", "unique"}."""
    repeated = []
    for test in manifest["nodes"].values():
        if test["resource_type"] != "test" or not test.get("test_metadata"):
            continue
        kind = test["test_metadata"]["name"]
        if kind in ("not_null", "unique"):
            columns, need = [test.get("column_name")], kind
        elif kind == "not_null_columns":
            columns, need = test["test_metadata"]["kwargs"]["column_names"], "not_null"
        else:
            continue
        attached = test.get("attached_node")
        if all(need in guaranteed.get((attached, column), set()) for column in columns):
            repeated.append(test["name"])
    return repeated


def table_guarantees() -> dict[tuple[str, str, str], set[str]]:
    """(schema, table, column) -> what the loader's own DDL (warehouse.ingest.schema,
    warehouse.quality.schema) makes DuckDB enforce: "not_null", and "unique" for a
    one-column primary key or unique constraint."""
    from warehouse.ingest.schema import ensure_raw
    from warehouse.quality.schema import ensure_dq

    con = duckdb.connect()
    try:
        ensure_raw(con)
        ensure_dq(con)
        rows = con.execute(
            "select schema_name, table_name, constraint_type, constraint_column_names "
            "from duckdb_constraints()"
        ).fetchall()
    finally:
        con.close()
    guaranteed: dict[tuple[str, str, str], set[str]] = {}
    for schema, table, kind, columns in rows:
        for column in columns:
            found = guaranteed.setdefault((schema, table, column), set())
            if kind in ("NOT NULL", "PRIMARY KEY"):
                found.add("not_null")
            if kind in ("PRIMARY KEY", "UNIQUE") and len(columns) == 1:
                found.add("unique")
    return guaranteed


_RENAMED = re.compile(r"\b(\w+)\s+as\s+(\w+)\b", re.IGNORECASE)


def test_staging_views_do_not_test_what_their_tables_enforce(manifest: dict[str, Any]) -> None:
    """A staging view renames one raw or dq table, so a not_null or unique test on a column
    the table's DDL already enforces can never fail: it would only cost a build node."""
    enforced = table_guarantees()
    guaranteed: dict[tuple[str, str], set[str]] = {}
    for model in models(manifest):
        if not model["original_file_path"].startswith("models/staging/"):
            continue
        [source_id] = model["depends_on"]["nodes"]
        source = manifest["sources"][source_id]
        renamed = {new: old for old, new in _RENAMED.findall(model["raw_code"])}
        for column in model["columns"]:
            table_column = (source["schema"], source["identifier"], renamed.get(column, column))
            guaranteed[(model["unique_id"], column)] = enforced.get(table_column, set())
    assert guaranteed, "no staging model columns found"
    repeated = repeated_tests(manifest, guaranteed)
    assert not repeated, f"data tests the raw and dq tables' DDL already guarantees: {repeated}"


def descendants(manifest: dict[str, Any], roots: set[str]) -> set[str]:
    """Every model downstream of the ``roots`` (unique ids)."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        for child in manifest["child_map"].get(todo.pop(), []):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return {n for n in seen if n.startswith("model.")}


def test_each_separable_group_feeds_models_no_other_source_feeds(
    manifest: dict[str, Any],
) -> None:
    from warehouse.core.contracts import READ_SOURCES
    from warehouse.publish.scope import SEPARABLE_GROUPS, selectors

    def own_tables(source: str) -> set[str]:
        return {f"source.stls.dq.{source}_values", f"source.stls.raw.{source}"}

    declared = set(manifest["sources"])
    for group, sources in SEPARABLE_GROUPS.items():
        # The build excludes exactly these roots' subgraph (the selectors scope writes).
        roots = {f"source.stls.dq.{s}_values" for s in sources}
        assert selectors(sources).split() == sorted(
            f"source:stls.{r.removeprefix('source.stls.')}+" for r in roots
        )
        assert roots <= declared, f"{group}: a source table is not declared"
        others = set().union(*(own_tables(s) for s in READ_SOURCES if s not in sources))
        shared = descendants(manifest, roots) & descendants(manifest, others & declared)
        assert not shared, f"models of the {group} group that other sources feed: {shared}"


def dbt_listed(tmp: Path, *selection: str) -> dict[str, str]:
    """The nodes `dbt ls` lists with ``selection``: unique id -> resource type, in this process."""
    from dbt.cli.main import dbtRunner

    args = ["ls", "--output", "json", "--output-keys", "unique_id", "resource_type"]
    args += ["--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR), "--quiet"]
    args += ["--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs")]
    outcome = dbtRunner().invoke([*args, *selection])
    assert outcome.success, outcome.exception
    return {row["unique_id"]: row["resource_type"] for row in map(json.loads, outcome.result)}


def of_type(nodes: dict[str, str], kind: str) -> set[str]:
    return {uid for uid, resource_type in nodes.items() if resource_type == kind}


@pytest.mark.dbt
@pytest.mark.parametrize(
    ("sources", "complete", "empty"),
    [
        ([TERMLY_RETURN], True, ()),
        ([TERMLY_RETURN], False, ()),
        ([TERMLY_RETURN], False, (*NATIONAL_SOURCES, *CHILD_SOURCES)),
        ([NATIONAL_DATA], True, ()),
        ([CASELOAD_EPISODE], True, ()),
    ],
    ids=["a-term", "a-new-warehouse", "a-new-warehouse-of-district-files", "dfe-figures", "child"],
)
def test_a_loads_build_leaves_out_only_the_seeds_own_tests_and_scoped_the_views(
    manifest: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sources: list[str],
    complete: bool,
    empty: tuple[str, ...],
) -> None:
    """Of what dbt would build with a load's selection (dbt's default eager tests), the
    load's build leaves out the tests of nothing but seeds (the project's own lists, which
    make test checks) and of the separable groups with no rows, and no other test; a scoped
    build also leaves out the views (made by the last full build), and no other model."""
    from warehouse.publish import scope

    monkeypatch.setenv("STLS_WAREHOUSE", str(tmp_path / "any.duckdb"))
    build = scope.plan(sources, project="p", last_full="p", complete=complete, empty=empty)
    assert (build.label == scope.FULL) is not complete
    chosen = ["--select", *build.select.split()] if build.select else []
    if build.exclude:  # the untouched subgraphs
        chosen += ["--exclude", *build.exclude.split()]
    before = dbt_listed(tmp_path, *chosen)
    after = dbt_listed(
        tmp_path,
        *(["--select", *build.select.split()] if build.select else []),
        "--exclude",
        *build.dbt_exclude.split(),
        "--indirect-selection",
        scope.INDIRECT_SELECTION,
    )
    seeds_only = {
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "test"
        and node["depends_on"]["nodes"]
        and all(parent.startswith("seed.") for parent in node["depends_on"]["nodes"])
    }
    assert seeds_only, "no test of the seeds alone: the check would pass vacuously"
    groups = scope.selectors(empty).split()
    of_empty = of_type(dbt_listed(tmp_path, "--select", *groups), "test") if empty else set()
    assert bool(of_empty) is bool(empty), "no test of an empty group: the check is vacuous"
    assert of_type(after, "test") == of_type(before, "test") - seeds_only - of_empty
    views = {
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "view"
    }
    left_out = views if complete else set()
    assert of_type(before, "model") & views, "no view in the build: the check is vacuous"
    assert of_type(after, "model") == of_type(before, "model") - left_out


def listed_for(tmp: Path, build_args: dict[str, Any]) -> dict[str, str]:
    """What `dbt ls` lists for one build's arguments, as ``Builder.build`` passes them."""
    args: list[str] = []
    if build_args.get("select"):
        args += ["--select", *build_args["select"].split()]
    if build_args.get("exclude"):
        args += ["--exclude", *build_args["exclude"].split()]
    args += ["--exclude-resource-type", *build_args["skip_types"]]
    return dbt_listed(tmp, *args, "--indirect-selection", build_args["indirect_selection"])


@pytest.mark.dbt
def test_a_full_build_made_in_two_parts_is_the_full_build(
    manifest: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new warehouse's load makes the seeds and the views that read no built table while
    it audits (scope.AHEAD_*), then the rest: the two parts share no node, and together
    are the build one part would make; the first runs no test and makes no table, nor any
    view over one."""
    from warehouse.publish import scope

    monkeypatch.setenv("STLS_WAREHOUSE", str(tmp_path / "any.duckdb"))
    empty = (*NATIONAL_SOURCES, *CHILD_SOURCES)
    whole = scope.plan([TERMLY_RETURN], project="p", last_full=None, complete=False, empty=empty)
    assert whole.label == scope.FULL

    def args(build: scope.Build) -> dict[str, Any]:
        return {
            "select": build.select,
            "exclude": build.dbt_exclude,
            "skip_types": build.skip_types,
            "indirect_selection": scope.INDIRECT_SELECTION,
        }

    one_part = listed_for(tmp_path, args(whole))
    ahead = listed_for(
        tmp_path,
        {
            "select": scope.AHEAD_SELECT,
            "exclude": scope.AHEAD_EXCLUDE,
            "skip_types": scope.AHEAD_SKIP_TYPES,
            "indirect_selection": scope.INDIRECT_SELECTION,
        },
    )
    made = [manifest["nodes"][uid]["name"] for uid in of_type(ahead, "model")]
    rest_build = scope.plan(
        [TERMLY_RETURN], project="p", last_full=None, complete=False, empty=empty, ahead=made
    )
    assert rest_build.label == scope.FULL  # recorded as the full build it completes
    rest = listed_for(tmp_path, args(rest_build))

    assert not ahead.keys() & rest.keys()
    assert ahead | rest == one_part
    assert of_type(ahead, "seed") == of_type(one_part, "seed") != set()
    assert set(ahead.values()) == {"seed", "model"}
    nodes = manifest["nodes"]
    assert all(nodes[uid]["config"]["materialized"] == "view" for uid in of_type(ahead, "model"))
    tables = {
        uid
        for uid, node in nodes.items()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "table"
    }
    assert not descendants(manifest, tables) & ahead.keys()
    assert of_type(rest, "model") & {
        uid for uid, node in nodes.items() if node["config"].get("materialized") == "view"
    }, "no view over a table left for the rest: the exclusion is not exercised"


@pytest.mark.dbt
def test_make_docs_builds_a_self_contained_docs_site(demo_warehouse: Path, tmp_path: Path) -> None:
    """`make docs` on a built warehouse: one HTML file with the project in it, nothing it
    must fetch from the internet to show, and Streamlit set to serve it from static/."""
    warehouse = tmp_path / "stls.duckdb"
    shutil.copy(demo_warehouse, warehouse)
    out = tmp_path / "site" / "index.html"
    result = subprocess.run(
        # -o: never reinstall the venv from inside a test
        ["make", "-o", ".venv/.installed", "docs", f"DOCS={out}", f"STLS_WAREHOUSE={warehouse}"],
        cwd=ROOT,
        env={**os.environ, "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    html = out.read_text(encoding="utf-8")
    assert "mart_figure_district_term" in html and "page_data_quality" in html
    # Everything is inline: no script, stylesheet or image loaded from another host.
    external = re.findall(r"""<(?:script|link|img)[^>]+(?:src|href)=["']?(?:https?:)?//""", html)
    assert not external, external
    # The docs' usage tracker (the one thing that would call out) is off in the manifest.
    assert '"send_anonymous_usage_stats": false' in html
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableStaticServing"] is True
