"""The data-quality result of a load, as ``stls dq`` and the end of ``stls load`` show it.

Counts always add up: rows_received (rows of every file that could be read in that load)
= rows_published + rows_quarantined. A file whose bytes were loaded before adds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import duckdb
import pandas as pd

from warehouse.core import safe_text
from warehouse.core.errors import StlsError
from warehouse.quality import failing
from warehouse.quality.failing import Review

SAMPLE_SIZE = 5


class NoSuchLoad(StlsError):
    pass


def latest_load_id(cur: duckdb.DuckDBPyConnection) -> str | None:
    row = cur.execute("select load_id from raw.loads order by load_seq desc limit 1").fetchone()
    return row[0] if row else None


def load_result(
    cur: duckdb.DuckDBPyConnection,
    load_id: str | None = None,
    *,
    reviews: Mapping[str, Review] | None = None,
    district: str | None = None,
) -> dict:
    """The interface's ``stls dq --format json`` object for a load (default: the latest):
    its counts, files, held submissions, checks, and ``failing_rows``, every failing cell
    once (``warehouse.quality.failing``); with ``district``, only that district's failing
    rows and held submissions. ``reviews``: the stewards' reviews of warnings
    (``warehouse.publish.reviews.read``), shown with the warnings they review."""
    load_id = load_id or latest_load_id(cur)
    load = cur.execute(
        "select load_id, load_seq, kind, started_at, finished_at, status, seconds, data_docs "
        "from raw.loads where load_id = ?",
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
    # A check is its source's: three suites have a district_is_known, each with its own
    # rule and action; the files suite (source null) judges files of every source.
    actions = {
        (source, name, severity): (rule, action)
        for source, name, severity, rule, action in cur.execute(
            "select source, check_name, severity, rule, action from dq.check_results "
            "where load_id = ?",
            [load_id],
        ).fetchall()
    }
    rows = failing.failing_rows(cur, load_id, reviews=reviews)
    records = failing.as_records(rows)
    checks = []
    for source, check, severity, count in cur.execute(
        """
        select source, check_name, severity, count(*) from dq.issues where load_id = ?
        group by all order by severity, source, check_name
        """,
        [load_id],
    ).fetchall():
        rule, action = actions.get(
            (source, check, severity), actions.get((None, check, severity), (None, None))
        )
        checks.append(
            {
                "source": source,
                "check": check,
                "label": failing.check_label(check),
                "severity": severity,
                "failing_rows": count,
                "rule": rule,
                "action": action,
                "sample": [
                    {k: r[k] for k in ("district", "file", "row", "column", "message")}
                    for r in records
                    if (r["source"], r["check"], r["severity"]) == (source, check, severity)
                ][:SAMPLE_SIZE],
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
    if district is not None:
        rows = rows[rows["district"] == district]
        records = [r for r in records if r["district"] == district]
    warnings = rows[rows["severity"] == "warning"]
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
            if district is None or d == district
        ],
        "checks": checks,
        "district": district,
        "failing_rows": records,
        "warnings_new": failing.new_warnings(rows),
        "warnings_reviewed": int(warnings["reviewed_by"].notna().sum()),
        "seconds": json.loads(load[6]) if load[6] else {},
        "data_docs": load[7],
    }


def _period(item: dict) -> str:
    if item.get("term"):
        return f"{item['academic_year']} term {item['term']}"
    if item.get("census_year"):
        return f"census {item['census_year']}"
    return str(item.get("academic_year") or "")


def render_text(result: dict) -> str:
    """The load's result for a terminal. Every piece that can come from a file (file names,
    reasons, messages, districts as sent) goes through ``safe_text.terminal_text``, so a
    control character shows as an escape (``\\x1b``) and cannot move the cursor, erase
    lines or start a new one."""
    t = safe_text.terminal_text
    status = str(result["status"]).upper()
    out = [
        f"Load {t(result['load_id'])} ({t(result['kind'])}), finished "
        f"{result['finished_at'] or '-'}: {status}",
        f"Files: {result['files_received']} received, {len(result['files_accepted'])} accepted, "
        f"{len(result['files_rejected'])} rejected, {len(result['files_already_loaded'])} "
        "already loaded before (nothing new)",
        f"Rows: {result['rows_received']:,} received = {result['rows_published']:,} published"
        f" + {result['rows_quarantined']:,} quarantined",
    ]
    if result["files_rejected"]:
        out.append("Rejected files (nothing from them was loaded):")
        out += [f"  {t(f['file'])}: {t(f['reason'])}" for f in result["files_rejected"]]
    if result["held_submissions"]:
        out.append("Held back (earlier published figures stay until a corrected file arrives):")
        out += [
            f"  {t(h['district'])} {t(_period(h))} ({t(h['file'])}): {t(h['reason'])}"
            for h in result["held_submissions"]
        ]
    if result["checks"]:
        out.append("Checks that found something:")
        for check in result["checks"]:
            out.append(
                f"  {check['severity']:<7} {check['source']}.{check['check']}: "
                f"{check['failing_rows']} failing"
            )
    if result["failing_rows"]:
        out.append("")
        out += failing.render_text(result["failing_rows"])
    elif result.get("district"):
        out.append(f"Nothing for {t(result['district'])} to correct in this load.")
    if result.get("warnings_reviewed"):
        out.append(
            f"{result['warnings_reviewed']} warning(s) were reviewed by a steward before: "
            "not new (shown with the review above)."
        )
    if result.get("seconds"):
        steps = ", ".join(f"{k} {v:.1f}" for k, v in result["seconds"].items())
        out.append(f"Took {sum(result['seconds'].values()):.1f} s ({steps})")
    if result.get("data_docs"):
        out.append(f"Great Expectations Data Docs: {t(result['data_docs'])}")
    out.append("Next: " + next_step(result))
    return "\n".join(out) + "\n"


def next_step(result: dict, *, commands: bool = True) -> str:
    """What the steward does next; ``commands``: name the ``stls`` commands (the terminal),
    else the page's own buttons."""
    if result["files_rejected"] or result["held_submissions"]:
        send = (
            "send each district its correction pack ('stls dq pack --output DIR'; one "
            "district's rows: 'stls dq --district NAME')"
            if commands
            else "send each district its correction pack (the download below)"
        )
        return (
            f"{send}, and load the corrected files when they arrive: they replace the held "
            "submissions."
        )
    if result["rows_quarantined"]:
        return (
            "the quarantined rows above say why each was set aside; the rest was published. "
            "Correct them at source and load the corrected file (for DfE's national files, "
            "load DfE's published release again)."
        )
    if result["status"] == "warnings" or result.get("warnings_new"):
        where = "above" if commands else "below"
        return f"review the warnings {where}; nothing was held back."
    return "nothing to do: everything received was published."


def render_json(result: dict) -> str:
    return json.dumps(result, indent=2, default=str) + "\n"


# ---------------------------------------------------------------- the steward's page
# Query functions for the Data quality page (through warehouse.dashboard.app_data's caches). Each
# takes parameters only; column names come from the contract, never from a user.


def _frame(cur: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> pd.DataFrame:
    return cur.execute(sql, params or {}).df()


def loads_history(cur: duckdb.DuckDBPyConnection, limit: int = 50) -> pd.DataFrame:
    """Every load, newest first, with what it received, published, held and found."""
    return _frame(
        cur,
        """
        with files as (
            select load_id,
                   count(*) as files_received,
                   count(*) filter (status = 'accepted') as files_accepted,
                   count(*) filter (status = 'rejected') as files_rejected,
                   count(*) filter (status = 'duplicate') as files_already_loaded,
                   coalesce(sum(rows_read) filter (status = 'accepted'), 0)::bigint as rows_received
            from raw.files group by load_id
        ),
        rows as (
            select load_id,
                   count(*) filter (outcome = 'published') as rows_published,
                   count(*) filter (outcome = 'quarantined') as rows_quarantined
            from dq.row_outcomes group by load_id
        ),
        held as (
            select load_id, count(*) as submissions_held
            from dq.submissions where status = 'held' group by load_id
        ),
        issues as (
            select load_id,
                   count(*) filter (severity = 'error') as errors,
                   count(*) filter (severity = 'warning') as warnings
            from dq.issues group by load_id
        )
        select l.load_seq, l.load_id, l.kind, l.status, l.started_at, l.finished_at,
               coalesce(f.files_received, 0) as files_received,
               coalesce(f.files_accepted, 0) as files_accepted,
               coalesce(f.files_rejected, 0) as files_rejected,
               coalesce(f.files_already_loaded, 0) as files_already_loaded,
               coalesce(f.rows_received, 0) as rows_received,
               coalesce(r.rows_published, 0) as rows_published,
               coalesce(r.rows_quarantined, 0) as rows_quarantined,
               coalesce(h.submissions_held, 0) as submissions_held,
               coalesce(i.errors, 0) as errors,
               coalesce(i.warnings, 0) as warnings,
               l.data_docs
        from raw.loads l
        left join files f using (load_id)
        left join rows r using (load_id)
        left join held h using (load_id)
        left join issues i using (load_id)
        order by l.load_seq desc
        limit $limit
        """,
        {"limit": limit},
    )


def check_results(cur: duckdb.DuckDBPyConnection, load_id: str) -> pd.DataFrame:
    """Every check of a load, failing ones first (errors before warnings)."""
    return _frame(
        cur,
        """
        select suite, source, check_name, severity, scope, column_name, rule, action,
               success, evaluated, failing
        from dq.check_results
        where load_id = $load_id
        order by success, severity, failing desc, suite, check_name
        """,
        {"load_id": load_id},
    )


def check_history(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Failing counts of every check that ever failed, per load, oldest first (a check is
    its suite's: the census and the returns each have a ``district_is_known``)."""
    return _frame(
        cur,
        """
        with ever_failed as (
            select distinct suite, check_name, severity from dq.check_results
            where not success
        )
        select l.load_seq, l.load_id, l.started_at, c.suite, c.source, c.check_name,
               c.severity, c.failing
        from dq.check_results c
        join ever_failed using (suite, check_name, severity)
        join raw.loads l using (load_id)
        order by l.load_seq, c.suite, c.check_name
        """,
    )


def failing_rows(
    cur: duckdb.DuckDBPyConnection,
    load_id: str,
    district: str | None = None,
    reviews: Mapping[str, Review] | None = None,
) -> pd.DataFrame:
    """Every failing cell of a load once, with the district that must correct it, its own
    check's rule and action (``warehouse.quality.failing``); optionally one district's."""
    return failing.failing_rows(cur, load_id, district=district, reviews=reviews)


def holds(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every submission ever held, and the later published submission that released it
    (null while it is still held): what dbt decided (``mart_submission_history``)."""
    return _frame(
        cur,
        """
        select district_name as district, source, academic_year, term_number as term,
               census_year, file_name, load_id as held_in_load, held_reason as reason,
               replaced_by_file_name as released_by_file,
               replaced_in_load_id as released_in_load,
               submission_state = 'held' as still_held
        from marts.mart_submission_history
        where submission_status = 'held'
        order by still_held desc, district, academic_year, term
        """,
    )


# What a submission became (``mart_submission_history.submission_state``), in words.
SUBMISSION_STATES = {
    "in_force": "Published",
    "superseded": "Published, since superseded by a later file",
    "held": "Held back",
    "released": "Held back, since replaced by a later file",
}
FILE_STATES = {
    "rejected": "Rejected: nothing from it was loaded",
    "duplicate": "Already loaded before: nothing new",
}


def held_now(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every district-period held back now, counted once: the latest held submission for
    it, with the earlier files for the same period that a later held file superseded (they
    are still in the history, never published)."""
    return _frame(
        cur,
        """
        with held as (
            select h.*, l.load_seq,
                   row_number() over (
                       partition by h.source, h.district_name, h.period
                       order by h.received_seq desc, h.submission_id desc
                   ) as newest
            from marts.mart_submission_history h
            join raw.loads l using (load_id)
            where h.submission_state = 'held'
        )
        select latest.district_name as district, latest.source, latest.period,
               latest.academic_year, latest.term_number as term, latest.census_year,
               latest.file_name, latest.load_id as held_in_load,
               latest.load_seq as held_in_load_seq, latest.held_reason as reason,
               (select string_agg(earlier.file_name, ', ' order by earlier.received_seq)
                from held earlier
                where earlier.newest > 1 and earlier.source = latest.source
                  and earlier.district_name = latest.district_name
                  and earlier.period = latest.period) as superseded_files
        from held latest
        where latest.newest = 1
        order by latest.district_name, latest.source, latest.period
        """,
    )


def received(cur: duckdb.DuckDBPyConnection, load_id: str) -> pd.DataFrame:
    """What a load received: each file, and each submission in it with what became of it
    (published and in force, superseded, held, released), and rows set aside alone."""
    return _frame(
        cur,
        """
        with alone as (
            select file_id, count(*) as rows_set_aside
            from dq.row_outcomes
            where load_id = $load_id and submission_id is null and outcome = 'quarantined'
            group by file_id
        )
        select f.received_seq, f.file_name as file, f.source, f.status as file_status,
               f.reason as file_reason, f.rows_read,
               h.district_name as district, h.period, h.rows as submission_rows,
               h.submission_state, h.replaced_by_file_name as replaced_by_file,
               coalesce(a.rows_set_aside, 0) as rows_set_aside
        from raw.files f
        left join marts.mart_submission_history h
            on starts_with(h.submission_id, f.file_id || '/')
        left join alone a on a.file_id = f.file_id
        where f.load_id = $load_id
        order by f.received_seq, h.district_name, h.period
        """,
        {"load_id": load_id},
    )
