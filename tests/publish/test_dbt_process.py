"""A load's dbt build in its own process (warehouse.publish.dbt_process): it parses while the
load reads and audits, builds when asked, and carries dbt's result, progress and one-line
error back exactly as an in-process build gives them; it never outlives the load."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from warehouse.core.errors import LoadError
from warehouse.demo import DATA_DIR
from warehouse.publish import dbt, dbt_process
from warehouse.publish import load as load_module
from warehouse.publish.load import staging_path


def bare_warehouse(path: Path) -> Path:
    """A DuckDB file without the raw and dq schemas: every staging view fails to build."""
    duckdb.connect(str(path)).close()
    return path


@pytest.mark.dbt
def test_a_failing_build_gives_the_in_process_error_and_its_progress(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    in_process = bare_warehouse(tmp_path / "a" / "w.duckdb")
    in_child = bare_warehouse(tmp_path / "b" / "w.duckdb")
    with pytest.raises(dbt.DbtBuildError) as expected:
        dbt.build(in_process, select="staging")
    progress: list[tuple[int, int]] = []
    with (
        dbt_process.started(in_child) as builder,
        pytest.raises(dbt.DbtBuildError) as caught,
    ):
        builder.build(select="staging", on_node=lambda done, total: progress.append((done, total)))
    assert str(caught.value) == str(expected.value)

    def untimed(error: dbt.DbtBuildError) -> list[tuple[str, str, str, str]]:
        return [(n.unique_id, n.resource_type, n.status, n.message) for n in error.failures]

    assert untimed(caught.value) == untimed(expected.value)
    assert "\n" not in str(caught.value)
    # told as each node starts (the nodes after a failure are skipped, never started)
    totals = {total for _, total in progress}
    dones = [done for done, _ in progress]
    assert len(totals) == 1 and len(set(dones)) == len(dones) > 1
    [total] = totals
    assert all(0 <= done < total for done in dones)


@pytest.mark.dbt
def test_the_load_builds_in_the_child_and_never_imports_dbt_itself(tmp_path: Path) -> None:
    """A real load of one census file into a new warehouse, in a fresh interpreter."""
    warehouse = tmp_path / "w.duckdb"
    census = DATA_DIR / "census" / "school_census_january_2024.csv"
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from warehouse.publish.load import load\n"
        f"result = load([Path({str(census)!r})], Path({str(warehouse)!r}))\n"
        "print(result.version is not None, 'dbt' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["True", "False"]  # published; dbt imported only in the child
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select count(*) from marts.fct_census").fetchone()[0] > 0
    finally:
        con.close()
    log = dbt_process.log_path(tmp_path / "w.duckdb.staging")
    assert log.exists()


@pytest.mark.dbt
def test_the_process_builds_each_part_it_is_asked_for_in_turn(tmp_path: Path) -> None:
    """A part asked for with ``start`` is answered by ``result``; the last, with ``build``."""
    warehouse = bare_warehouse(tmp_path / "w.duckdb")
    with dbt_process.started(warehouse) as builder:
        builder.start(select="districts", indirect_selection="empty")
        first = builder.result()
        last = builder.build(select="phases", indirect_selection="empty")
        process = builder._process
        assert process.wait(timeout=60) == 0  # it ends after the last build
    assert [(n.name, n.status) for n in first.nodes] == [("districts", "success")]
    assert [(n.name, n.status) for n in last.nodes] == [("phases", "success")]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        names = {
            name for (name,) in con.execute("select table_name from duckdb_tables()").fetchall()
        }
    finally:
        con.close()
    assert {"districts", "phases"} <= names


@pytest.mark.dbt
def test_a_load_that_fails_while_its_build_has_started_stops_it_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new warehouse's seeds and views are built while the audit runs: when the audit
    fails, the build process is stopped before the staging file is removed."""
    warehouse = tmp_path / "w.duckdb"
    staging = staging_path(warehouse)
    log = dbt.work_dir_for(staging) / "logs" / "dbt.log"
    processes: list[subprocess.Popen[str]] = []
    real_start = dbt_process.Builder.start

    def start(self: dbt_process.Builder, **request: object) -> None:
        processes.append(self._process)
        real_start(self, **request)  # type: ignore[arg-type]

    def audit_failing_once_the_build_runs(*_args: object) -> None:
        deadline = time.monotonic() + 300
        while " START " not in (log.read_text() if log.exists() else ""):
            assert time.monotonic() < deadline, "the build never started"
            time.sleep(0.05)
        raise LoadError("the data-quality checks could not run: planted")

    monkeypatch.setattr(dbt_process.Builder, "start", start)
    monkeypatch.setattr(load_module, "_audit", audit_failing_once_the_build_runs)
    census = DATA_DIR / "census" / "school_census_january_2024.csv"
    with pytest.raises(LoadError, match="planted"):
        load_module.load([census], warehouse)
    [process] = processes
    assert process.poll() is not None  # stopped with the load
    left = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("w.duckdb"))
    assert not warehouse.exists()
    assert "w.duckdb.staging" not in left and "w.duckdb.staging.wal" not in left, left


@pytest.mark.dbt  # asks the build process to build: `make test-fast` refuses that
def test_a_build_process_that_dies_fails_the_build_with_one_line(tmp_path: Path) -> None:
    warehouse = bare_warehouse(tmp_path / "w.duckdb")
    with dbt_process.started(warehouse) as builder:
        os.kill(builder._process.pid, signal.SIGKILL)
        builder._process.wait(timeout=30)
        with pytest.raises(dbt.DbtBuildError) as caught:
            builder.build()
    message = str(caught.value)
    assert "\n" not in message
    assert "ended without a result (exit code -9)" in message
    assert str(dbt_process.log_path(warehouse)) in message


def test_the_process_never_outlives_a_load_that_asks_for_no_build(tmp_path: Path) -> None:
    warehouse = bare_warehouse(tmp_path / "w.duckdb")
    started = time.monotonic()
    with dbt_process.started(warehouse) as builder:
        process = builder._process
    assert process.poll() is not None  # stopped, not left parsing in the background
    assert time.monotonic() - started < 30
    # and it was stopped before it could build anything
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select count(*) from information_schema.tables").fetchone()[0] == 0
    finally:
        con.close()


def test_the_profile_names_the_warehouse_bare_only_from_its_own_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = tmp_path / "w.duckdb"
    monkeypatch.chdir(tmp_path)
    assert dbt.profile_path(warehouse) == "w.duckdb"
    monkeypatch.chdir(DATA_DIR)
    assert dbt.profile_path(warehouse) == str(warehouse)
    # a folder that does not exist is never the current one
    assert dbt.profile_path(tmp_path / "gone" / "w.duckdb") == str(tmp_path / "gone" / "w.duckdb")


@pytest.mark.dbt
def test_a_new_warehouse_starts_from_the_parse_one_of_its_name_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As in a load's build process: run from the warehouse's folder, the second new
    warehouse parses no file again, and its build writes its own file."""
    monkeypatch.setattr(dbt, "SHARED_PARSE_DIR", tmp_path / "shared")
    parsed: list[int] = []
    manifests = []
    for folder in (tmp_path / "a", tmp_path / "b"):
        folder.mkdir()
        monkeypatch.chdir(folder)
        manifests.append(dbt.parse(folder / "w.duckdb"))
        perf = json.loads((folder / "w.duckdb.dbt" / "target" / "perf_info.json").read_text())
        parsed.append(perf["parsed_path_count"])
    assert parsed[0] > 0 and parsed[1] == 0, parsed
    assert (tmp_path / "shared" / "w.duckdb.msgpack").exists()
    result = dbt.build(
        tmp_path / "b" / "w.duckdb",
        select="districts",
        indirect_selection="empty",
        manifest=manifests[1],
    )
    assert [node.status for node in result.nodes] == ["success"]
    assert not (tmp_path / "a" / "w.duckdb").exists()  # parsing never opens the file
    con = duckdb.connect(str(tmp_path / "b" / "w.duckdb"), read_only=True)
    try:
        names = con.execute("select table_name from information_schema.tables").fetchall()
    finally:
        con.close()
    assert ("districts",) in names
