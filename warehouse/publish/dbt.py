"""Run the dbt project in ``dbt/`` on one warehouse file, in this process.

``build(warehouse)`` runs ``dbt build`` (seeds, models, data tests and unit tests, in DAG
order) against that DuckDB file and returns what ran; on any failure it raises
``DbtBuildError``, whose ``str()`` is one line naming the failing node(s) and the first
error message, ready for the CLI to print.

Each warehouse gets its own dbt work folder next to it, ``<warehouse>.dbt/`` (``target/``
and ``logs/``), so two warehouses never share compiled SQL, and a warehouse rebuilt again
re-uses its own partial parse. A warehouse with no parse of its own yet starts from the
last one made for a warehouse of the same file name, kept in the project's
``target/partial-parse/`` (``parse``): dbt re-reads every project file and re-parses what
changed, so that state is only ever a head start. The full dbt log of the last builds is in
``<warehouse>.dbt/logs/dbt.log``; nothing is printed to the console.

The caller must have closed its own connections to the warehouse file first: DuckDB allows
one writing process. Builds in one process run one at a time (dbt keeps global state), and
the environment (``STLS_DBT_WAREHOUSE``, ``DO_NOT_TRACK``) is set only for the call.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warehouse.core.paths import DBT_DIR

# Statuses of a node result that make the build a failure (dbt's RunStatus/TestStatus values).
FAILED_STATUSES = frozenset({"error", "fail"})
_NODES_NAMED_IN_ERROR = 3
# A failing model is named before the tests it makes fail.
_FAILURE_ORDER = {"seed": 0, "model": 0, "snapshot": 0, "unit_test": 1, "test": 2}
_MESSAGE_CHARS = 400

# The last parse made for each warehouse file name (``parse``), for a new warehouse to start
# from. Under the project's own ``target/`` (never committed), so a copy of the project
# (``STLS_DBT_DIR``) keeps its own.
SHARED_PARSE_DIR = DBT_DIR / "target" / "partial-parse"

_lock = threading.Lock()
# The variable dbt's profile reads the warehouse from while a build runs (else
# STLS_WAREHOUSE, for dbt run by hand). Not STLS_WAREHOUSE itself: in the dashboard's
# process (a load from the browser) every page reads STLS_WAREHOUSE for the published
# file, and for the length of a build it would name the staging file instead.
WAREHOUSE_ENV = "STLS_DBT_WAREHOUSE"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_SPACE = re.compile(r"\s+")
# "Runtime Error in model x (models/x.sql)": the node is named already.
_NODE_PREFIX = re.compile(r"^\w+ Error in \w+ \S+ \([^)]*\)\s*")
# DuckDB's "LINE 9: select ... ^^^^" excerpt of the SQL, after the message proper.
_SQL_EXCERPT = re.compile(r"\s+LINE \d+:.*$")


class DbtBuildError(RuntimeError):
    """dbt could not build the warehouse. ``str()`` is one line: failing node(s), first error.

    ``failures`` holds every failing node's result (empty when dbt failed before running
    nodes, for example on a project that does not parse).
    """

    def __init__(self, message: str, failures: tuple[NodeResult, ...] = ()) -> None:
        super().__init__(message)
        self.failures = failures


@dataclass(frozen=True)
class NodeResult:
    unique_id: str  # e.g. model.stls.fct_census, test.stls.unique_dim_term_term_sk
    resource_type: str  # seed | model | test | unit_test
    status: str  # success | pass | warn | error | fail | skipped
    message: str  # one line
    seconds: float

    @property
    def name(self) -> str:
        return self.unique_id.split(".", 2)[-1]


@dataclass(frozen=True)
class DbtResult:
    warehouse: Path
    work_dir: Path
    args: tuple[str, ...]
    seconds: float
    nodes: tuple[NodeResult, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def counts(self) -> dict[str, int]:
        """Nodes by status, e.g. {'success': 40, 'pass': 180}."""
        return dict(Counter(node.status for node in self.nodes))

    def summary(self) -> str:
        counts = ", ".join(f"{n} {status}" for status, n in sorted(self.counts.items()))
        return f"dbt build: {len(self.nodes)} nodes ({counts}) in {self.seconds:.1f}s"


def work_dir_for(warehouse: Path) -> Path:
    """The dbt work folder of a warehouse: ``stls.duckdb`` -> ``stls.duckdb.dbt/``."""
    return warehouse.with_name(warehouse.name + ".dbt")


def _common_args(command: str, work: Path) -> list[str]:
    """dbt's arguments for ``command`` on a warehouse whose work folder is ``work``."""
    return [
        command,
        "--project-dir", str(DBT_DIR),
        "--profiles-dir", str(DBT_DIR),
        "--target-path", str(work / "target"),
        "--log-path", str(work / "logs"),
        "--log-level", "none",
        "--log-level-file", "info",
        "--no-use-colors",
        "--no-use-colors-file",
        "--no-send-anonymous-usage-stats",
        "--no-version-check",
        "--partial-parse",
        "--no-write-json",
    ]  # fmt: skip


def profile_path(warehouse: Path) -> str:
    """The warehouse file as dbt's profile is given it: its bare name when this process runs
    in the warehouse's folder (a load's build process does: ``dbt_process``), else its
    absolute path.

    dbt re-uses a saved parse only for the same connection details, the file's path among
    them: given the bare name, every warehouse of that name (a new one too) can start from
    the parse another made, kept in ``SHARED_PARSE_DIR``."""
    with contextlib.suppress(OSError):
        if warehouse.parent.samefile(Path.cwd()):
            return warehouse.name
    return str(warehouse)


def parse(warehouse: Path) -> Any:
    """Parse the project as a build of ``warehouse`` will (its profile, its work folder and
    partial-parse state), for ``build(..., manifest=)``; None if it does not parse (the
    build then parses again and reports why). Never opens the warehouse file.

    A warehouse with no partial-parse state of its own starts from the last parse made for
    its file name in this folder's way (``profile_path``); after a parse, that shared state
    is the new one. dbt checks the state before using it (its version, the profile, every
    project file's checksum) and parses again whatever it does not match."""
    warehouse = Path(warehouse).expanduser().absolute()
    work = work_dir_for(warehouse)
    path = profile_path(warehouse)
    own = work / "target" / "partial_parse.msgpack"  # dbt's own name for it
    shared = SHARED_PARSE_DIR / f"{path}.msgpack" if path == warehouse.name else None
    from dbt.cli.main import dbtRunner  # imported here: dbt takes a second to import

    with _lock, _environment(**{WAREHOUSE_ENV: path}, DO_NOT_TRACK="1"):
        work.mkdir(parents=True, exist_ok=True)
        if shared is not None and not own.exists():
            _copy_quietly(shared, own)
        outcome = dbtRunner().invoke(_common_args("parse", work))
    if not outcome.success:
        return None
    if shared is not None:
        _copy_quietly(own, shared)
    return outcome.result


def _copy_quietly(source: Path, target: Path) -> None:
    """Copy ``source`` over ``target`` whole (a reader sees the old file or the new one,
    never part of one); nothing if either cannot be had (the state is only a head start)."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, partial)
        os.replace(partial, target)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()


def build(
    warehouse: Path,
    select: str | None = None,
    full_refresh: bool = False,
    *,
    exclude: str | None = None,
    skip_types: tuple[str, ...] = (),
    indirect_selection: str = "eager",
    on_node: Callable[[int, int], None] | None = None,
    manifest: Any = None,
) -> DbtResult:
    """``dbt build`` the project on ``warehouse`` (seeds too); raise DbtBuildError on failure.

    ``select`` and ``exclude`` take dbt's selection syntax ("marts", "+fct_census", several
    separated by spaces). A selection that matches nothing is an error, not a silent no-op.
    ``skip_types``: resource types left out (``--exclude-resource-type``, e.g. ``seed``).
    ``indirect_selection``: how tests follow the selection (dbt's ``eager``, ``cautious``...).
    ``on_node(done, total)`` is told as each node starts (for a progress bar).
    ``manifest``: the project as ``parse(warehouse)`` read it, so dbt does not parse again.
    """
    warehouse = Path(warehouse).expanduser().absolute()
    if not warehouse.parent.is_dir():
        raise DbtBuildError(
            f"dbt build failed: the warehouse folder {warehouse.parent} does not exist"
        )
    work = work_dir_for(warehouse)
    args = _common_args("build", work)
    if select:
        args += ["--select", *select.split()]
    if exclude:
        args += ["--exclude", *exclude.split()]
    if skip_types:
        args += ["--exclude-resource-type", *skip_types]
    if indirect_selection != "eager":
        args += ["--indirect-selection", indirect_selection]
    if full_refresh:
        args.append("--full-refresh")

    warnings: list[str] = []

    def collect(event: Any) -> None:
        # Warnings and errors dbt would have printed, kept for the result (one line each).
        if event.info.level in ("warn", "error") and event.info.msg:
            warnings.append(one_line(event.info.msg))
        if on_node is not None and event.info.name == "LogStartLine":
            on_node(int(event.data.index) - 1, int(event.data.total))

    from dbt.cli.main import dbtRunner  # imported here: dbt takes a second to import

    started = time.perf_counter()
    environment = {WAREHOUSE_ENV: profile_path(warehouse), "DO_NOT_TRACK": "1"}
    with _lock, _environment(**environment):
        work.mkdir(exist_ok=True)
        try:
            outcome = dbtRunner(manifest=manifest, callbacks=[collect]).invoke(args)
        finally:
            _close_duckdb()
    seconds = time.perf_counter() - started

    nodes = _node_results(outcome.result)
    failures = tuple(
        sorted(
            (node for node in nodes if node.status in FAILED_STATUSES),
            key=lambda node: (_FAILURE_ORDER.get(node.resource_type, 9), node.unique_id),
        )
    )
    if failures:
        raise DbtBuildError(_failure_line(failures), failures)
    if outcome.exception is not None or not outcome.success:
        detail = one_line(str(outcome.exception)) if outcome.exception else _first(warnings)
        raise DbtBuildError(f"dbt build failed: {detail or 'dbt reported a failure'}")
    if select and not nodes:
        raise DbtBuildError(f"dbt build failed: the selection {select!r} matched no nodes")
    return DbtResult(
        warehouse=warehouse,
        work_dir=work,
        args=tuple(args),
        seconds=seconds,
        nodes=nodes,
        warnings=tuple(warnings),
    )


def one_line(text: str, limit: int = _MESSAGE_CHARS) -> str:
    """Collapse whitespace and colour codes; cut to ``limit`` characters."""
    flat = _SPACE.sub(" ", _ANSI.sub("", text)).strip()
    return flat if len(flat) <= limit else flat[: limit - 3].rstrip() + "..."


def _node_results(execution: Any) -> tuple[NodeResult, ...]:
    results = getattr(execution, "results", None) or ()
    nodes = []
    for result in results:
        node = result.node
        nodes.append(
            NodeResult(
                unique_id=node.unique_id,
                resource_type=str(node.resource_type),
                status=str(result.status),
                message=one_line(str(result.message or "")),
                seconds=float(result.execution_time or 0.0),
            )
        )
    return tuple(nodes)


def _failure_line(failures: tuple[NodeResult, ...]) -> str:
    names = [f"{node.name} ({node.status})" for node in failures[:_NODES_NAMED_IN_ERROR]]
    if len(failures) > _NODES_NAMED_IN_ERROR:
        names.append(f"and {len(failures) - _NODES_NAMED_IN_ERROR} more")
    first = _SQL_EXCERPT.sub("", _NODE_PREFIX.sub("", failures[0].message)) or "no message"
    return f"dbt build failed in {', '.join(names)}: {first}"


def _first(lines: list[str]) -> str:
    return lines[0] if lines else ""


def _close_duckdb() -> None:
    """Close the DuckDB connection dbt-duckdb keeps in this process after a run.

    dbt-duckdb holds the database open in a class-level environment once the run is over;
    left open, it keeps the file locked in this process (a read-only connection, the
    loader's next write or a rename would meet it), so it is closed here.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
        if env is not None:
            env.close()


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    """Set environment variables for the duration of the block, then restore them."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
