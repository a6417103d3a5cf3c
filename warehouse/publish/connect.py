"""Read access to a published warehouse: read-only connections and its version.

Readers never write. A load publishes a new warehouse by renaming a new file over the old
one, so a file's identity (inode, size, modification time) changes with every load; caches
keyed on ``version()`` notice a new warehouse even though the path is the same.

``connect`` opens the live version through its own link in ``<warehouse>.versions/`` (see
``warehouse.publish.versions``): DuckDB hands a process that still holds a connection to a path
the database it already has open there, which after a load is the old file. A version's
link is a path no other file ever has, so a new connection always reads what is live.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.core.errors import WarehouseMissing, first_line
from warehouse.publish import versions
from warehouse.publish.identity import version_of


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the live warehouse; raises WarehouseMissing with a clear
    line if there is none."""
    version_of(path)
    try:
        con = _open(versions.reading_path(path))
    except duckdb.Error:
        try:  # the version was pruned between finding and opening it: the path itself
            con = _open(path)
        except duckdb.Error as exc:
            raise WarehouseMissing(versions.damaged_error(path, first_line(exc))) from None
    try:
        has_marts = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts'"
        ).fetchone()[0]
    except duckdb.Error as exc:
        con.close()
        raise WarehouseMissing(versions.damaged_error(path, first_line(exc))) from None
    if not has_marts:
        con.close()
        raise WarehouseMissing(
            f"{path}: the warehouse has no marts yet; run 'stls demo' or 'stls load PATH'"
        )
    return con


def _open(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)


def built_from_demo(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether any published data came from the bundled, illustrative demo files."""
    row = con.execute("select count(*) from raw.loads where kind = 'demo'").fetchone()
    return bool(row and row[0])
