"""DDL for the dq layer: what the audit decided about every submission and row, how it read
each cell, and every check's result. Append-only; dbt reads it as its ``dq`` source.
"""

from __future__ import annotations

import duckdb

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

-- Source 4, DfE's national figures: the audit's reading of every row (warehouse.quality.
-- national), as for the other sources. year_sort is the year a published year starts in
-- ("2023-24": 2023), year_status its suffix (revised, provisional, final, outturn); a value
-- is a number or one of DfE's symbols (value_symbol: -, x, z, c, low, blank).
create table if not exists dq.national_data_values (
    file_id        varchar not null,
    row_number     integer not null,
    indicator_code varchar,
    year           varchar,
    year_sort      bigint,
    year_status    varchar,
    la_number      bigint,
    area_name      varchar,
    region         varchar,
    value          double,
    value_symbol   varchar
);

create table if not exists dq.national_dictionary_values (
    file_id        varchar not null,
    row_number     integer not null,
    indicator_code varchar,
    topic          varchar,
    label          varchar,
    chart_title    varchar,
    unit           varchar,
    description    varchar,
    data_owner     varchar,
    year_type      varchar,
    polarity       varchar,               -- High | Low | as published (neither) | null (none)
    decimal_places bigint,
    no_quartile    boolean,
    last_update    date,                  -- an Excel serial date, converted
    last_update_note varchar,             -- the cell when it is not a date ("New Data")
    next_update    date,
    next_update_note varchar              -- "TBC", "Discontinued"
);

create table if not exists dq.national_neighbours_values (
    file_id        varchar not null,
    row_number     integer not null,
    la_number      bigint,
    la_name        varchar,
    region         varchar,
    sn1 bigint, sn2 bigint, sn3 bigint, sn4 bigint, sn5 bigint,
    sn6 bigint, sn7 bigint, sn8 bigint, sn9 bigint, sn10 bigint,
    snp1 varchar, snp2 varchar, snp3 varchar, snp4 varchar, snp5 varchar,
    snp6 varchar, snp7 varchar, snp8 varchar, snp9 varchar, snp10 varchar

);

-- The child-level sources (caseload episodes, the pupil-level census): codes trimmed and
-- lower-cased, dates parsed by warehouse.core.dates, the child key as received (trimmed;
-- NULL where it is not a 64-character keyed hash). Their rows have no submission: each is
-- published or quarantined on its own (warehouse.quality.child_rows).
create table if not exists dq.caseload_episode_values (
    file_id        varchar not null,
    row_number     integer not null,
    episode_id     varchar,
    child_key      varchar,
    phase          varchar,
    open_date      date,
    close_date     date,               -- NULL while the episode is open
    closure_reason varchar
);

create table if not exists dq.pupil_census_values (
    file_id        varchar not null,
    row_number     integer not null,
    child_key      varchar,
    phase          varchar,
    sen_status     varchar
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


def ensure_dq(con: duckdb.DuckDBPyConnection) -> None:
    """Create the dq schema and its tables if this warehouse does not have them yet."""
    con.execute(DQ_DDL)
