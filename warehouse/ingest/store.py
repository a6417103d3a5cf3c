"""Writes to the raw layer: the load, each file offered and every row read, exactly as
received. Nothing here updates or deletes a row, except closing the load's own
``raw.loads`` entry when it finishes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb
import polars as pl

from warehouse import __version__
from warehouse.ingest.readers import ReadResult
from warehouse.ingest.schema import ensure_raw


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def start_load(con: duckdb.DuckDBPyConnection, load_id: str, kind: str, paths: list[str]) -> int:
    ensure_raw(con)
    (seq,) = con.execute("select coalesce(max(load_seq), 0) + 1 from raw.loads").fetchone()
    con.execute(
        "insert into raw.loads values (?, ?, ?, null, 'running', ?, ?, ?, null, null)",
        [load_id, seq, now_utc(), kind, json.dumps(paths), __version__],
    )
    return int(seq)


def finish_load(
    con: duckdb.DuckDBPyConnection,
    load_id: str,
    status: str,
    seconds: dict[str, float],
    data_docs: str | None,
) -> None:
    con.execute(
        "update raw.loads set finished_at = ?, status = ?, seconds = ?, data_docs = ? "
        "where load_id = ?",
        [now_utc(), status, json.dumps(seconds), data_docs, load_id],
    )


def next_received_seq(con: duckdb.DuckDBPyConnection) -> int:
    (seq,) = con.execute("select coalesce(max(received_seq), 0) + 1 from raw.files").fetchone()
    return int(seq)


def earlier_file_with_checksum(con: duckdb.DuckDBPyConnection, checksum: str) -> str | None:
    """The name and load of a file already received with these exact bytes, if any."""
    row = con.execute(
        """
        select file_name || ' (load ' || load_id || ')' from raw.files
        where file_checksum = ? and status <> 'duplicate'
        order by received_seq limit 1
        """,
        [checksum],
    ).fetchone()
    return row[0] if row else None


def record_file(
    con: duckdb.DuckDBPyConnection,
    *,
    file_id: str,
    load_id: str,
    received_seq: int,
    result: ReadResult,
    status: str,
    reason: str | None,
) -> None:
    rows = result.rows_read if status == "accepted" else 0
    con.execute(
        "insert into raw.files values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            file_id,
            load_id,
            received_seq,
            result.file_name,
            str(result.path),
            result.checksum,
            result.file_bytes,
            result.file_format,
            result.encoding,
            result.source,
            status,
            reason,
            rows,
            json.dumps(result.header_map) if result.header_map else None,
        ],
    )


def append_raw_rows(
    con: duckdb.DuckDBPyConnection, *, file_id: str, load_id: str, result: ReadResult
) -> None:
    """Every row read, exactly as received, with its lineage."""
    if result.frame is None or result.frame.height == 0:
        return
    incoming = result.frame.with_columns(
        pl.lit(load_id).alias("load_id"),
        pl.lit(file_id).alias("file_id"),
        pl.lit(result.file_name).alias("file_name"),
        pl.lit(result.checksum).alias("file_checksum"),
    ).to_arrow()
    con.register("incoming_rows", incoming)
    try:
        con.execute(f"insert into raw.{result.source} by name select * from incoming_rows")
    finally:
        con.unregister("incoming_rows")
