"""What a load rebuilds: the whole dbt project, or only what its files can change.

A load that brings only files of *separable* sources (DfE's national figures, the
child-level caseload episodes and pupil census) rebuilds the models downstream of those
sources' tables, ``source:stls.dq.<source>_values+``, with their tests, and nothing else:
no other mart reads those rows, and the rows such a load adds to the shared tables (files,
row outcomes, issues) are read by every other model only for its own source.
``tests/publish/test_build_scope.py`` loads each separable source into the demo, builds it
this way, builds a copy in full, and finds every mart the same.

Everything else is a full build (every seed, model and test): a new warehouse, one whose
marts are missing, a load that brings a termly return, census or funding file (they feed
every figure), and any warehouse last built in full by a different dbt project
(``project_hash``: an upgrade of STLS Insight may change any model, so its first load
rebuilds them all). Each build is recorded in ``raw.dbt_builds``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import duckdb

from warehouse.core.contracts import (
    CASELOAD_EPISODE,
    NATIONAL_DATA,
    NATIONAL_DICTIONARY,
    NATIONAL_NEIGHBOURS,
    PUPIL_CENSUS,
)
from warehouse.core.paths import DBT_DIR

# Sources whose models nothing else reads: a load of only these rebuilds only their models.
SEPARABLE = frozenset(
    {NATIONAL_DATA, NATIONAL_DICTIONARY, NATIONAL_NEIGHBOURS, CASELOAD_EPISODE, PUPIL_CENSUS}
)
FULL = "full"
# The parts of the dbt project a build depends on (not target/ or logs/).
_PROJECT_PARTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")

SCHEMA = """
create table if not exists raw.dbt_builds (
    load_id varchar not null,
    built_at timestamp not null default current_timestamp,
    project_hash varchar not null,
    selection varchar not null  -- 'full', or the dbt selection built
)
"""


def project_hash() -> str:
    """A digest of every file of the dbt project a build reads (paths and contents)."""
    digest = hashlib.sha256()
    for part in _PROJECT_PARTS:
        root = DBT_DIR.joinpath(part)
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in files:
            if path.exists():
                digest.update(str(path.relative_to(DBT_DIR)).encode("utf-8") + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def selection(
    sources: Iterable[str], *, project: str, last_full: str | None, complete: bool
) -> str | None:
    """The dbt selection a load of files of ``sources`` needs; None: a full build.

    ``project``: this dbt project's hash; ``last_full``: the hash of the warehouse's last
    full build (``last_full_build``); ``complete``: the warehouse has every mart already
    (not new, not missing any)."""
    loaded = set(sources)
    if not complete or not loaded or not loaded <= SEPARABLE or last_full != project:
        return None
    return " ".join(f"source:stls.dq.{source}_values+" for source in sorted(loaded))


def last_full_build(con: duckdb.DuckDBPyConnection) -> str | None:
    """The project hash of the warehouse's last full build (None: none recorded)."""
    con.execute(SCHEMA)
    row = con.execute(
        "select project_hash from raw.dbt_builds where selection = ? "
        "order by built_at desc limit 1",
        [FULL],
    ).fetchone()
    return row[0] if row else None


def record(
    con: duckdb.DuckDBPyConnection, load_id: str, *, project: str, built: str | None
) -> None:
    """Record a build: ``built`` is the selection, None for a full build."""
    con.execute(SCHEMA)
    con.execute(
        "insert into raw.dbt_builds (load_id, project_hash, selection) values (?, ?, ?)",
        [load_id, project, built or FULL],
    )
