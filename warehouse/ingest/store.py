"""Writes to the warehouse's append-only layers: ``raw`` (what arrived) and ``dq`` (what the
audit decided). Nothing here updates or deletes a row, except closing the load's own
``raw.loads`` entry when it finishes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb
import polars as pl

from warehouse import __version__
from warehouse.ingest.readers import ReadResult
from warehouse.ingest.schema import ensure_schemas
from warehouse.quality.audit import AuditResult


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def start_load(con: duckdb.DuckDBPyConnection, load_id: str, kind: str, paths: list[str]) -> int:
    ensure_schemas(con)
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


def write_audit(con: duckdb.DuckDBPyConnection, load_id: str, audit: AuditResult) -> None:
    if audit.submissions:
        con.executemany(
            "insert into dq.submissions values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    s.submission_id,
                    s.source,
                    s.load_id,
                    s.file_id,
                    s.file_name,
                    s.received_seq,
                    s.district,
                    s.academic_year,
                    s.term,
                    s.census_year,
                    s.rows,
                    s.status,
                    s.reason,
                ]
                for s in audit.submissions
            ],
        )
    if audit.outcomes:
        frame = pl.DataFrame(
            [o.__dict__ for o in audit.outcomes],
            schema={
                "source": pl.String,
                "load_id": pl.String,
                "file_id": pl.String,
                "row_number": pl.Int32,
                "submission_id": pl.String,
                "district": pl.String,
                "academic_year": pl.String,
                "term": pl.Int32,
                "census_year": pl.Int32,
                "outcome": pl.String,
                "reason": pl.String,
            },
        ).to_arrow()
        con.register("incoming_outcomes", frame)
        try:
            con.execute("insert into dq.row_outcomes by name select * from incoming_outcomes")
        finally:
            con.unregister("incoming_outcomes")
    for source, values in audit.values.items():
        _insert_frame(con, f"dq.{source}_values", values)
    if audit.checks:
        con.executemany(
            "insert into dq.check_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    load_id,
                    c.suite,
                    c.source,
                    c.name,
                    c.expectation,
                    c.severity,
                    c.scope,
                    c.column,
                    c.rule,
                    c.action,
                    c.success,
                    c.evaluated,
                    c.failing_count,
                ]
                for c in audit.checks
            ],
        )
    if audit.issues:
        con.executemany(
            "insert into dq.issues values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    load_id,
                    i.source,
                    i.check_name,
                    i.severity,
                    i.file_name,
                    i.row_number,
                    i.column_name,
                    i.submission_id,
                    i.district,
                    i.message,
                    i.file_id,
                ]
                for i in audit.issues
            ],
        )


def _insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    if frame.height == 0:
        return
    con.register("incoming_frame", frame.to_arrow())
    try:
        con.execute(f"insert into {table} by name select * from incoming_frame")
    finally:
        con.unregister("incoming_frame")
