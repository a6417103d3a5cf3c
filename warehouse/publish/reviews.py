"""Stewards' reviews of warnings: who marked which warning reviewed, when, and why.

Kept beside the warehouse, in ``<warehouse>.reviews.jsonl``, not in it:

- **A rollback must keep them.** A rollback makes an older warehouse file live again
  (``warehouse.publish.versions``); a table inside the warehouse would go back with it,
  and every review made since would be lost. The side file is never part of a version,
  so a review survives any rollback, and a warning reviewed before stays reviewed after.
- **Append-only by construction.** Each review is one JSON line, appended (``O_APPEND``)
  under an exclusive ``flock`` of the file and flushed to disk (``fsync``) before the
  steward is told it is kept. Nothing ever rewrites or truncates the file; a later review
  of the same warning is a new line (the newest is shown, every one is kept). A line cut
  short by a crash is skipped when read, with a warning in the log, and the lines after it
  still count.
- **Readers never wait.** DuckDB allows one writing process: a review table in a DuckDB
  side file would make the dashboard (which writes reviews) and a load (which reads them)
  wait for each other. A text file is read whole in a moment and needs no lock to read.
- **The same access as the warehouse.** A review quotes a warning, and warnings quote
  received values: the file is created with the warehouse's mode, owner and group
  (``access.apply_access``) and read by the same people.

A review is of a warning's ``fingerprint`` (``warehouse.quality.failing.fingerprint``: the
same check, district, period, cell and message, so the same figure): the same warning on the
same unchanged figure at a later load is shown as reviewed and not raised as new; a changed
figure changes the message, and so the fingerprint, and is raised again.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from warehouse.core.errors import StlsError
from warehouse.publish.access import access_of, apply_access
from warehouse.quality import failing
from warehouse.quality.failing import Review
from warehouse.quality.results import WARNING

log = logging.getLogger(__name__)

MAX_COMMENT = 1000


class ReviewError(StlsError, ValueError):
    """A review that cannot be kept (not a warning, no comment, no reviewer)."""


def reviews_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".reviews.jsonl")


def record(
    warehouse: Path,
    warning: Mapping[str, object],
    *,
    by: str,
    comment: str,
    load_id: str = "",
    at: datetime | None = None,
) -> Review:
    """Keep a steward's review of one warning (a ``failing_rows`` row) and return it.
    Raises ReviewError for an error (errors are corrected, not reviewed), a blank comment
    or reviewer."""
    if warning.get("severity") != WARNING:
        raise ReviewError("only a warning can be marked reviewed: an error must be corrected")
    comment = " ".join(str(comment or "").split())
    by = " ".join(str(by or "").split())
    if not comment:
        raise ReviewError("say why the warning is fine: the comment is kept with the review")
    if not by:
        raise ReviewError("a review needs the reviewer's name")
    if len(comment) > MAX_COMMENT:
        raise ReviewError(f"the comment is {len(comment):,} characters; keep it to {MAX_COMMENT:,}")
    stamp = (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    review = Review(
        fingerprint=str(warning["fingerprint"]),
        by=by,
        at=stamp,
        comment=comment,
        check=str(warning.get("check") or ""),
        district=None if warning.get("district") is None else str(warning["district"]),
        message=str(warning.get("message") or ""),
        load_id=load_id,
    )
    line = json.dumps(review.__dict__, ensure_ascii=False, sort_keys=True) + "\n"
    _append(reviews_path(warehouse), line.encode("utf-8"), access_of(warehouse))
    return review


def _append(path: Path, data: bytes, access) -> None:
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if created and access is not None:
                apply_access(path, access)
            os.write(fd, data)
            os.fsync(fd)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def history(warehouse: Path) -> list[Review]:
    """Every review kept, oldest first (lines that do not read as a review are skipped)."""
    path = reviews_path(warehouse)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            out.append(Review(**{k: data[k] for k in Review.__dataclass_fields__ if k in data}))
        except (ValueError, TypeError) as exc:
            log.warning("%s line %d: not a review, skipped (%s)", path, number, exc)
    return out


def read(warehouse: Path) -> dict[str, Review]:
    """The newest review of each warning, by fingerprint."""
    return {review.fingerprint: review for review in history(warehouse)}


def stamp(warehouse: Path) -> tuple[int, int]:
    """The reviews file's (size, modification time): a cache key that changes with it."""
    with contextlib.suppress(FileNotFoundError):
        info = reviews_path(warehouse).stat()
        return info.st_size, info.st_mtime_ns
    return 0, 0


def reviewed_in_load(con: duckdb.DuckDBPyConnection, load_id: str, warehouse: Path) -> int:
    """How many of a load's warnings a steward had already reviewed (not new). A reviews
    file that cannot be read counts none reviewed, and the load goes on."""
    try:
        kept = read(warehouse)
    except OSError as exc:
        log.warning("%s: cannot be read, so no warning counts as reviewed: %s", warehouse, exc)
        return 0
    if not kept:
        return 0
    rows = failing.failing_rows(con.cursor(), load_id, reviews=kept)
    return int(((rows["severity"] == WARNING) & rows["reviewed_by"].notna()).sum())
