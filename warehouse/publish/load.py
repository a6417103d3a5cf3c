"""One term's load: read, land in raw, audit, decide, transform with dbt, publish.

The load never writes the published warehouse in place. It copies it to a staging file
next to it, does all its work there, checkpoints, and then atomically renames the staging
file over the published one. Readers (which open read-only) see the warehouse before the
load or after it, never half of it; a load that fails or is killed leaves the published
file untouched. A lock file stops two loads running at once. dbt builds in a process of its
own (``dbt_process``), started with the load. A full build begins while this process audits
(the seeds and the views, with the staging file closed here: ``scope.AHEAD_SELECT``) and the
rest follows once the audit is written; while it builds, this process writes the audit's GX
Data Docs on a thread (``_DataDocs``), so the steps' seconds overlap.

Publishing, in order: the staging file is checkpointed and closed, checked
(``versions.verify``: no write-ahead log, opens read-only, every mart there and countable,
this load recorded as finished), given the published file's mode, owner and group, flushed
to disk, renamed over the published file, and the folder flushed so the rename survives a
power cut. While the load runs, files are created under a umask no more open than the
published file (``versions.umask_of``), so the staging copy is never readable by more
people than the warehouse. Then the new file is hard-linked into
``<warehouse>.versions/`` and the oldest versions beyond the number kept are removed (see
``warehouse.publish.versions``). A load killed before the rename leaves the published file as it
was, and at most a staging file (and its ``.wal``), which the next load removes before it
starts (and its Data Docs folder, pruned with the others); killed after it, the new file is
published whole and the next load records it as a version. The kernel drops the lock with
the process.

Test hook: with ``STLS_TEST_PAUSE_AT=<step>`` (one of ``PAUSE_STEPS``) in the environment,
the load writes ``<warehouse>.paused`` (holding the step and its process id) when it
reaches that step and waits until the file is deleted (or ``STLS_TEST_PAUSE_SECONDS``,
default 120, pass). tests/publish/test_reliability.py uses it to kill a load at a known point.
Without the variable the hook does nothing.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from warehouse.core.errors import LoadError, first_line
from warehouse.core.paths import DBT_DIR
from warehouse.ingest import readers, store
from warehouse.ingest.readers import ReadError, ReadResult, discover_files, read_file
from warehouse.publish import baseline, dbt, dbt_process, notice, reviews, scope, versions
from warehouse.publish.versions import exclusive
from warehouse.quality import store as dq_store
from warehouse.quality.audit import WARNING, AuditResult, FileToAudit, audit
from warehouse.quality.data_docs import build_data_docs
from warehouse.quality.results import ExpectationRunError, SuiteFileError
from warehouse.quality.schema import ensure_dq

log = logging.getLogger(__name__)

PAUSE_ENV = "STLS_TEST_PAUSE_AT"
PAUSE_SECONDS_ENV = "STLS_TEST_PAUSE_SECONDS"
# landed: raw and audit written, before dbt; built: dbt and the load record done, before
# the check; before_swap: checked and flushed, before the rename; swapped: renamed, before
# the version is recorded.
PAUSE_STEPS = ("landed", "built", "before_swap", "swapped")

EXIT_OK = 0
EXIT_HELD = 1
EXIT_CANNOT_RUN = 2

# A load's progress, for the dashboard's upload: (step, items of the step done, items in
# it, what it is doing), the step one of PROGRESS_STEPS, in that order. Received text
# (file names) may be in the detail.
Progress = Callable[[str, int, int, str], None]
PROGRESS_STEPS = ("read", "audit", "build", "publish")


@dataclass
class FileOutcome:
    file_name: str
    status: str  # accepted | rejected | duplicate
    source: str | None
    rows: int
    reason: str | None = None


@dataclass
class LoadResult:
    load_id: str
    warehouse: Path
    files: list[FileOutcome] = field(default_factory=list)
    audit: AuditResult = field(default_factory=AuditResult)
    data_docs: str | None = None
    version: str | None = None  # the version id it was published as (warehouse.publish.versions)
    # Warnings a steward had reviewed before (the same warning on the same unchanged figure:
    # warehouse.publish.reviews): shown, but not raised as new.
    warnings_reviewed: int = 0

    @property
    def accepted(self) -> list[FileOutcome]:
        """Files with new rows: without any, the marts cannot change and dbt is skipped."""
        return [f for f in self.files if f.status == "accepted"]

    @property
    def rejected(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "rejected"]

    @property
    def status(self) -> str:
        """passed | warnings | failed, as ``stls dq`` reports it."""
        if self.rejected or self.audit.count("quarantined"):
            return "failed"
        warnings = sum(1 for i in self.audit.issues if i.severity == WARNING)
        if warnings > self.warnings_reviewed:
            return "warnings"
        return "passed"

    @property
    def exit_code(self) -> int:
        return EXIT_HELD if self.status == "failed" else EXIT_OK


def new_load_id() -> str:
    return store.now_utc().strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)


def staging_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".staging")


def pause_marker(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".paused")


def _remove_quietly(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            candidate.unlink()


@contextlib.contextmanager
def staged(warehouse: Path, *, fresh: bool) -> Iterator[Path]:
    """A private copy of the warehouse to work on; removed if the work fails.

    Called with the lock held. First it clears what an interrupted load or rollback left,
    refuses a damaged warehouse (pointing at ``stls rollback``), and records the live file
    as a version if it is not one yet (so it can be rolled back to). The caller publishes
    the staging file with ``publish`` inside the block.
    """
    staging = staging_path(warehouse)
    _remove_quietly(staging)
    versions.clean_leftovers(warehouse)
    if warehouse.exists() and not fresh:
        problem = versions.damage(warehouse)
        if problem is not None:  # never build on it, never keep it as a version
            raise LoadError(versions.damaged_error(warehouse, problem))
    versions.adopt_live(warehouse)
    if warehouse.exists() and not fresh:
        shutil.copyfile(warehouse, staging)
    try:
        yield staging
    except BaseException:
        _remove_quietly(staging)
        raise


def publish(
    staging: Path, warehouse: Path, load_id: str, *, marts: Sequence[str], keep: int
) -> str | None:
    """Check the staging file, rename it over the warehouse, keep it as a version.

    Returns the version id, or None if the version could not be recorded (the warehouse is
    published all the same; the next load records it).
    """
    try:
        versions.verify(staging, load_id=load_id, marts=marts)
    except versions.VersionError as exc:
        raise LoadError(f"the new warehouse failed its check, nothing published: {exc}") from None
    access = versions.access_of(warehouse)
    if access is not None:  # the new file is read by whom the one it replaces was
        versions.apply_access(staging, access)
    pause_for_test(warehouse, "before_swap")
    versions.replace_durably(staging, warehouse)
    _remove_quietly(warehouse.with_name(warehouse.name + ".wal"))  # an old file's, if any
    pause_for_test(warehouse, "swapped")
    try:
        recorded = versions.record(warehouse, load_id)
        versions.prune(warehouse, keep)
        versions.protect(warehouse)
    except OSError as exc:
        log.warning("%s: published, but not recorded as a version: %s", warehouse, exc)
        return None
    return recorded.version_id


def pause_for_test(warehouse: Path, step: str) -> None:
    """The test hook described in the module docstring; a no-op unless asked for."""
    if os.environ.get(PAUSE_ENV) != step:
        return
    marker = pause_marker(warehouse)
    written = marker.with_name(marker.name + ".tmp")
    written.write_text(f"{step} {os.getpid()}\n", encoding="utf-8")
    os.replace(written, marker)  # whole or absent, for the test that polls for it
    deadline = time.monotonic() + float(os.environ.get(PAUSE_SECONDS_ENV) or 120)
    while marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    with contextlib.suppress(FileNotFoundError):
        marker.unlink()


def marts_models() -> tuple[str, ...]:
    """The marts the dbt project builds: a load that ran dbt must have every one."""
    return tuple(sorted(p.stem for p in (DBT_DIR / "models" / "marts").rglob("*.sql")))


def _land(
    con: duckdb.DuckDBPyConnection,
    load_id: str,
    paths: Sequence[Path],
    timer: _Timer,
    report: Progress = lambda *_: None,
) -> tuple[LoadResult, list[FileToAudit]]:
    """Read every file into raw (accepted, rejected or duplicate); the rows to audit."""
    result = LoadResult(load_id=load_id, warehouse=Path())
    to_audit: list[FileToAudit] = []
    seen_here: dict[str, str] = {}
    first_seq = store.next_received_seq(con)  # this load holds the lock: nobody else adds
    for index, path in enumerate(paths, start=1):
        report("read", index - 1, len(paths), f"Reading {path.name} ({index} of {len(paths)})")
        with timer("read"):
            read: ReadResult = read_file(path)
        file_id = f"{load_id}/{index}"
        seq = first_seq + index - 1
        earlier = None
        if read.checksum:  # a file that could not be opened has no checksum to compare
            earlier = seen_here.get(read.checksum) or store.earlier_file_with_checksum(
                con, read.checksum
            )
        if earlier:
            status, reason = "duplicate", f"same bytes as {earlier}: nothing new to load"
        elif read.rejected_reason:
            status, reason = "rejected", read.rejected_reason
        else:
            status, reason = "accepted", None
        store.record_file(
            con,
            file_id=file_id,
            load_id=load_id,
            received_seq=seq,
            result=read,
            status=status,
            reason=reason,
        )
        if read.checksum:
            seen_here.setdefault(read.checksum, f"{read.file_name} (this load)")
        rows = read.rows_read if status == "accepted" else 0
        result.files.append(FileOutcome(read.file_name, status, read.source, rows, reason))
        if status != "accepted":
            continue
        with timer("raw"):
            store.append_raw_rows(con, file_id=file_id, load_id=load_id, result=read)
        to_audit.append(
            FileToAudit(
                load_id=load_id,
                file_id=file_id,
                file_name=read.file_name,
                received_seq=seq,
                source=read.source,
                frame=read.frame,
            )
        )
    return result, to_audit


def _audit(to_audit: list[FileToAudit], published: baseline.Published) -> AuditResult:
    """Every suite over the landed rows (``warehouse.quality.audit``), in memory: the
    warehouse file is not open while it runs."""
    try:
        return audit(
            to_audit,
            published_census=published.census,
            published_caseload=published.caseload,
            today=store.now_utc().date(),
            published_national=published.national,
        )
    except (ExpectationRunError, SuiteFileError) as exc:
        first = first_line(exc)
        raise LoadError(f"the data-quality checks could not run: {first}") from None


def load(
    paths: Sequence[str | Path],
    warehouse: Path,
    *,
    kind: str = "load",
    fresh: bool = False,
    keep_versions: int | None = None,
    progress: Progress | None = None,
) -> LoadResult:
    """Load files and folders into ``warehouse`` and publish it. Raises LoadError if the
    load cannot run; bad files and rows do not raise, they are recorded and reported.

    ``keep_versions``: how many published versions to keep (default $STLS_KEEP_VERSIONS,
    else 5; see ``warehouse.publish.versions``). ``progress`` is told each step as it
    starts (``Progress``); after the load, its summary is written beside the warehouse and
    posted to ``$STLS_NOTIFY_WEBHOOK`` if set (``warehouse.publish.notice``)."""
    report = progress or (lambda *_: None)
    keep = versions.keep_versions(keep_versions)
    try:
        readers.limits()  # a mistyped STLS_MAX_* stops the load before it starts
        files = discover_files(paths)
    except ReadError as exc:
        raise LoadError(str(exc)) from None
    if not files:
        raise LoadError("no files to load in " + ", ".join(str(p) for p in paths))
    load_id = new_load_id()
    timer = _Timer()
    access = versions.access_of(warehouse)
    with (
        exclusive(warehouse),
        versions.umask_of(access),
        # dbt imports and parses in its own process while this one reads and audits.
        dbt_process.started(staging_path(warehouse)) as builder,
        staged(warehouse, fresh=fresh) as staging,
    ):
        try:
            landed = _land_and_audit(
                staging,
                warehouse,
                load_id,
                files,
                builder,
                kind=kind,
                paths=paths,
                fresh=fresh,
                timer=timer,
                report=report,
            )
        except BaseException:
            builder.close()  # before the staging file goes: its build may be writing it
            raise
        result = landed.result
        pause_for_test(warehouse, "landed")
        docs = _DataDocs(result, warehouse, timer)
        try:
            if landed.built:
                scoped = scope.plan(
                    landed.sources,
                    project=landed.project,
                    last_full=landed.last_full,
                    complete=landed.complete,
                    empty=landed.empty,
                    ahead=landed.ahead,
                )
                report("build", 0, 1, "Building the warehouse (dbt)")
                with timer("dbt"):
                    try:
                        builder.build(
                            select=scoped.select,
                            exclude=scoped.dbt_exclude,
                            skip_types=scoped.skip_types,
                            indirect_selection=scope.INDIRECT_SELECTION,
                            on_node=_dbt_progress(report),
                        )
                    except dbt.DbtBuildError as exc:
                        raise LoadError(f"the warehouse could not be built: {exc}") from None
        except BaseException:
            docs.discard()
            raise
        report("build", 1, 1, "Writing the Data Docs")
        result.data_docs = docs.finish()
        con = duckdb.connect(str(staging))
        try:
            if landed.built:
                scope.record(con, load_id, project=landed.project, built=scoped)
            store.finish_load(con, load_id, result.status, timer.seconds, result.data_docs)
            con.execute("checkpoint")
        finally:
            con.close()
        pause_for_test(warehouse, "built")
        report("publish", 0, 1, "Checking and publishing the new warehouse")
        result.version = publish(
            staging, warehouse, load_id, marts=marts_models() if landed.built else (), keep=keep
        )
    result.warehouse = warehouse
    notice.after_load(warehouse, load_id)  # never raises: a notice never fails a load
    report("publish", 1, 1, "Published")
    return result


@dataclass(frozen=True)
class _Landed:
    """A load's files landed and audited, and what its build needs to know."""

    result: LoadResult
    sources: tuple[str, ...]  # of the accepted files
    project: str  # scope.project_hash()
    last_full: str | None  # scope.last_full_build()
    complete: bool  # the warehouse had every mart before this load
    empty: tuple[str, ...]  # scope.empty_groups()
    ahead: tuple[str, ...]  # the models built while the audit ran

    @property
    def built(self) -> bool:
        return _builds(self.result, complete=self.complete)


def _builds(result: LoadResult, *, complete: bool) -> bool:
    """Whether a load builds: it brought rows, or a mart is missing."""
    return bool(result.accepted) or not complete


def _land_and_audit(
    staging: Path,
    warehouse: Path,
    load_id: str,
    files: Sequence[Path],
    builder: dbt_process.Builder,
    *,
    kind: str,
    paths: Sequence[str | Path],
    fresh: bool,
    timer: _Timer,
    report: Progress,
) -> _Landed:
    """Land every file in raw and audit its rows. A full build's first part (the seeds and
    the views: ``scope.AHEAD_SELECT``) runs in the build process while the audit runs
    here, in memory, with the staging file closed; the audit is written once it is done."""
    con = duckdb.connect(str(staging))
    try:
        store.start_load(con, load_id, kind, [str(p) for p in paths])
        ensure_dq(con)
        dq_store.backfill_row_values(con)
        result, to_audit = _land(con, load_id, files, timer, report)
        with timer("audit"):
            published = baseline.published(con)
        last_full = scope.last_full_build(con)
        con.execute("checkpoint")
    finally:
        con.close()
    complete = not fresh and _has_every_mart(staging)
    sources = tuple(f.source for f in result.accepted if f.source)
    project = scope.project_hash()
    full = scope.is_full(sources, project=project, last_full=last_full, complete=complete)
    early = full and _builds(result, complete=complete)
    if early:
        builder.start(
            select=scope.AHEAD_SELECT,
            exclude=scope.AHEAD_EXCLUDE,
            skip_types=scope.AHEAD_SKIP_TYPES,
            indirect_selection=scope.INDIRECT_SELECTION,
        )
    report("audit", 0, 1, "Checking every row against the data contract")
    with timer("audit"):
        result.audit = _audit(to_audit, published)
    ahead: tuple[str, ...] = ()
    if early:
        with timer("dbt"):
            try:
                made = builder.result()
            except dbt.DbtBuildError as exc:
                raise LoadError(f"the warehouse could not be built: {exc}") from None
        ahead = tuple(node.name for node in made.nodes if node.resource_type == "model")
    con = duckdb.connect(str(staging))
    try:
        with timer("audit"):
            dq_store.write_audit(con, load_id, result.audit)
        result.warnings_reviewed = reviews.reviewed_in_load(con, load_id, warehouse)
        empty = scope.empty_groups(con)
        con.execute("checkpoint")
    finally:
        con.close()
    return _Landed(result, sources, project, last_full, complete, empty, ahead)


def _dbt_progress(report: Progress) -> Callable[[int, int], None]:
    def node(done: int, total: int) -> None:
        report("build", done, total, f"Building the warehouse (dbt): {done} of {total}")

    return node


def _has_every_mart(path: Path) -> bool:
    """Whether the warehouse holds every mart the dbt project builds."""
    if not path.exists():
        return False
    con = duckdb.connect(str(path), read_only=True)
    try:
        present = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
    finally:
        con.close()
    return set(marts_models()) <= present


def data_docs_dir(warehouse: Path) -> Path:
    """Where a warehouse's GX Data Docs go: beside it, one folder per load (gitignored)."""
    return warehouse.with_name(warehouse.name + ".gx_docs")


KEEP_DATA_DOCS = 20


class _DataDocs:
    """The load's GX Data Docs, written on a thread of their own from the moment the audit
    is done: they need only its results, and while dbt builds in its own process this one
    only waits for it, so the docs cost the load nothing after the build. ``finish`` waits
    for them and keeps the newest KEEP_DATA_DOCS folders; ``discard`` (the load failed)
    waits and removes them, so no folder outlives a load that was never recorded."""

    def __init__(self, result: LoadResult, warehouse: Path, timer: _Timer) -> None:
        self._root = data_docs_dir(warehouse)
        self._folder = self._root.joinpath(result.load_id)
        self._index: Path | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if result.audit.checks:
            checks = result.audit.checks

            def write() -> None:
                try:
                    with timer("data_docs"):
                        self._index = build_data_docs(checks, self._folder, run_name=result.load_id)
                except BaseException as exc:  # raised again by finish(), in the load's thread
                    self._error = exc

            self._thread = threading.Thread(target=write, name="data-docs", daemon=True)
            self._thread.start()

    def finish(self) -> str | None:
        """The index page (None when the load ran no checks); the oldest folders go."""
        if self._thread is None:
            return None
        self._thread.join()
        if self._error is not None:
            raise self._error
        for old in sorted(p for p in self._root.iterdir() if p.is_dir())[:-KEEP_DATA_DOCS]:
            shutil.rmtree(old, ignore_errors=True)
        return str(self._index)

    def discard(self) -> None:
        if self._thread is not None:
            self._thread.join()
            shutil.rmtree(self._folder, ignore_errors=True)


class _Timer:
    """Seconds spent in each step of a load, for the summary and the benchmark."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, step: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - started
            self.seconds[step] = round(self.seconds.get(step, 0.0) + elapsed, 3)
