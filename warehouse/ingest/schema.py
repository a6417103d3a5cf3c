"""DDL for the raw layer: what was received, exactly as received, with its lineage.

Append-only: rows are inserted, never updated or deleted, except the ``finished_at`` and
``status`` of a load that is still running. dbt reads these tables as its ``raw`` source;
the audit's decisions are in the ``dq`` schema (``warehouse.quality.schema``).
"""

from __future__ import annotations

import duckdb

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
    file_format    varchar,               -- csv | xlsx | parquet
    encoding       varchar,               -- utf-8 | utf-8-sig | cp1252 (csv only)
    source         varchar,               -- termly_return | census | funding | national_*
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

-- Source 4, DfE's national figures (contracts.NATIONAL_SOURCES): the long data (Parquet or
-- CSV), the indicator dictionary and the statistical-neighbours workbook. The rows above
-- the neighbours workbook's header are kept too, their cells in extra_columns.
create table if not exists raw.national_data (
    load_id varchar not null, file_id varchar not null, file_name varchar not null,
    file_checksum varchar not null, row_number integer not null,
    indicator_code varchar, year varchar, area_name varchar, value varchar, la_number varchar,
    region varchar, data_item varchar,
    extra_columns varchar
);

create table if not exists raw.national_dictionary (
    load_id varchar not null, file_id varchar not null, file_name varchar not null,
    file_checksum varchar not null, row_number integer not null,
    indicator_code varchar, topic varchar, label varchar, polarity varchar,
    measure_code varchar, chart_title varchar, unit varchar, state_funded_flag varchar,
    table_status varchar, description varchar, last_update varchar, next_update varchar,
    data_owner varchar, methodology varchar, hyperlinks varchar, dps varchar,
    year_type varchar, no_quartile varchar,
    extra_columns varchar
);

create table if not exists raw.national_neighbours (
    load_id varchar not null, file_id varchar not null, file_name varchar not null,
    file_checksum varchar not null, row_number integer not null,
    la_number varchar, la_name varchar,
    sn1 varchar, snp1 varchar, sn2 varchar, snp2 varchar, sn3 varchar, snp3 varchar,
    sn4 varchar, snp4 varchar, sn5 varchar, snp5 varchar, sn6 varchar, snp6 varchar,
    sn7 varchar, snp7 varchar, sn8 varchar, snp8 varchar, sn9 varchar, snp9 varchar,
    sn10 varchar, snp10 varchar,
    la_number_repeated varchar, region_number varchar, region varchar,
    extra_columns varchar
);

-- Child-level sources (5 and 6): pseudonymised; child_key is the council's keyed hash,
-- kept exactly as received and never joined to anything identifying. A file holding a
-- UPN-shaped value or a personal column is refused whole and has no row here
-- (warehouse.ingest.privacy).
create table if not exists raw.caseload_episode (
    load_id varchar not null, file_id varchar not null, file_name varchar not null,
    file_checksum varchar not null, row_number integer not null,
    episode_id varchar, child_key varchar, district varchar, phase varchar,
    open_date varchar, close_date varchar, closure_reason varchar,
    extra_columns varchar
);

create table if not exists raw.pupil_census (
    load_id varchar not null, file_id varchar not null, file_name varchar not null,
    file_checksum varchar not null, row_number integer not null,
    census_year varchar, child_key varchar, district varchar, phase varchar,
    sen_status varchar,
    extra_columns varchar
);
"""


def ensure_raw(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema and its tables if this warehouse does not have them yet."""
    con.execute(RAW_DDL)
