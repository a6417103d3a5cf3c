"""Shared fixtures: warehouses built once per test session with the real pipeline.

Tests are in folders by the stage of the package they test (core/, ingest/, quality/,
publish/, reporting/, dashboard/, demo/); tests of the whole product (the CLI, security,
the layering) are here. Helpers shared by several folders are plain modules here:
checking.py (running suites on a few rows) and hostile.py (hostile and careless files).
"""

from __future__ import annotations

import contextlib
import csv
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from apptest import Downloads
from hostile import far_cell_workbook, good_return, hostile_return
from warehouses import SMALL_BATCH, shared_warehouse

from warehouse.demo import DATA_DIR
from warehouse.publish import dbt, dbt_process
from warehouse.publish.load import load

# `make test-fast` (STLS_TEST_FAST=1, `-m "not dbt and not browser"`): the edit-run loop.
FAST = os.environ.get("STLS_TEST_FAST") == "1"

# A test that asks for one of these runs dbt: a warehouse built by the pipeline, or the
# manifest of a `dbt parse`.
_NEEDS_DBT = frozenset(
    {
        "demo_warehouse",
        "demo_said",
        "edge_warehouse",
        "hostile_warehouse",
        "gap_warehouse",
        "load1_warehouse",
        "manifest",
        # module fixtures that load a batch of their own
        "batch_warehouse",  # reporting/test_outcomes.py
        "doverr",  # quality/test_failing_rows.py
        "hostile_national",  # dashboard/test_benchmarks_hostile.py
        "loaded",  # quality/test_national_load.py, quality/test_steward.py
        "published",  # reporting/test_benchmarks.py
        "synthetic",  # reporting/test_benchmarks.py
    }
)


def pytest_collection_modifyitems(config, items) -> None:
    """Mark what needs dbt or a browser, so `-m "not dbt and not browser"` leaves it out.

    A test is marked `dbt` when it (or a fixture it uses) asks for a warehouse built by
    the pipeline or a dbt manifest, and `browser` when it lives in a browser test module.
    Tests that run dbt some other way carry `@pytest.mark.dbt` themselves; `make test-fast`
    fails any that do not (see ``_no_dbt_in_the_fast_run``: a dbt build in this process
    fails the test), so the
    marks cannot silently go stale.
    """
    for item in items:
        if _NEEDS_DBT & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.dbt)
        if item.path.name.startswith("test_browser"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def _no_dbt_in_the_fast_run() -> Iterator[None]:
    """In `make test-fast`, a dbt build is a mistake in the marks: fail and say which."""
    if not FAST:
        yield
        return

    def refuse(*_args, **_kwargs):
        pytest.fail("this test runs dbt: mark it @pytest.mark.dbt (make test-fast skips those)")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dbt, "build", refuse)
        patch.setattr(dbt_process.Builder, "build", refuse)  # a load's build
        patch.setattr(dbt_process.Builder, "start", refuse)  # a new warehouse's first part
        yield


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory) -> Path:
    """`stls demo` into a temporary folder: real readers, audit, dbt build, publish."""

    def build(folder: Path) -> None:
        load([DATA_DIR], folder / "stls.duckdb", kind="demo", fresh=True)

    return shared_warehouse(tmp_path_factory, "demo", build)


@pytest.fixture(scope="session")
def load1_warehouse(tmp_path_factory) -> Path:
    """The small batch's first load (tests/fixtures/small_batch/load1: Dover terms 1-2,
    Thanet term 1, a census and a funding file) into a new warehouse. A test that loads
    more into it loads into a copy (``warehouses.copy_warehouse``)."""

    def build(folder: Path) -> None:
        assert load([SMALL_BATCH / "load1"], folder / "stls.duckdb").exit_code == 0

    return shared_warehouse(tmp_path_factory, "load1", build)


@pytest.fixture(scope="session")
def edge_warehouse(tmp_path_factory) -> Path:
    """The demo with the awkward cases a real term brings.

    Tunbridge Wells reports 3 secondary pupils on caseload in every term of 2023-24 (a
    count to suppress), Dover's January 2024 census has 3 early-years EHC plans, Dover has
    sent no return for 2023-24 term 4, and Swale's term 4 return is held back (a negative
    value).
    """
    return shared_warehouse(tmp_path_factory, "edge", _build_edge)


def _build_edge(folder: Path) -> None:
    data = folder / "data"
    shutil.copytree(DATA_DIR, data)
    returns = data / "returns" / "2023-24"
    for term in (1, 2, 3, 4):
        path = returns / f"term{term}" / f"stls_return_tunbridge_wells_2023-24_t{term}.csv"
        rows = list(csv.reader(path.open(encoding="utf-8")))
        primary = next(int(r[5]) for r in rows if r[3] == "primary" and r[4] == "caseload")
        for r in rows:
            if r[3] == "secondary" and r[4] == "caseload":
                r[5] = "3"
            if r[3] == "school_age" and r[4] == "actively_supported":
                r[5] = str(min(int(r[5]), primary + 3))
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(rows)
    (returns / "term4" / "stls_return_dover_2023-24_t4.xlsx").unlink()
    swale = returns / "term4" / "stls_return_swale_2023-24_t4.csv"
    lines = swale.read_text(encoding="utf-8").splitlines()
    lines[1] = ",".join([*lines[1].split(",")[:5], "-1"])
    swale.write_text("\n".join(lines) + "\n", encoding="utf-8")
    census = data / "census" / "school_census_january_2024.csv"
    text = census.read_text(encoding="utf-8").replace(
        "2024,Dover,early_years,49,1979,148,38", "2024,Dover,early_years,49,1979,148,3"
    )
    census.write_text(text, encoding="utf-8")
    load([data], folder / "stls.duckdb", kind="demo", fresh=True)


@pytest.fixture
def downloads(monkeypatch) -> Downloads:
    """The bytes behind every download button (``Downloads``)."""
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.media_file_storage import MediaFileKind
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    saved = Downloads()
    original = MemoryMediaFileStorage.load_and_get_id
    add_deferred = MediaFileManager.add_deferred

    def keep(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        if kind == MediaFileKind.DOWNLOADABLE:  # not the page icon or an image on the page
            saved[self.get_url(file_id)] = bytes(path_or_data)
        return file_id

    def keep_deferred(self, data_callable, mimetype, *args, **kwargs):
        file_id = add_deferred(self, data_callable, mimetype, *args, **kwargs)
        saved.deferred[file_id] = (data_callable, mimetype)
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    monkeypatch.setattr(MediaFileManager, "add_deferred", keep_deferred)
    return saved


@pytest.fixture(scope="session")
def hostile_warehouse(demo_warehouse, tmp_path_factory) -> Path:
    """The demo warehouse after one load of ``hostile_return``, ``far_cell_workbook`` and
    ``good_return``: Thanet's term 4 is held, the workbook rejected, Swale's return
    published; every page and output that shows received text has the payloads to show."""

    def build(folder: Path) -> None:
        path = folder / "stls.duckdb"
        shutil.copyfile(demo_warehouse, path)
        received = folder / "received"
        received.mkdir()
        load([hostile_return(received), far_cell_workbook(received), good_return(received)], path)

    return shared_warehouse(tmp_path_factory, "hostile", build)


# `stls demo` run by a test (and its subprocesses) builds a tenth of the demo's child-level
# data; the full size's load is measured separately (docs/design.md, issue 15).
os.environ.setdefault("STLS_DEMO_CHILDREN", "small")


@pytest.fixture(scope="session")
def outcomes_warehouse(tmp_path_factory) -> Path:
    """`stls demo` as a user runs it (with the small child-level data, Sources 5 and 6, as
    ``STLS_DEMO_CHILDREN`` above asks): the marts of outcomes for supported children have
    something in them. What the command printed is kept beside it (``demo_said``)."""
    return shared_warehouse(tmp_path_factory, "outcomes", _stls_demo)


def _stls_demo(folder: Path) -> None:
    from warehouse.cli import main

    with (
        (folder / DEMO_SAID).open("w", encoding="utf-8") as said,
        contextlib.redirect_stdout(said),
    ):
        assert main(["--warehouse", str(folder / "stls.duckdb"), "demo"]) == 0


DEMO_SAID = "stls-demo.out"


@pytest.fixture(scope="session")
def demo_said(outcomes_warehouse) -> str:
    """What `stls demo` printed when it built ``outcomes_warehouse``."""
    return (outcomes_warehouse.parent / DEMO_SAID).read_text(encoding="utf-8")
