"""What a warehouse file holds and whether it is whole: its latest load, the checks a file
passes before it is published or adopted, and the line a damaged file gets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from warehouse.core.errors import StlsError, first_line


class VersionError(StlsError):
    """A rollback that cannot be done (no such version, nothing earlier), or a file that
    is not whole enough to publish or keep; one line."""


@dataclass(frozen=True)
class LoadInfo:
    """What a warehouse file holds, in a line: its latest load."""

    load_id: str
    loaded_at: datetime | None  # when that load finished (started, if it never finished)
    status: str
    kind: str
    loads: int


# --------------------------------------------------------------------------------------
# Reading what a file holds, and checking it is a whole warehouse
# --------------------------------------------------------------------------------------


def describe(path: Path) -> LoadInfo | None:
    """The latest load recorded in a warehouse file, or None if it cannot be read."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        row = con.execute(
            """
            select load_id, coalesce(finished_at, started_at), status, kind, count(*) over ()
            from raw.loads order by load_seq desc limit 1
            """
        ).fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()
    if row is None:
        return None
    return LoadInfo(load_id=row[0], loaded_at=row[1], status=row[2], kind=row[3], loads=row[4])


def verify(path: Path, *, load_id: str | None = None, marts: Iterable[str] = ()) -> None:
    """Raise VersionError unless ``path`` is a whole, checkpointed warehouse.

    Checked before anything is published: no write-ahead log left beside it (everything is
    in the file), it opens read-only, it has marts (and every one in ``marts``), each mart
    can be counted, and ``load_id``, when given, is recorded as finished.
    """
    if path.with_name(path.name + ".wal").exists():
        raise VersionError(f"{path}: has changes not yet checkpointed into the file")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise VersionError(f"{path}: cannot be opened: {first_line(exc)}") from None
    try:
        _check_contents(con, path, load_id, set(marts))
    except duckdb.Error as exc:
        raise VersionError(f"{path}: cannot be read: {first_line(exc)}") from None
    finally:
        con.close()


def damage(path: Path) -> str | None:
    """What is wrong with a warehouse file that cannot be read (one line), or None when it
    opens read-only and its load history and marts can be counted. A load never builds on,
    and never keeps as a version, a file this finds damaged."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        return first_line(exc)
    try:
        con.execute("select count(*) from raw.loads").fetchall()
        marts = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
        for (name,) in marts:
            con.execute(f'select count(*) from marts."{name}"').fetchall()
    except duckdb.CatalogException:
        return None  # a warehouse without those tables yet is empty, not damaged
    except duckdb.Error as exc:
        return first_line(exc)
    finally:
        con.close()
    return None


def damaged_error(path: Path, problem: str) -> str:
    """The one line a steward reads about a damaged warehouse, with what to do."""
    return (
        f"{path}: the warehouse file is damaged and cannot be read ({problem}): restore the "
        "last good version with 'stls rollback' ('stls rollback --list' shows the versions "
        "kept)"
    )


def _check_contents(
    con: duckdb.DuckDBPyConnection, path: Path, load_id: str | None, marts: set[str]
) -> None:
    present = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    }
    if not present:
        raise VersionError(f"{path}: has no marts")
    missing = sorted(marts - present)
    if missing:
        raise VersionError(f"{path}: marts missing: {', '.join(missing)}")
    for name in sorted(present):  # every mart reads to its end: it is whole
        con.execute(f'select count(*) from marts."{name}"').fetchall()
    if load_id is not None:
        row = con.execute("select status from raw.loads where load_id = ?", [load_id]).fetchone()
        if row is None or row[0] == "running":
            raise VersionError(f"{path}: load {load_id} is not recorded as finished")
