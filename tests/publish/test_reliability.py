"""Build, then swap: killed loads, concurrent loads, readers during a load, versions, rollback.

Loads run as the real ``stls load`` command in a subprocess and are SIGKILLed at known
points, which the loader's test hook makes deterministic: with ``STLS_TEST_PAUSE_AT=<step>``
it writes ``<warehouse>.paused`` and waits there until the file is deleted. After every
kill the published warehouse must be byte-for-byte what it was, and what ``stls report``
prints must not change; the next load must start (no lock survives its holder) and, at the
end, complete and clean up what the killed ones left.

One scenario (``crash_run``) runs the kills and the completing load in sequence on one
warehouse, recording what it saw; the tests below assert on that record. Real loads cost
10-20 s each (dbt), so the scenario shares them: the completing load is also the one the
readers watch and the one a second, concurrent load is refused beside.

Versions and rollback are tested in this process with loads that publish without running
dbt (files that are rejected: nothing new to build), which take about a second each.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
from warehouses import copy_warehouse

from warehouse.cli import main
from warehouse.core.errors import LoadError
from warehouse.publish import connect, versions
from warehouse.publish.dbt import DbtBuildError, work_dir_for
from warehouse.publish.identity import version_of
from warehouse.publish.load import (
    PAUSE_ENV,
    data_docs_dir,
    load,
    pause_marker,
    staging_path,
)
from warehouse.publish.versions import exclusive, live_version
from warehouse.reporting import committee

pytestmark = pytest.mark.dbt

STLS = Path(sys.executable).with_name("stls")
BATCH = Path(__file__).resolve().parents[1] / "fixtures" / "small_batch"
LOAD1, LOAD2 = BATCH / "load1", BATCH / "load2"
STEP_TIMEOUT = 150  # seconds: a cold dbt parse on a busy 2-core machine takes ~25 s
KILL_POINTS = ("landed", "dbt", "before_swap")


# --------------------------------------------------------------------------------------
# Helpers: the published state, loads in a subprocess, reads
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    """What readers of the published warehouse can tell about it."""

    sha256: str
    report: str  # `stls report tables --year 2023-24 --format json`
    latest_load: str


def stls(warehouse: Path, *args: str | Path) -> subprocess.CompletedProcess:
    """The installed command, run to the end."""
    command = [STLS, "--warehouse", warehouse, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=STEP_TIMEOUT)


def published(warehouse: Path) -> Published:
    done = stls(warehouse, "report", "tables", "--year", "2023-24", "--format", "json")
    assert done.returncode == 0, done.stderr
    digest = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    info = versions.describe(warehouse)
    assert info is not None
    return Published(digest, done.stdout, info.load_id)


def observe(warehouse: Path) -> tuple[object, ...]:
    """One reader's look, through a fresh read-only connection."""
    con = connect.connect(warehouse)
    try:
        return look(con)
    finally:
        con.close()


def look(con: duckdb.DuckDBPyConnection) -> tuple[object, ...]:
    """The termly-return figures, the latest load, and a fingerprint of the committee
    tables as ``stls report`` and the dashboard compute them."""
    cur = con.cursor()
    figures = cur.execute(
        """
        select (select count(*) from marts.fct_termly_return),
               (select sum(value) from marts.fct_termly_return),
               (select max_by(load_id, load_seq) from raw.loads)
        """
    ).fetchone()
    selection = committee.Selection(academic_year="2023-24", terms=(1, 2, 3, 4, 5, 6))
    tables = committee.committee_tables(cur, selection)
    return (*figures, hashlib.sha256(repr(tables).encode()).hexdigest()[:12])


def start_load(warehouse: Path, *paths: Path, pause_at: str | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != PAUSE_ENV}
    if pause_at:
        env[PAUSE_ENV] = pause_at
    env["STLS_TEST_PAUSE_SECONDS"] = str(STEP_TIMEOUT)
    return subprocess.Popen(
        [STLS, "--warehouse", warehouse, "load", *paths, "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def wait_for_pause(warehouse: Path, step: str, process: subprocess.Popen) -> None:
    """Until the load is waiting at ``step``; fails if it ends first."""
    marker = pause_marker(warehouse)
    deadline = time.monotonic() + STEP_TIMEOUT
    while time.monotonic() < deadline:
        if marker.exists() and marker.read_text().startswith(f"{step} {process.pid}"):
            return
        if process.poll() is not None:
            _, err = process.communicate()
            pytest.fail(f"the load ended (exit {process.returncode}) before {step}: {err}")
        time.sleep(0.05)
    pytest.fail(f"the load did not reach {step} in {STEP_TIMEOUT} s")


def wait_for_dbt_to_write(warehouse: Path, process: subprocess.Popen, offset: int) -> None:
    """Until dbt has created a model in the staging file (so the kill lands mid-build)."""
    log = work_dir_for(staging_path(warehouse)) / "logs" / "dbt.log"
    deadline = time.monotonic() + STEP_TIMEOUT
    while time.monotonic() < deadline:
        if log.exists():
            with log.open("rb") as handle:
                handle.seek(offset)
                if b"OK created sql table model" in handle.read():
                    return
        if process.poll() is not None:
            pytest.fail(f"the load ended (exit {process.returncode}) before dbt wrote a model")
        time.sleep(0.05)
    pytest.fail("dbt did not create a model in time")


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL


def files_beside(warehouse: Path) -> set[str]:
    """The plain files next to the warehouse (folders such as versions/ left out)."""
    return {p.name for p in warehouse.parent.iterdir() if p.is_file()}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_thanet_term_2(path: Path) -> Path:
    """A new, valid 26-row return: Thanet's term 1 figures sent again as term 2."""
    with (LOAD1 / "thanet_2023-24_t1.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(rows[0])
        writer.writerows([r[0], r[1], "2", *r[3:]] for r in rows[1:])
    return path


class Readers:
    """A thread reading the warehouse in a loop, each time through a new connection."""

    def __init__(self, warehouse: Path) -> None:
        self.warehouse = warehouse
        self.seen: list[tuple[object, ...]] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.seen.append(observe(self.warehouse))
            except Exception as exc:
                self.errors.append(f"{type(exc).__name__}: {exc}")
            time.sleep(0.05)  # about 8 reads a second: enough, and leaves the load its CPU

    def start(self) -> None:
        self._thread.start()

    def stop_after(self, more_reads: int) -> None:
        """Stop once ``more_reads`` further reads are done (they see the final state)."""
        target = len(self.seen) + len(self.errors) + more_reads
        deadline = time.monotonic() + 60
        while len(self.seen) + len(self.errors) < target and time.monotonic() < deadline:
            time.sleep(0.02)
        self._stop.set()
        self._thread.join(timeout=60)


# --------------------------------------------------------------------------------------
# The base warehouse, and the crash scenario
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base(load1_warehouse) -> Path:
    """tests/fixtures/small_batch/load1 published with the real pipeline (shared by the
    run: every test here loads into its own ``copy_warehouse``)."""
    return load1_warehouse


@dataclass
class CrashRun:
    warehouse: Path
    before: Published
    before_seen: tuple[object, ...]
    after_kill: dict[str, Published] = field(default_factory=dict)
    left_after_kill: dict[str, set[str]] = field(default_factory=dict)
    concurrent: subprocess.CompletedProcess | None = None
    final_code: int = -1
    final_out: str = ""
    final_err: str = ""
    after: Published | None = None
    after_seen: tuple[object, ...] = ()
    reads: list[tuple[object, ...]] = field(default_factory=list)
    read_errors: list[str] = field(default_factory=list)
    held_saw: tuple[object, ...] = ()
    reconnect_saw: tuple[object, ...] = ()
    left_at_end: set[str] = field(default_factory=set)
    seconds: dict[str, float] = field(default_factory=dict)


@pytest.fixture(scope="module")
def processes() -> Iterator[list[subprocess.Popen]]:
    """Every load started; any still running when the module ends is killed."""
    started: list[subprocess.Popen] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.communicate()


@pytest.fixture(scope="module")
def crash_run(base, tmp_path_factory, processes) -> CrashRun:
    """Kill load2 at each point in turn, then let it complete while readers read and a
    second load tries to start beside it."""
    warehouse = copy_warehouse(base, tmp_path_factory.mktemp("crash"))
    run = CrashRun(warehouse, published(warehouse), observe(warehouse))

    for point in KILL_POINTS:
        started = time.monotonic()
        pause = "before_swap" if point == "before_swap" else "landed"
        process = start_load(warehouse, LOAD2, pause_at=pause)
        processes.append(process)
        wait_for_pause(warehouse, pause, process)
        if point == "dbt":
            log = work_dir_for(staging_path(warehouse)) / "logs" / "dbt.log"
            offset = log.stat().st_size if log.exists() else 0
            pause_marker(warehouse).unlink()  # resume: on into dbt
            wait_for_dbt_to_write(warehouse, process, offset)
        kill(process)
        pause_marker(warehouse).unlink(missing_ok=True)
        run.left_after_kill[point] = files_beside(warehouse)
        run.after_kill[point] = published(warehouse)
        run.seconds[f"kill at {point}"] = round(time.monotonic() - started, 1)

    started = time.monotonic()
    readers = Readers(warehouse)
    held = connect.connect(warehouse)  # a reader that opened before the load and stays open
    try:
        readers.start()
        process = start_load(warehouse, LOAD2, pause_at="landed")
        processes.append(process)
        wait_for_pause(warehouse, "landed", process)
        run.concurrent = stls(warehouse, "load", LOAD1)
        pause_marker(warehouse).unlink()
        run.final_out, run.final_err = process.communicate(timeout=STEP_TIMEOUT)
        run.final_code = process.returncode
        readers.stop_after(more_reads=5)
        run.held_saw = look(held)
        run.reconnect_saw = observe(warehouse)  # while the old connection is still open
    finally:
        held.close()
    run.seconds["completing load with readers"] = round(time.monotonic() - started, 1)
    run.reads, run.read_errors = readers.seen, readers.errors
    run.after = published(warehouse)
    run.after_seen = observe(warehouse)
    run.left_at_end = files_beside(warehouse)
    before_reads = sum(seen == run.before_seen for seen in run.reads)
    after_reads = sum(seen == run.after_seen for seen in run.reads)
    print(
        f"\ncrash scenario: {run.seconds}; reads: {len(run.reads)} ({before_reads} before, "
        f"{after_reads} after, {len(run.read_errors)} failed); left: {run.left_after_kill}"
    )
    return run


# --------------------------------------------------------------------------------------
# Killed loads
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_killed_load_leaves_the_published_warehouse_exactly_as_it_was(crash_run, point):
    assert crash_run.after_kill[point] == crash_run.before


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_killed_load_leaves_only_its_staging_file_behind(crash_run, point):
    left = crash_run.left_after_kill[point] - {"stls.duckdb", "stls.duckdb.lock"}
    assert "stls.duckdb.staging" in left  # the kill came mid-load, with work in progress
    assert left <= {"stls.duckdb.staging", "stls.duckdb.staging.wal"}


def test_the_load_after_the_kills_starts_cleans_up_and_completes(crash_run):
    # Each load after a kill reached its pause point, so no lock outlived its holder; this
    # one ran to the end.
    assert crash_run.final_code == 1, crash_run.final_err  # load2 rejects one file
    result = json.loads(crash_run.final_out)
    assert result["status"] == "failed" and result["rows_quarantined"] == 26
    assert crash_run.after.latest_load == result["load_id"]
    assert crash_run.after.sha256 != crash_run.before.sha256
    assert crash_run.after.report != crash_run.before.report  # Thanet term 1 corrected
    # the warehouse, its lock and the last load's notice (warehouse.publish.notice)
    assert crash_run.left_at_end == {
        "stls.duckdb",
        "stls.duckdb.lock",
        "stls.duckdb.notice.md",
        "stls.duckdb.notice.json",
    }
    assert {v.load_id for v in versions.stored(crash_run.warehouse)} >= {result["load_id"]}


def test_a_second_load_at_once_stops_with_one_line_and_exit_2(crash_run):
    done = crash_run.concurrent
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "another load is running" in lines[0], done.stderr
    assert crash_run.final_code == 1  # and the first load went on to finish


# --------------------------------------------------------------------------------------
# Readers during a load
# --------------------------------------------------------------------------------------


def test_readers_during_a_load_see_before_or_after_never_between(crash_run):
    assert crash_run.read_errors == []
    assert crash_run.before_seen != crash_run.after_seen
    seen = set(crash_run.reads)
    assert seen <= {crash_run.before_seen, crash_run.after_seen}
    assert crash_run.before_seen in seen and crash_run.after_seen in seen
    assert len(crash_run.reads) >= 20


def test_a_reader_open_across_the_swap_keeps_its_version_and_a_new_one_sees_the_load(
    crash_run,
):
    assert crash_run.held_saw == crash_run.before_seen
    # DuckDB hands a process its open database again for the same path; reading through
    # the live version's own path gets the new file even with the old one still open.
    assert crash_run.reconnect_saw == crash_run.after_seen


# --------------------------------------------------------------------------------------
# A load killed right after its rename: published whole, recorded by the next load
# --------------------------------------------------------------------------------------


def test_a_load_killed_after_its_swap_is_published_whole_and_kept_by_the_next(
    base, tmp_path, processes
):
    warehouse = copy_warehouse(base, tmp_path / "w")
    before = published(warehouse)
    new_return = write_thanet_term_2(tmp_path / "thanet_2023-24_t2.csv")
    process = start_load(warehouse, new_return, pause_at="swapped")
    processes.append(process)
    wait_for_pause(warehouse, "swapped", process)
    kill(process)
    pause_marker(warehouse).unlink(missing_ok=True)

    after_kill = published(warehouse)
    assert after_kill.report != before.report  # Thanet term 2 is in
    killed_load = after_kill.latest_load
    assert killed_load != before.latest_load
    assert live_version(warehouse).version_id is None  # renamed, not yet recorded

    again = stls(warehouse, "load", new_return, "--format", "json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["files_already_loaded"]
    kept = {v.load_id: v for v in versions.stored(warehouse)}
    assert killed_load in kept and not kept[killed_load].live
    assert sha256(kept[killed_load].path) == after_kill.sha256
    assert live_version(warehouse).contents.load_id == json.loads(again.stdout)["load_id"]


# --------------------------------------------------------------------------------------
# Versions and rollback (in this process; loads that publish without dbt)
# --------------------------------------------------------------------------------------


def publish_without_dbt(warehouse: Path, folder: Path, n: int) -> str:
    """A load whose only file is rejected: published (a new load recorded), no dbt."""
    folder.mkdir(exist_ok=True)
    junk = folder / f"junk_{n}.csv"
    junk.write_bytes(bytes(range(1, 32)) * (n + 1))
    result = load([junk], warehouse)
    assert result.rejected and not result.accepted
    return result.load_id


@pytest.fixture
def versioned(base, tmp_path, monkeypatch) -> tuple[Path, list[str]]:
    """A warehouse from before versions were kept, then four loads, keeping three."""
    monkeypatch.setenv("STLS_KEEP_VERSIONS", "3")
    warehouse = copy_warehouse(base, tmp_path / "w")
    loads = [versions.describe(warehouse).load_id]
    loads += [publish_without_dbt(warehouse, tmp_path / "in", n) for n in range(4)]
    return warehouse, loads


def test_each_load_keeps_a_version_and_the_oldest_are_pruned(versioned):
    warehouse, loads = versioned
    kept = versions.stored(warehouse, with_contents=True)
    assert [v.load_id for v in kept] == loads[-3:]  # oldest first; the first two pruned
    assert [v.live for v in kept] == [False, False, True]
    for version in kept:  # each version holds the warehouse as that load published it
        assert version.contents.load_id == version.load_id
    assert os.path.samefile(kept[-1].path, warehouse)  # a hard link: no copy of the live file


def test_live_version_names_the_latest_load_and_the_file_identity(versioned):
    warehouse, loads = versioned
    live = live_version(warehouse)
    assert live.contents.load_id == loads[-1] and live.contents.status == "failed"
    assert live.version_id == versions.stored(warehouse)[-1].version_id
    assert live.identity == version_of(warehouse)
    assert live.kept == 3


def test_rollback_restores_the_version_before_and_can_be_undone(versioned, capsys):
    warehouse, loads = versioned
    kept = versions.stored(warehouse)
    assert main(["--warehouse", str(warehouse), "rollback", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["live"]["version"] == kept[-2].version_id
    assert result["previous"]["version"] == kept[-1].version_id
    assert sha256(warehouse) == sha256(kept[-2].path)
    assert observe(warehouse)[2] == loads[-2]  # readers see the earlier warehouse

    # Undo, naming the version by the load that published it.
    assert main(["--warehouse", str(warehouse), "rollback", "--to", loads[-1]]) == 0
    out = capsys.readouterr().out
    assert f"live now: {kept[-1].version_id}" in out
    assert observe(warehouse)[2] == loads[-1]
    assert [v.version_id for v in versions.stored(warehouse)] == [v.version_id for v in kept]


def test_rollback_list_shows_each_version_and_which_is_live(versioned, capsys):
    warehouse, loads = versioned
    assert main(["--warehouse", str(warehouse), "rollback", "--list", "--format", "json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert [v["published_by_load"] for v in listing["versions"]] == loads[:-4:-1]  # newest first
    assert [v["live"] for v in listing["versions"]] == [True, False, False]
    assert listing["live_latest_load"]["load_id"] == loads[-1]
    assert listing["keep"] == 3
    assert main(["--warehouse", str(warehouse), "rollback", "--list"]) == 0
    text = capsys.readouterr().out
    assert text.count("latest load ") == 3 and "  live  " in text


def test_rollback_of_an_unversioned_warehouse_keeps_it_first(base, tmp_path, capsys):
    warehouse = copy_warehouse(base, tmp_path / "w")
    code = main(["--warehouse", str(warehouse), "rollback"])
    err = capsys.readouterr().err
    assert code == 2 and "no version earlier than the live one" in err
    assert live_version(warehouse).version_id is not None  # kept now: a later one can undo


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--to", "20000101T000000.000000Z_nope"], "no kept version"),
        (["--to", "LIVE"], "is already live"),
    ],
)
def test_rollback_mistakes_are_one_line_and_exit_2(versioned, capsys, args, fragment):
    warehouse, loads = versioned
    args = [loads[-1] if a == "LIVE" else a for a in args]
    before = sha256(warehouse)
    assert main(["--warehouse", str(warehouse), "rollback", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0]
    assert sha256(warehouse) == before


def test_rollback_waits_for_no_load_and_needs_a_warehouse(versioned, tmp_path, capsys):
    warehouse, _ = versioned
    before = sha256(warehouse)
    with exclusive(warehouse):
        assert main(["--warehouse", str(warehouse), "rollback"]) == 2
    assert "another load is running" in capsys.readouterr().err
    assert sha256(warehouse) == before
    assert main(["--warehouse", str(tmp_path / "none.duckdb"), "rollback"]) == 2
    assert "no warehouse here" in capsys.readouterr().err
    assert main(["--warehouse", str(tmp_path / "none.duckdb"), "rollback", "--list"]) == 2
    assert "stls demo" in capsys.readouterr().err


def test_a_bad_keep_setting_stops_the_load_before_it_starts(base, tmp_path, monkeypatch):
    monkeypatch.setenv("STLS_KEEP_VERSIONS", "none")
    warehouse = copy_warehouse(base, tmp_path / "w")
    before = sha256(warehouse)
    with pytest.raises(LoadError, match="STLS_KEEP_VERSIONS"):
        publish_without_dbt(warehouse, tmp_path / "in", 0)
    assert sha256(warehouse) == before and not versions.versions_dir(warehouse).exists()


def test_a_staging_file_that_fails_its_check_is_not_published(base, tmp_path, monkeypatch):
    """The check before the swap is what stands between a broken build and readers."""
    warehouse = copy_warehouse(base, tmp_path / "w")
    before = sha256(warehouse)
    monkeypatch.setattr("warehouse.publish.load.marts_models", lambda: ("a_mart_dbt_never_built",))
    monkeypatch.setattr("warehouse.publish.load._has_every_mart", lambda _path: True)
    monkeypatch.setattr(
        "warehouse.publish.dbt_process.Builder.build", lambda _self, **_progress: None
    )
    new_return = write_thanet_term_2(tmp_path / "thanet_t2.csv")
    with pytest.raises(LoadError, match=r"failed its check.*a_mart_dbt_never_built"):
        load([new_return], warehouse)
    assert sha256(warehouse) == before
    assert not staging_path(warehouse).exists()


def test_a_failed_build_leaves_no_data_docs_and_the_earlier_ones_stay(base, tmp_path, monkeypatch):
    """The Data Docs are written while dbt builds (warehouse.publish.load._DataDocs): when
    the build fails, the load's folder goes with it and no earlier load's is pruned."""
    warehouse = copy_warehouse(base, tmp_path / "w")
    docs = data_docs_dir(warehouse)
    earlier = docs / "20261101T080000Z-0a0a"  # an earlier load's
    earlier.mkdir(parents=True)
    (earlier / "index.html").write_text("<p>earlier</p>", encoding="utf-8")

    def fail(_self, **_progress):
        raise DbtBuildError("dbt build failed in fct_census (error): planted")

    monkeypatch.setattr("warehouse.publish.dbt_process.Builder.build", fail)
    new_return = write_thanet_term_2(tmp_path / "thanet_t2.csv")
    with pytest.raises(LoadError, match="could not be built: dbt build failed in fct_census"):
        load([new_return], warehouse)
    assert [p.name for p in docs.iterdir()] == [earlier.name]
    assert not staging_path(warehouse).exists()


def test_a_row_limit_refusal_names_the_file_in_the_load_summary(
    base, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("STLS_MAX_ROWS", "5")
    warehouse = copy_warehouse(base, tmp_path / "w")
    too_long = write_thanet_term_2(tmp_path / "thanet_2023-24_t2.csv")
    assert main(["--warehouse", str(warehouse), "load", str(too_long)]) == 1
    out = capsys.readouterr().out
    assert (
        "thanet_2023-24_t2.csv: the file has 26 lines after its header, above the 5-row limit "
        "for one file (STLS_MAX_ROWS)"
    ) in out
