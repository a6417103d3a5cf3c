"""The data-quality result of a load, as ``stls dq`` and the end of ``stls load`` show it.

Counts always add up: rows_received (rows of every file that could be read in that load)
= rows_published + rows_quarantined. A file whose bytes were loaded before adds nothing.
"""

from __future__ import annotations

import json

import duckdb

SAMPLE_SIZE = 5


class NoSuchLoad(Exception):
    pass


def latest_load_id(cur: duckdb.DuckDBPyConnection) -> str | None:
    row = cur.execute("select load_id from raw.loads order by load_seq desc limit 1").fetchone()
    return row[0] if row else None


def load_result(cur: duckdb.DuckDBPyConnection, load_id: str | None = None) -> dict:
    """The interface's ``stls dq --format json`` object for a load (default: the latest)."""
    load_id = load_id or latest_load_id(cur)
    load = cur.execute(
        "select load_id, load_seq, kind, started_at, finished_at, status from raw.loads "
        "where load_id = ?",
        [load_id],
    ).fetchone()
    if load is None:
        raise NoSuchLoad(
            f"no load with id {load_id!r} in this warehouse" if load_id else "no loads yet"
        )
    files = cur.execute(
        "select file_name, source, status, reason, rows_read from raw.files "
        "where load_id = ? order by received_seq",
        [load_id],
    ).fetchall()
    counts = dict(
        cur.execute(
            "select outcome, count(*) from dq.row_outcomes where load_id = ? group by outcome",
            [load_id],
        ).fetchall()
    )
    checks = []
    for source, check, severity, failing in cur.execute(
        """
        select source, check_name, severity, count(*) from dq.issues where load_id = ?
        group by all order by severity, source, check_name
        """,
        [load_id],
    ).fetchall():
        sample = cur.execute(
            """
            select district, file_name, row_number, column_name, message from dq.issues
            where load_id = ? and source = ? and check_name = ? and severity = ?
            order by file_name, row_number limit ?
            """,
            [load_id, source, check, severity, SAMPLE_SIZE],
        ).fetchall()
        checks.append(
            {
                "source": source,
                "check": check,
                "severity": severity,
                "failing_rows": failing,
                "sample": [
                    {"district": d, "file": f, "row": r, "column": c, "message": m}
                    for d, f, r, c, m in sample
                ],
            }
        )
    held = cur.execute(
        """
        select district, academic_year, term, census_year, source, file_name, reason
        from dq.submissions where load_id = ? and status = 'held'
        order by district, academic_year, term
        """,
        [load_id],
    ).fetchall()
    return {
        "load_id": load[0],
        "load_seq": load[1],
        "kind": load[2],
        "started_at": load[3].isoformat(timespec="seconds") if load[3] else None,
        "finished_at": load[4].isoformat(timespec="seconds") if load[4] else None,
        "status": load[5],
        "rows_received": sum(f[4] for f in files if f[2] == "accepted"),
        "rows_published": counts.get("published", 0),
        "rows_quarantined": counts.get("quarantined", 0),
        "files_received": len(files),
        "files_accepted": [f[0] for f in files if f[2] == "accepted"],
        "files_rejected": [{"file": f[0], "reason": f[3]} for f in files if f[2] == "rejected"],
        "files_already_loaded": [
            {"file": f[0], "reason": f[3]} for f in files if f[2] == "duplicate"
        ],
        "held_submissions": [
            {
                "district": d,
                "academic_year": y,
                "term": t,
                "census_year": cy,
                "source": s,
                "file": f,
                "reason": r,
            }
            for d, y, t, cy, s, f, r in held
        ],
        "checks": checks,
    }


def _period(item: dict) -> str:
    if item.get("term"):
        return f"{item['academic_year']} term {item['term']}"
    if item.get("census_year"):
        return f"census {item['census_year']}"
    return str(item.get("academic_year") or "")


def render_text(result: dict) -> str:
    status = str(result["status"]).upper()
    out = [
        f"Load {result['load_id']} ({result['kind']}), finished {result['finished_at'] or '-'}: "
        f"{status}",
        f"Files: {result['files_received']} received, {len(result['files_accepted'])} accepted, "
        f"{len(result['files_rejected'])} rejected, {len(result['files_already_loaded'])} "
        "already loaded before (nothing new)",
        f"Rows: {result['rows_received']:,} received = {result['rows_published']:,} published"
        f" + {result['rows_quarantined']:,} quarantined",
    ]
    if result["files_rejected"]:
        out.append("Rejected files (nothing from them was loaded):")
        out += [f"  {f['file']}: {f['reason']}" for f in result["files_rejected"]]
    if result["held_submissions"]:
        out.append("Held back (earlier published figures stay until a corrected file arrives):")
        out += [
            f"  {h['district']} {_period(h)} ({h['file']}): {h['reason']}"
            for h in result["held_submissions"]
        ]
    if result["checks"]:
        out.append("Checks that found something:")
        for check in result["checks"]:
            first = check["sample"][0] if check["sample"] else {}
            where = first.get("file", "")
            if first.get("row") is not None:
                where += f" row {first['row']}"
            out.append(
                f"  {check['severity']:<7} {check['source']}.{check['check']}: "
                f"{check['failing_rows']} row(s), e.g. {where}: {first.get('message', '')}"
            )
    out.append("Next: " + next_step(result))
    return "\n".join(out) + "\n"


def next_step(result: dict) -> str:
    if result["files_rejected"] or result["held_submissions"]:
        return (
            "send each district its failing rows ('stls dq --format json'), and load the "
            "corrected files when they arrive: they replace the held submissions."
        )
    if result["status"] == "warnings":
        return "review the warnings above; nothing was held back."
    return "nothing to do: everything received was published."


def render_json(result: dict) -> str:
    return json.dumps(result, indent=2, default=str) + "\n"
