"""Shared fixtures: a demo warehouse built once per test session with the real pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse.demo import DATA_DIR
from warehouse.load import load


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory) -> Path:
    """`stls demo` into a temporary folder: real readers, audit, dbt build, publish."""
    path = tmp_path_factory.mktemp("demo") / "stls.duckdb"
    load([DATA_DIR], path, kind="demo", fresh=True)
    return path
