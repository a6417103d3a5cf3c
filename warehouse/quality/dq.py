"""The data-quality result of a load, as ``stls dq`` and the end of ``stls load`` show it.

Counts always add up: rows_received (rows of every file that could be read in that load)
= rows_published + rows_quarantined. A file whose bytes were loaded before adds nothing.
"""

from __future__ import annotations

import json

import duckdb
import pandas as pd

from warehouse.core import safe_text
from warehouse.core.contracts import CONTRACTS
from warehouse.core.errors import StlsError

SAMPLE_SIZE = 5


class NoSuchLoad(StlsError):
    pass


def latest_load_id(cur: duckdb.DuckDBPyConnection) -> str | None:
    row = cur.execute("select load_id from raw.loads order by load_seq desc limit 1").fetchone()
    return row[0] if row else None


def load_result(cur: duckdb.DuckDBPyConnection, load_id: str | None = None) -> dict:
    """The interface's ``stls dq --format json`` object for a load (default: the latest)."""
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
    actions = {
        (name, severity): (rule, action)
        for name, severity, rule, action in cur.execute(
            "select check_name, severity, rule, action from dq.check_results where load_id = ?",
            [load_id],
        ).fetchall()
    }
    checks = []
    for source, check, severity, failing in cur.execute(
        """
        select source, check_name, severity, count(*) from dq.issues where load_id = ?
        group by all order by severity, source, check_name
        """,
        [load_id],
    ).fetchall():
        rule, action = actions.get((check, severity), (None, None))
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
                "rule": rule,
                "action": action,
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
            first = check["sample"][0] if check["sample"] else {}
            where = first.get("file") or ""
            if first.get("row") is not None:
                where += f" row {first['row']}"
            example = f"{where}: {first.get('message', '')}" if where else first.get("message")
            out.append(
                f"  {check['severity']:<7} {check['source']}.{check['check']}: "
                f"{check['failing_rows']} failing, e.g. {t(example)}"
            )
    if result.get("seconds"):
        steps = ", ".join(f"{k} {v:.1f}" for k, v in result["seconds"].items())
        out.append(f"Took {sum(result['seconds'].values()):.1f} s ({steps})")
    if result.get("data_docs"):
        out.append(f"Great Expectations Data Docs: {t(result['data_docs'])}")
    out.append("Next: " + next_step(result))
    return "\n".join(out) + "\n"


def next_step(result: dict) -> str:
    if result["files_rejected"] or result["held_submissions"] or result["rows_quarantined"]:
        return (
            "send each district its failing rows ('stls dq --format json'), and load the "
            "corrected files when they arrive: they replace the held submissions."
        )
    if result["rows_quarantined"]:
        return (
            "the quarantined rows above say why each was set aside; the rest was published. "
            "Correct them at source and load the corrected file (for DfE's national files, "
            "load DfE's published release again)."
        )
    if result["status"] == "warnings":
        return "review the warnings above; nothing was held back."
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
    """Failing counts of every check that ever failed, per load, oldest first."""
    return _frame(
        cur,
        """
        with ever_failed as (
            select distinct check_name, severity from dq.check_results where not success
        )
        select l.load_seq, l.load_id, l.started_at, c.check_name, c.severity, c.failing
        from dq.check_results c
        join ever_failed using (check_name, severity)
        join raw.loads l using (load_id)
        order by l.load_seq, c.check_name
        """,
    )


_RAW_ALIAS = {
    "termly_return": "rt",
    "census": "rc",
    "funding": "rf",
    "national_data": "rnd",
    "national_dictionary": "rnx",
    "national_neighbours": "rnn",
    "caseload_episode": "re",
    "pupil_census": "rp",
}


def _value_as_received() -> str:
    """SQL picking the raw cell a failure points at, from each source's raw table."""
    columns = sorted({c for contract in CONTRACTS.values() for c in contract.columns})
    cases = []
    for column in columns:
        sources = [name for name, contract in CONTRACTS.items() if column in contract.columns]
        picks = " ".join(
            f"when i.source = '{source}' then {_RAW_ALIAS[source]}.{column}" for source in sources
        )
        cases.append(f"when i.column_name = '{column}' then case {picks} end")
    return "case " + " ".join(cases) + " end"


def failing_rows(
    cur: duckdb.DuckDBPyConnection,
    load_id: str,
    *,
    check_name: str | None = None,
    district: str | None = None,
) -> pd.DataFrame:
    """Each failing row of a load: where (file, row, column), the value as received,
    what is wrong and what to do; optionally for one check or one district."""
    return _frame(
        cur,
        f"""
        select i.severity, i.check_name as "check", i.district, i.file_name as file,
               i.row_number as row, i.column_name as "column",
               {_value_as_received()} as value_as_received,
               i.message, chk.action
        from dq.issues i
        left join raw.termly_return rt
            on i.source = 'termly_return' and rt.file_id = i.file_id
            and rt.row_number = i.row_number
        left join raw.census rc
            on i.source = 'census' and rc.file_id = i.file_id and rc.row_number = i.row_number
        left join raw.funding rf
            on i.source = 'funding' and rf.file_id = i.file_id and rf.row_number = i.row_number
        left join raw.national_data rnd
            on i.source = 'national_data' and rnd.file_id = i.file_id
            and rnd.row_number = i.row_number
        left join raw.national_dictionary rnx
            on i.source = 'national_dictionary' and rnx.file_id = i.file_id
            and rnx.row_number = i.row_number
        left join raw.national_neighbours rnn
            on i.source = 'national_neighbours' and rnn.file_id = i.file_id
            and rnn.row_number = i.row_number
        left join raw.caseload_episode re
            on i.source = 'caseload_episode' and re.file_id = i.file_id
            and re.row_number = i.row_number
        left join raw.pupil_census rp
            on i.source = 'pupil_census' and rp.file_id = i.file_id
            and rp.row_number = i.row_number
        left join (
            select distinct source, check_name, severity, action from dq.check_results
            where load_id = $load_id
        ) chk on chk.check_name = i.check_name and chk.severity = i.severity
            -- two sources' suites may name a check alike (la_number_is_a_dfe_code)
            and (chk.source is null or i.source is null or chk.source = i.source)
        where i.load_id = $load_id
          and ($check is null or i.check_name = $check)
          and ($district is null or i.district = $district)
        order by i.severity, i.district, i.file_name, i.row_number
        """,
        {"load_id": load_id, "check": check_name, "district": district},
    )


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
