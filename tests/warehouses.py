"""Warehouses built once for a whole test run, shared by pytest-xdist's workers, and copies
of them for the tests that load more."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

SMALL_BATCH = Path(__file__).resolve().parent / "fixtures" / "small_batch"


def shared_warehouse(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]
) -> Path:
    """The run's warehouse ``name``, built once for the whole run by ``build(folder)``
    (which leaves ``folder/stls.duckdb``).

    Under pytest-xdist each worker is its own session, and each used to build every session
    warehouse it needed: both workers built the demo, the edge cases and the hostile
    warehouse. The first worker to ask builds it in the run's shared temporary folder,
    holding a lock beside it; a worker that asks meanwhile waits for it, then reads the same
    file. Sharing is safe because nothing writes to a shared warehouse: the product opens a
    published warehouse read-only (DuckDB lets many processes read one file), and a test
    that loads into one or changes it works on a copy (``copy_warehouse``).
    """
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's folder, shared by its workers
    folder = base / f"shared-{name}"
    done = folder / "built"
    with open(base / f"shared-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a build that failed part-way
            folder.mkdir()
            build(folder)
            done.touch()
    return folder / "stls.duckdb"


def copy_warehouse(source: Path, folder: Path) -> Path:
    """``source``'s published file alone, as ``folder/stls.duckdb``: a warehouse to load
    into (as one from before versions were kept: its versions are not copied)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "stls.duckdb"
    shutil.copyfile(source, target)
    return target
