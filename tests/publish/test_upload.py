"""Issue 13: a load from the browser (``warehouse.publish.upload``): the same lock as
``stls load``, one at a time, limits before anything is parsed, untrusted names, and its
progress through read, audit, build and publish."""

from __future__ import annotations

import csv
import os
import time
from pathlib import Path

import duckdb
import pytest
from warehouses import copy_warehouse

from warehouse.publish import upload
from warehouse.publish.load import PAUSE_ENV, pause_marker
from warehouse.publish.locking import exclusive

BATCH = Path(__file__).resolve().parents[1] / "fixtures" / "small_batch"
TEMPLATE = BATCH / "load1" / "dover_2023-24_t1.csv"


def thanet_term_3() -> bytes:
    """Thanet's 2023-24 term 3 return, its settings within its census."""
    with TEMPLATE.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    body = [["Thanet", "2023-24", "3", *row[3:]] for row in rows[1:]]
    body[1][5], body[4][5] = "25", "20"
    return "\n".join(",".join(r) for r in [rows[0], *body]).encode() + b"\n"


def loads_recorded(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select count(*) from raw.loads").fetchone()[0]


def leftovers(warehouse: Path) -> list[str]:
    return sorted(p.name for p in warehouse.parent.glob(".stls_upload_*"))


def test_names_keep_only_their_last_part():
    assert upload.safe_name("../../etc/passwd", 1) == "passwd"
    assert upload.safe_name("C:\\Users\\lead\\dover_t3.csv", 2) == "dover_t3.csv"
    assert upload.safe_name("..", 3) == "upload_3"
    assert upload.safe_name("a\x00b.csv", 4) == "ab.csv"


def test_limits_refuse_before_anything_is_written_or_parsed(tmp_path, monkeypatch):
    warehouse = tmp_path / "stls.duckdb"
    with pytest.raises(upload.UploadRefused, match="nothing was uploaded"):
        upload.start(warehouse, [], by="steward@example.org")
    many = [upload.Upload(f"f{i}.csv", b"x") for i in range(upload.MAX_FILES + 1)]
    with pytest.raises(upload.UploadRefused, match=f"at most {upload.MAX_FILES}"):
        upload.start(warehouse, many, by="steward@example.org")
    monkeypatch.setenv("STLS_MAX_FILE_MB", "0.001")  # 1,048 bytes
    files = [upload.Upload("small.csv", b"a,b\n"), upload.Upload("../big.csv", b"9" * 5000)]
    with pytest.raises(upload.UploadRefused) as refused:
        upload.start(warehouse, files, by="steward@example.org")
    line = str(refused.value)
    assert line.startswith("big.csv: ") and "Nothing was loaded" in line and "\n" not in line
    assert "small.csv" not in line
    assert leftovers(warehouse) == [] and not warehouse.exists()
    assert upload.current(warehouse) is None


@pytest.mark.dbt
def test_one_load_at_a_time_with_its_progress(load1_warehouse, tmp_path, monkeypatch):
    warehouse = copy_warehouse(load1_warehouse, tmp_path)
    before = loads_recorded(warehouse)
    files = [upload.Upload("thanet_2023-24_t3.csv", thanet_term_3())]

    # A load run elsewhere holds the lock: the upload is refused at once, in one line.
    with exclusive(warehouse), pytest.raises(upload.UploadRefused, match="another load is"):
        upload.start(warehouse, files, by="steward@example.org")
    assert leftovers(warehouse) == []

    # An upload paused after its files are read and checked: a second is refused, naming
    # who started the first; the first then runs to the end.
    monkeypatch.setenv(PAUSE_ENV, "landed")
    job = upload.start(warehouse, files, by="steward@example.org")
    marker = pause_marker(warehouse)
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert time.monotonic() < deadline and job.running, job.error
        time.sleep(0.05)
    assert job.running and job.steps_seen == ["read", "audit"]
    assert 0 < job.fraction <= 0.45
    with pytest.raises(upload.UploadRefused) as second:
        upload.start(warehouse, files, by="other@example.org")
    assert "another load from the browser is running" in str(second.value)
    assert "steward@example.org" in str(second.value)
    monkeypatch.delenv(PAUSE_ENV)
    os.unlink(marker)
    assert job.done.wait(600), "the load did not finish"
    assert job.error is None and job.result is not None and job.result.exit_code == 0
    assert job.steps_seen == ["read", "audit", "build", "publish"]
    assert job.fraction == pytest.approx(1.0)
    assert loads_recorded(warehouse) == before + 1
    with duckdb.connect(str(warehouse), read_only=True) as con:
        kind = con.execute("select kind from raw.loads order by load_seq desc").fetchone()[0]
    assert kind == "upload"
    assert leftovers(warehouse) == []  # the saved files are removed when the load ends
