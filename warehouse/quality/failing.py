"""Every failing cell of a load, once, with its own check's rule and action, the district
that must correct it, and "did you mean" where a name is a near miss.

One row per problem the audit found (``dq.issues``: one per check and raw row, or per
submission, file or year for checks that judge those). Each is joined to exactly one check
result of the same load: the same check name and severity **of the same source** (the
termly return, census and funding suites each have a ``district_is_known``, with their own
rule and action); the ``files`` suite, which judges files of any source, has none. The
district is the one that must act (``quality.senders``): a row in a district's own file is
that district's, whatever its district cell says.

The same problem found again at a later load (same check, district, period, cell and
message: the same warning on the same unchanged figure) has the same ``fingerprint``; a
steward's review of it (``warehouse.publish.reviews``) is shown with it, and a reviewed
warning is not raised as new.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import duckdb
import pandas as pd
import polars as pl

from warehouse.core import contracts, spelling
from warehouse.core.contracts import CONTRACTS
from warehouse.quality.results import WARNING
from warehouse.quality.senders import BASIS_WORDS, district_to_fix, senders

# The fields of each failing row in ``stls dq --format json`` (``failing_rows``), in order.
FIELDS = (
    "file",
    "row",
    "column",
    "check",
    "severity",
    "district",
    "value",
    "message",
    "rule",
    "action",
    "did_you_mean",
    "what_to_change",
    "district_from",
    "send_to",
    "source",
    "check_label",
    "academic_year",
    "term",
    "census_year",
    "fingerprint",
    "reviewed_by",
    "reviewed_at",
    "review_comment",
)
NO_DISTRICT = "No district"  # the group of problems no district can be asked to correct


@dataclass(frozen=True)
class Review:
    """A steward's review of a warning: who, when (UTC, ISO), why. Kept outside the
    warehouse (``warehouse.publish.reviews``), so a rollback keeps it."""

    fingerprint: str
    by: str
    at: str
    comment: str
    check: str = ""
    district: str | None = None
    message: str = ""
    load_id: str = ""


def check_label(check: str) -> str:
    """A check's name as words: ``value_is_not_negative`` -> "Value is not negative"."""
    words = str(check).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


@cache
def _sources_seed() -> dict[str, dict[str, str]]:
    rows = contracts.read_seed("sources")
    return {r["source_code"]: r for r in rows}


def sent_by(source: str | None) -> str | None:
    """Who sends a source's files, as the sources seed says ("the census team")."""
    code = "return" if source == contracts.TERMLY_RETURN else source
    row = _sources_seed().get(code or "")
    return row["sent_by"] if row else None


def source_label(source: str | None) -> str:
    """A source as the sources seed names it ("Termly returns"); the termly return is
    ``return`` there."""
    code = "return" if source == contracts.TERMLY_RETURN else source
    row = _sources_seed().get(code or "")
    return row["source_label"] if row else ("Any file" if not source else check_label(source))


# Each source's raw table (raw.<source>) and its alias in the queries below.
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


def _raw_joins(sources: frozenset[str]) -> str:
    """SQL joining each problem to its raw row, whichever source's table holds it, for the
    ``sources`` the load's problems come from.

    Each raw table is first cut to the rows with a problem (a semi join on the ``issues``
    CTE): joined whole, DuckDB would hash every row of it (a pupil census has over a
    million) to find a few hundred. A source with no problem in the load is not joined at
    all: its join could match nothing, and each one joined costs the query time (a third
    of it at 20 years of termly returns, whose problems come from three of eight sources)."""
    return "\n".join(
        f"left join (from raw.{source} semi join issues k on k.source = '{source}' "
        f"and k.file_id = raw.{source}.file_id and k.row_number = raw.{source}.row_number) "
        f"{alias} on i.source = '{source}' "
        f"and {alias}.file_id = i.file_id and {alias}.row_number = i.row_number"
        for source, alias in _RAW_ALIAS.items()
        if source in sources
    )


def _value_as_received(sources: frozenset[str]) -> str:
    """SQL picking the raw cell a failure points at, from the raw table of its source (one
    of ``sources``, as ``_raw_joins``); NULL where no source has the column."""
    cases = []
    read = {name: contract for name, contract in CONTRACTS.items() if name in sources}
    for column in sorted({c for contract in read.values() for c in contract.columns}):
        picks = " ".join(
            f"when i.source = '{source}' then {_RAW_ALIAS[source]}.{column}"
            for source, contract in read.items()
            if column in contract.columns
        )
        cases.append(f"when i.column_name = '{column}' then case {picks} end")
    return "case " + " ".join(cases) + " end" if cases else "null"


def issue_rows(cur: duckdb.DuckDBPyConnection, load_id: str) -> list[dict[str, object]]:
    """The load's problems, each once, with its check's rule and action, the cell's value
    as received and the period it is about (before the district to fix is decided).

    Each problem's rule is chosen first, from the problems alone (a check of the source's
    own before one of any source); the raw cells and the outcomes (one a row received) are
    then joined to the chosen rows only, each table cut to the rows with a problem first.
    Choosing the rule after the wide join made the query several times slower. Returned as
    dicts straight from DuckDB (missing is None): a data frame only to loop over its rows
    was a third of the Data quality page's slowest call."""
    sources = frozenset(
        source
        for (source,) in cur.execute(
            "select distinct source from dq.issues where load_id = ?", [load_id]
        ).fetchall()
        if source in _RAW_ALIAS  # the files suite's problems (no source) have no raw row
    )
    result = cur.execute(
        f"""
        with issues as (
            select rowid as issue_id, * from dq.issues where load_id = $load_id
        ),
        rules as (
            select i.issue_id, c.rule, c.action
            from issues i
            left join dq.check_results c
                on c.load_id = $load_id
                and c.check_name = i.check_name and c.severity = i.severity
                and (c.source = i.source or c.source is null)
            qualify row_number() over (
                partition by i.issue_id order by c.source is null, c.rule
            ) = 1
        ),
        outcomes as (
            from dq.row_outcomes semi join issues k
                on k.file_id = row_outcomes.file_id and k.row_number = row_outcomes.row_number
        )
        select i.source, i.check_name, i.severity, i.file_id,
               i.file_name, i.row_number, i.column_name, i.district, i.message,
               {_value_as_received(sources)} as value,
               coalesce(o.academic_year, s.academic_year) as academic_year,
               coalesce(o.term, s.term) as term,
               coalesce(o.census_year, s.census_year) as census_year,
               r.rule, r.action
        from issues i
        join rules r using (issue_id)
        {_raw_joins(sources)}
        left join outcomes o
            on o.file_id = i.file_id and o.row_number = i.row_number
        left join dq.submissions s on s.submission_id = i.submission_id
        order by i.issue_id
        """,
        {"load_id": load_id},
    )
    names = [column[0] for column in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def _file_rows(cur: duckdb.DuckDBPyConnection, load_id: str) -> pl.DataFrame:
    """Every row of the load's termly returns, with its file and the district its cell
    names: who sent a return (``senders``). Other files (a census, DfE's figures) are
    about districts, not from one, and are not read here: a national load has 600,000."""
    rows = cur.sql(
        """
        select o.file_id, f.file_name, o.district
        from dq.row_outcomes o join raw.files f using (file_id)
        where o.load_id = $load_id and f.source = $source
        """,
        params={"load_id": load_id, "source": contracts.TERMLY_RETURN},
    ).pl()
    return rows.with_columns(pl.col("district").cast(pl.String))


def suggestion(column: object, value: object) -> str | None:
    """ "Did you mean" for a district, phase or measure cell that is not one (None for a
    cell that is one, or is like none)."""
    if column not in spelling.KINDS or not isinstance(value, str):
        return None
    if column == spelling.DISTRICT:
        if contracts.normalise_district(value).value is not None:
            return None
    else:
        valid = contracts.phases() if column == spelling.PHASE else contracts.measure_catalogue()
        if value.strip().lower() in valid:
            return None
    return spelling.did_you_mean(str(column), value)


def fingerprint(row: Mapping[str, object]) -> str:
    """The same problem, found again: same source, check, district read, period, column,
    value as received and message (which quotes the figures it is about)."""
    parts = [
        row.get(k)
        for k in (
            "source",
            "check",
            "district_read",
            "academic_year",
            "term",
            "census_year",
            "column",
            "value",
            "message",
        )
    ]
    text = "\x1f".join("" if _missing(p) else str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _what_to_change(action: object, did_you_mean: str | None) -> str:
    text = "" if _missing(action) else str(action)
    return f"Did you mean {did_you_mean}? {text}".strip() if did_you_mean else text


def failing_rows(
    cur: duckdb.DuckDBPyConnection,
    load_id: str,
    *,
    district: str | None = None,
    reviews: Mapping[str, Review] | None = None,
) -> pd.DataFrame:
    """Every failing cell of a load once (``FIELDS``), ordered by district, file and row,
    errors first; ``district``: only the rows that district must correct."""
    issues = issue_rows(cur, load_id)
    by_file = senders(_file_rows(cur, load_id)) if issues else {}
    reviews = reviews or {}
    records = []
    for issue in issues:
        read = None if _missing(issue["district"]) else issue["district"]
        if issue["source"] == contracts.TERMLY_RETURN:  # a district's own return
            sender = None if _missing(issue["file_id"]) else by_file.get(issue["file_id"])
            to_fix, basis = district_to_fix(sender, read)
            send_to = to_fix
        else:  # the census team's or finance's file: about a district, not from one
            to_fix, basis = district_to_fix(None, read)
            send_to = sent_by(issue["source"])
        guess = suggestion(issue["column_name"], issue["value"])
        record = {
            "file": _none(issue["file_name"]),
            "row": None if _missing(issue["row_number"]) else int(issue["row_number"]),
            "column": _none(issue["column_name"]),
            "check": issue["check_name"],
            "severity": issue["severity"],
            "district": to_fix,
            "value": _none(issue["value"]),
            "message": issue["message"],
            "rule": _none(issue["rule"]),
            "action": _none(issue["action"]),
            "did_you_mean": guess,
            "what_to_change": _what_to_change(issue["action"], guess),
            "district_from": BASIS_WORDS.get(basis) if basis else None,
            "send_to": send_to,
            "source": issue["source"],
            "check_label": check_label(issue["check_name"]),
            "academic_year": _none(issue["academic_year"]),
            "term": None if _missing(issue["term"]) else int(issue["term"]),
            "census_year": None if _missing(issue["census_year"]) else int(issue["census_year"]),
            "district_read": read,
        }
        record["fingerprint"] = fingerprint(record)
        review = reviews.get(record["fingerprint"]) if record["severity"] == WARNING else None
        record["reviewed_by"] = review.by if review else None
        record["reviewed_at"] = review.at if review else None
        record["review_comment"] = review.comment if review else None
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=[*FIELDS, "district_read"])
    frame = frame.drop(columns="district_read")
    for column in ("row", "term", "census_year"):
        frame[column] = frame[column].astype("Int64")
    if district is not None:
        frame = frame[frame["district"] == district]
    order = frame.assign(
        _none_last=frame["district"].isna(),
        _district=frame["district"].fillna(""),
        _severity=(frame["severity"] != "error"),
        _file=frame["file"].fillna(""),
        _row=frame["row"].fillna(0),
    ).sort_values(["_none_last", "_district", "_severity", "_file", "_row", "check"], kind="stable")
    return order[list(FIELDS)].reset_index(drop=True)


def _none(value: object) -> object:
    return None if _missing(value) else value


def as_records(frame: pd.DataFrame) -> list[dict]:
    """The rows as JSON-ready dicts (no NaN: missing is None)."""
    out = frame.astype(object).where(frame.notna(), None)
    return [dict(r) for r in out.to_dict("records")]


def new_warnings(frame: pd.DataFrame) -> int:
    """Warnings not reviewed before: what a load raises as new."""
    warnings = frame[frame["severity"] == WARNING]
    return int(warnings["reviewed_by"].isna().sum())


def _where(row: Mapping[str, object]) -> str:
    parts = []
    if row.get("row") is None:
        return ""
    parts.append(f"row {row['row']}")
    if row.get("column"):
        value = row.get("value")
        cell = f"{row['column']} '{value}'" if value is not None else str(row["column"])
        parts.append(cell)
    return ", ".join(parts)


def render_text(records: list[dict]) -> list[str]:
    """Every failing row for a terminal, grouped by district and then file, errors first,
    each with what to change. Received text (file names, values, messages) goes through
    ``safe_text.terminal_text``."""
    from warehouse.core.safe_text import terminal_text as t

    out = ["Failing rows, by district and file (the value as it was sent):"]
    district_now: object = object()
    file_now: object = object()
    for row in records:
        district = row.get("district") or NO_DISTRICT
        if district != district_now:
            district_now, file_now = district, object()
            mine = [r for r in records if (r.get("district") or NO_DISTRICT) == district]
            errors = sum(1 for r in mine if r["severity"] == "error")
            out.append(
                f"{t(district)}: {errors} error(s), {len(mine) - errors} warning(s)"
                + ("" if row.get("district") else " (no district can be asked: the steward's)")
            )
        file = row.get("file") or "(about no file)"
        if file != file_now:
            file_now = file
            notes = []
            if row.get("file") and row.get("district_from"):
                notes.append(f"{t(district)}'s {row['district_from']}")
            send_to = row.get("send_to")
            if send_to and send_to != row.get("district"):
                notes.append(f"to be corrected by {t(send_to)}")
            out.append(f"  {t(file)}" + (f" ({'; '.join(notes)})" if notes else ""))
        where = _where(row)
        out.append(
            f"    {row['severity']}: {t(where) + ': ' if where else ''}{t(row['message'])}"
            f" [{row['check']}]"
        )
        if row.get("reviewed_by"):
            out.append(
                f"      Reviewed by {t(row['reviewed_by'])} on {t(row['reviewed_at'])}: "
                f"{t(row['review_comment'])} (not new)"
            )
        elif row.get("what_to_change"):
            lead = "What to change" if row["severity"] == "error" else "What to do"
            out.append(f"      {lead}: {t(row['what_to_change'])}")
    return out
