"""The dashboard: page logic with AppTest, and the real server answering on its port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).parent.parent

pytestmark = pytest.mark.dbt


def app(monkeypatch, warehouse: Path) -> AppTest:
    monkeypatch.setenv("STLS_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    return at


def test_overview_shows_the_committee_tables(monkeypatch, demo_warehouse):
    at = app(monkeypatch, demo_warehouse)
    assert not at.exception
    assert "overview" in at.title[0].value.lower()
    assert any("Illustrative data" in w.value for w in at.warning)
    table = at.dataframe[0].value
    engagement = table[table["Figure"].str.startswith("Settings engaging")]
    assert list(engagement["2023-24"]) == ["81%", "100%", "90%"]
    assert list(engagement["2022-23"]) == ["78%", "99%", "84%"]


def test_choosing_a_year_changes_the_tables(monkeypatch, demo_warehouse):
    at = app(monkeypatch, demo_warehouse)
    at.selectbox[0].select("2022-23").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert "2022-23" in table.columns and "2023-24" not in table.columns


def test_without_a_warehouse_the_page_says_what_to_run(monkeypatch, tmp_path):
    at = app(monkeypatch, tmp_path / "none.duckdb")
    assert not at.exception
    assert "stls demo" in at.error[0].value


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_stls_dashboard_serves_a_healthy_app(demo_warehouse):
    port = free_port()
    stls = Path(sys.executable).with_name("stls")
    server = subprocess.Popen(
        [str(stls), "--warehouse", str(demo_warehouse), "dashboard", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/_stcore/health", timeout=2
                ) as r:
                    health = r.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert health == "ok", server.stderr.read().decode() if server.poll() is not None else ""
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
            assert page.status == 200
    finally:
        server.terminate()
        server.wait(timeout=20)
