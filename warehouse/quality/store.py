"""Writes to the dq layer: what the audit decided (submissions, row outcomes, issues, every
check's result) and how it read each row. Append-only."""

from __future__ import annotations

import duckdb
import polars as pl

from warehouse.core import contracts
from warehouse.quality import checks
from warehouse.quality.audit import AuditResult, FileToAudit


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
    if audit.national_outcomes is not None:
        _insert_frame(con, "dq.row_outcomes", audit.national_outcomes)
    if audit.child_outcomes is not None:
        _insert_frame(con, "dq.row_outcomes", audit.child_outcomes)
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


def backfill_row_values(con: duckdb.DuckDBPyConnection) -> int:
    """Read raw rows that have no ``dq.<source>_values`` row yet (loaded by a version of STLS
    Insight from before the audit kept its reading) the way the audit reads them now, so
    the warehouse keeps publishing their figures. Returns the rows read; 0 once done."""
    done = 0
    for source in contracts.SOURCES:
        missing = con.sql(
            f"""
            select r.* exclude (load_id, file_name, file_checksum, extra_columns),
                   r.load_id, r.file_name
            from raw.{source} r
            anti join dq.{source}_values v using (file_id, row_number)
            """
        ).pl()
        if missing.height == 0:
            continue
        files = [
            FileToAudit(
                load_id=part["load_id"][0],
                file_id=file_id,
                file_name=part["file_name"][0],
                received_seq=0,
                source=source,
                frame=part.drop("load_id", "file_name", "file_id"),
            )
            for (file_id,), part in missing.group_by("file_id", maintain_order=True)
        ]
        values = checks.row_values(checks.row_frames(files))[source]
        con.register("backfilled_values", values.to_arrow())
        try:
            con.execute(f"insert into dq.{source}_values by name select * from backfilled_values")
        finally:
            con.unregister("backfilled_values")
        done += values.height
    return done
