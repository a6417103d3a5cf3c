"""DDL for the layers Python writes: ``raw`` (what was received) and ``dq`` (what the audit
decided). dbt owns everything downstream (schemas ``staging``, ``intermediate``,
``marts``, and ``seeds``) and reads these two schemas as its sources.

Both schemas are append-only: rows are inserted, never updated or deleted, except the
``finished_at``/``status`` of a load that is still running.
"""

from __future__ import annotations

import duckdb

# Columns every raw row carries besides the contract's own columns.
LINEAGE_COLUMNS = ("load_id", "file_id", "file_name", "file_checksum", "row_number")

RAW_DDL = """
create schema if not exists raw;

create table if not exists raw.loads (
    load_id        varchar primary key,   -- e.g. 20261129T081500Z-3f2a
    load_seq       integer not null,      -- 1, 2, 3 ... in the order loads ran
    started_at     timestamp not null,
    finished_at    timestamp,
    status         varchar not null,      -- running | published | warnings | failed | nothing_new
    kind           varchar not null,      -- load | demo
    paths          varchar not null,      -- what the steward asked to load
    stls_version   varchar not null,
    seconds        varchar,               -- JSON: seconds per step (read, raw, audit, dbt...)
    data_docs      varchar                -- the load's GX Data Docs index.html
);

create table if not exists raw.files (
    file_id        varchar primary key,   -- <load_id>/<n>
    load_id        varchar not null,
    received_seq   bigint not null,       -- global order of arrival: later supersedes earlier
    file_name      varchar not null,      -- name as received (no folders)
    file_path      varchar not null,
    file_checksum  varchar not null,      -- sha256 of the bytes
    file_bytes     bigint not null,
    file_format    varchar,               -- csv | xlsx
    encoding       varchar,               -- utf-8 | utf-8-sig | cp1252 (csv only)
    source         varchar,               -- termly_return | census | funding (null: untold)
    status         varchar not null,      -- accepted | rejected | duplicate
    reason         varchar,               -- why rejected, or which earlier file it repeats
    rows_read      integer not null,
    header_map     varchar                -- JSON: header as received -> contract column
);

create table if not exists raw.termly_return (
    load_id varchar not null, file_id varchar not null, file_name varchar not null,
    file_checksum varchar not null, row_number integer not null,
    district varchar, academic_year varchar, term varchar, phase varchar, measure varchar,
    value varchar,
    extra_columns varchar                 -- JSON object of columns outside the contract
);

create table if not exists raw.census (
    load_id varchar not null, file_id varchar not null, file_name varchar not null,
    file_checksum varchar not null, row_number integer not null,
    census_year varchar, district varchar, phase varchar, settings varchar, pupils varchar,
    sen_support varchar, ehcp varchar,
    extra_columns varchar
);

create table if not exists raw.funding (
    load_id varchar not null, file_id varchar not null, file_name varchar not null,
    file_checksum varchar not null, row_number integer not null,
    academic_year varchar, district varchar, core_budget varchar, outreach_budget varchar,
    total_budget varchar, other_income varchar,
    extra_columns varchar
);
"""

DQ_DDL = """
create schema if not exists dq;

-- One row per submission: (source, district, period) within one file. For termly returns the
-- period is academic_year + term; for the census, census_year; for funding, academic_year.
create table if not exists dq.submissions (
    submission_id  varchar primary key,   -- <file_id>/<district>/<period>
    source         varchar not null,
    load_id        varchar not null,
    file_id        varchar not null,
    file_name      varchar not null,
    received_seq   bigint not null,
    district       varchar not null,      -- canonical name
    academic_year  varchar,               -- YYYY-YY (termly return, funding; census: derived)
    term           integer,               -- termly return only
    census_year    integer,               -- census only
    rows           integer not null,
    status         varchar not null,      -- published | held
    reason         varchar                -- why held
);

-- One row per raw row: its normalised key and what happened to it.
create table if not exists dq.row_outcomes (
    source         varchar not null,
    load_id        varchar not null,
    file_id        varchar not null,
    row_number     integer not null,
    submission_id  varchar,               -- null when the row fits no district-period
    district       varchar,
    academic_year  varchar,
    term           integer,
    census_year    integer,
    outcome        varchar not null,      -- published | quarantined
    reason         varchar
);

-- Every check's result in every load, passed or not: the history of each check.
create table if not exists dq.check_results (
    load_id        varchar not null,
    suite          varchar not null,      -- the expectations/<suite>.yml file
    source         varchar,
    check_name     varchar not null,
    expectation    varchar not null,      -- the Great Expectations class
    severity       varchar not null,      -- error | warning
    scope          varchar not null,      -- row | submission | none
    column_name    varchar,
    rule           varchar,
    action         varchar,               -- what the steward should do when it fails
    success        boolean not null,
    evaluated      integer not null,      -- rows the check looked at
    failing        integer not null
);

-- The audit's reading of every raw row it read: codes trimmed and lower-cased, numbers parsed
-- by warehouse.core.values (NULL where a cell is not a number). dbt casts these, and never parses
-- raw text itself, so the audit and the warehouse cannot read a cell two ways.
create table if not exists dq.termly_return_values (
    file_id        varchar not null,
    row_number     integer not null,
    phase          varchar,
    measure        varchar,
    value          bigint
);

create table if not exists dq.census_values (
    file_id        varchar not null,
    row_number     integer not null,
    phase          varchar,
    settings       bigint,
    pupils         bigint,
    sen_support    bigint,
    ehcp           bigint
);

create table if not exists dq.funding_values (
    file_id        varchar not null,
    row_number     integer not null,
    core_budget    decimal(38, 2),
    outreach_budget decimal(38, 2),
    total_budget   decimal(38, 2),
    other_income   decimal(38, 2)       -- a blank (optional) cell is 0
);

-- Every problem found, one row per (check, raw row) or per submission for
-- submission-level checks.
create table if not exists dq.issues (
    load_id        varchar not null,
    source         varchar not null,
    check_name     varchar not null,
    severity       varchar not null,      -- error | warning
    file_name      varchar,
    row_number     integer,
    column_name    varchar,
    submission_id  varchar,
    district       varchar,
    message        varchar not null,
    file_id        varchar
);
"""


def ensure_schemas(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw and dq schemas if this warehouse does not have them yet."""
    con.execute(RAW_DDL)
    con.execute(DQ_DDL)
