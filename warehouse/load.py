"""One term's load: read, land in raw, audit, decide, transform with dbt, publish.

The load never writes the published warehouse in place. It copies it to a staging file
next to it, does all its work there, checkpoints, and then atomically renames the staging
file over the published one. Readers (which open read-only) see the warehouse before the
load or after it, never half of it; a load that fails or is killed leaves the published
file untouched. A lock file stops two loads running at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from warehouse import dbt, store
from warehouse.audit import ERROR, WARNING, AuditResult, FileToAudit, audit
from warehouse.errors import LoadError
from warehouse.expectations import ExpectationRunError, SuiteFileError
from warehouse.readers import ReadError, ReadResult, discover_files, read_file

EXIT_OK = 0
EXIT_HELD = 1
EXIT_CANNOT_RUN = 2


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

    @property
    def rejected(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "rejected"]

    @property
    def status(self) -> str:
        """passed | warnings | failed, as ``stls dq`` reports it."""
        if self.rejected or self.audit.count("quarantined"):
            return "failed"
        if any(i.severity == WARNING for i in self.audit.issues):
            return "warnings"
        return "passed"

    @property
    def exit_code(self) -> int:
        return EXIT_HELD if self.status == "failed" else EXIT_OK


def new_load_id() -> str:
    return store.now_utc().strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)


@contextlib.contextmanager
def exclusive(warehouse: Path) -> Iterator[None]:
    """Hold the warehouse's load lock, or stop with a clear message if another load has it."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    lock_path = warehouse.with_name(warehouse.name + ".lock")
    with lock_path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LoadError(
                f"{warehouse}: another load is running on this warehouse; "
                "try again when it has finished"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def staging_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".staging")


def _remove_quietly(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            candidate.unlink()


@contextlib.contextmanager
def staged(warehouse: Path, *, fresh: bool) -> Iterator[Path]:
    """A private copy of the warehouse to work on, published by rename only on success."""
    staging = staging_path(warehouse)
    _remove_quietly(staging)  # whatever an interrupted load left behind
    if warehouse.exists() and not fresh:
        shutil.copyfile(warehouse, staging)
    try:
        yield staging
    except BaseException:
        _remove_quietly(staging)
        raise
    with staging.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(staging, warehouse)
    _remove_quietly(warehouse.with_name(warehouse.name + ".wal"))


def _land(con: duckdb.DuckDBPyConnection, load_id: str, paths: Sequence[Path]) -> LoadResult:
    """Read every file into raw (accepted, rejected or duplicate) and audit the new rows."""
    result = LoadResult(load_id=load_id, warehouse=Path())
    to_audit: list[FileToAudit] = []
    seen_here: dict[str, str] = {}
    for index, path in enumerate(paths, start=1):
        read: ReadResult = read_file(path)
        file_id = f"{load_id}/{index}"
        seq = store.next_received_seq(con)
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
    census, caseload = _published_baseline(con)
    try:
        result.audit = audit(to_audit, published_census=census, published_caseload=caseload)
    except (ExpectationRunError, SuiteFileError) as exc:
        first = (str(exc).splitlines() or [""])[0]
        raise LoadError(f"the data-quality checks could not run: {first}") from None
    store.write_audit(con, load_id, result.audit)
    return result


def _published_baseline(
    con: duckdb.DuckDBPyConnection,
) -> tuple[pl.DataFrame | None, pl.DataFrame | None]:
    """What the warehouse publishes before this load: the census, and every published
    caseload figure, for the checks that compare against earlier terms and years."""
    [(has_marts,)] = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'marts' and table_name in ('fct_census', 'fct_termly_return')"
    ).fetchall()
    if has_marts < 2:
        return None, None
    census = con.sql(
        """
        select c.census_year, d.district_name as district, p.phase_code as phase,
               c.settings, c.pupils, c.ehcp
        from marts.fct_census c
        join marts.dim_district d on d.district_sk = c.district_sk
        join marts.dim_phase p on p.phase_sk = c.phase_sk
        """
    ).pl()
    caseload = con.sql(
        """
        select d.district_name as district, t.academic_year, t.term_number as term,
               p.phase_code as phase, f.value as caseload
        from marts.fct_termly_return f
        join marts.dim_district d on d.district_sk = f.district_sk
        join marts.dim_term t on t.term_sk = f.term_sk
        join marts.dim_phase p on p.phase_sk = f.phase_sk
        join marts.dim_measure m on m.measure_sk = f.measure_sk
        where m.measure_code = 'caseload'
        """
    ).pl()
    return census, caseload


def load(
    paths: Sequence[str | Path],
    warehouse: Path,
    *,
    kind: str = "load",
    fresh: bool = False,
) -> LoadResult:
    """Load files and folders into ``warehouse`` and publish it. Raises LoadError if the
    load cannot run; bad files and rows do not raise, they are recorded and reported."""
    try:
        files = discover_files(paths)
    except ReadError as exc:
        raise LoadError(str(exc)) from None
    if not files:
        raise LoadError("no files to load in " + ", ".join(str(p) for p in paths))
    load_id = new_load_id()
    with exclusive(warehouse), staged(warehouse, fresh=fresh) as staging:
        con = duckdb.connect(str(staging))
        try:
            store.start_load(con, load_id, kind, [str(p) for p in paths])
            result = _land(con, load_id, files)
            con.execute("checkpoint")
        finally:
            con.close()
        try:
            dbt.build(staging)
        except dbt.DbtBuildError as exc:
            raise LoadError(f"the warehouse could not be built: {exc}") from None
        con = duckdb.connect(str(staging))
        try:
            store.finish_load(con, load_id, result.status)
            con.execute("checkpoint")
        finally:
            con.close()
    result.warehouse = warehouse
    return result


def error_lines(result: LoadResult) -> list[str]:
    """Every error and warning of a load, one line each."""
    lines = [f"rejected: {f.file_name}: {f.reason}" for f in result.rejected]
    lines += [i.line() for i in result.audit.issues if i.severity == ERROR]
    lines += [i.line() for i in result.audit.issues if i.severity == WARNING]
    return lines
