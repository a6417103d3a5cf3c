"""What a load rebuilds: the whole dbt project, or only what its files can change.

The project's sources fall into three groups: the district figures (termly returns, the
census, the funding: they feed every committee figure), DfE's national figures and the
child-level files (caseload episodes and the pupil census). The national and child-level
groups are *separable*: no model outside a group's own subgraph reads its rows, and the
rows any load adds to the shared tables (files, submissions, row outcomes, issues) are read
by every model only for its own source. So, once a warehouse holds every mart built by this
same dbt project:

* a load of only separable files rebuilds the models downstream of those sources' tables,
  ``source:stls.dq.<source>_values+``, with their tests, and nothing else;
* any other load rebuilds everything but the separable groups it brings no file of
  (``--exclude`` their subgraphs): a term's returns do not rebuild DfE's 600,000 figures;
* neither reloads the seeds nor re-creates the views: both depend on the dbt project alone,
  and the last full build made them from this same project. A view is a query, not data:
  it shows the new rows as soon as they land, so its tests still run (and read them).

No load runs the project's own checks (``UNIT_TESTS``, ``SEED_TESTS``): the unit tests
(fixed inputs, fixed expected rows) and the data tests of the seeds alone (the reference
lists in ``seeds/``, tested beside them). Both test the dbt project, not the files a load
brings, so their result is the same in every warehouse built by the same project; dbt's
guidance is to run unit tests in development and CI, not in production. ``make test`` runs
them on every change (``tests/publish/test_dbt_build.py`` builds the whole project, every
unit and seed test included), so CI holds them for every version of the project a load can
run. Every data test that reads a model (a test of a model against a seed included) runs in
every build that builds its model.

``tests/publish/test_dbt_project.py`` checks in the manifest that no other source feeds a
group's subgraph; ``tests/publish/test_build_scope.py`` loads each kind of file into the
demo, builds it this way, builds a copy in full, and finds every mart the same.

A full build (every seed and model, and every data test but the seeds' own) is kept for a
new warehouse, one whose marts are missing, a load that brings nothing new, and any
warehouse last built in full by a different dbt project (``project_hash``: an upgrade of
STLS Insight may change any model, so its first load rebuilds them all). Each build is
recorded in ``raw.dbt_builds``.

A full build starts before the load's audit is done: while the load's process runs the
audit, the build process makes the seeds and the views that read no table dbt builds
(``AHEAD_SELECT``, ``AHEAD_EXCLUDE``). Both depend on the dbt project alone, and such a
view is a query over tables that exist before the audit writes a row (``raw.*``, ``dq.*``),
so made early it shows the same rows. No test runs with them: tests read rows, and the
audited rows are written after. The rest of the build (``Build.ahead``: those models and
the seeds left out) runs once the audit is written, every test of a view included, so the
two together are the full build; ``tests/publish/test_dbt_project.py`` checks that in the
manifest.

A full build still makes every model of a separable group whose sources hold no rows at all
(``empty_groups``: a new warehouse's first term, say), so every page finds its marts, but
leaves out that group's data tests (``Build.untested``): with no rows from its sources, each
of its models is empty and its tests read nothing a load brought. They run with the group's
first file. ``tests/publish/test_build_scope.py`` builds a warehouse so, finds every model
of the empty groups empty, and runs the tests left out: they pass.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb

from warehouse.core.contracts import CHILD_SOURCES, NATIONAL_SOURCES
from warehouse.core.paths import DBT_DIR

# Groups of sources whose models nothing outside the group reads.
SEPARABLE_GROUPS: dict[str, tuple[str, ...]] = {
    "national": NATIONAL_SOURCES,
    "child-level": CHILD_SOURCES,
}
SEPARABLE = frozenset(s for group in SEPARABLE_GROUPS.values() for s in group)
FULL = "full"
_ALL_BUT = "all but "
# The project's own checks, which no load runs (see above): the unit tests, left out by
# resource type, and the data tests of the seeds alone, the ones written beside the seeds
# (``seeds/_seeds.yml``).
UNIT_TESTS = "unit_test"
SEED_TESTS = "path:seeds,resource_type:test"
# What a scoped build does not make again: the seeds (the reference lists) and the views.
SKIPPED_WHEN_SCOPED = ("seed", UNIT_TESTS)
VIEWS = "config.materialized:view,resource_type:model"
# Every exclusion above names the nodes it leaves out directly, so dbt's indirect selection
# (which would also leave out the tests of an excluded node: a view's) is turned off; a
# test still runs with the model it tests. tests/publish/test_dbt_project.py checks, for
# each kind of build, that exactly the seeds' own tests and no other test is left out.
INDIRECT_SELECTION = "empty"
# What a full build makes while the load's audit runs (see above): the seeds and the views
# downstream of no table dbt builds, without their tests (INDIRECT_SELECTION) or the unit tests.
AHEAD_SELECT = f"resource_type:seed {VIEWS}"
AHEAD_EXCLUDE = "config.materialized:table+"
AHEAD_SKIP_TYPES = (UNIT_TESTS,)
# The parts of the dbt project a build depends on (not target/ or logs/).
_PROJECT_PARTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")

SCHEMA = """
create table if not exists raw.dbt_builds (
    load_id varchar not null,
    built_at timestamp not null default current_timestamp,
    project_hash varchar not null,
    selection varchar not null  -- 'full', the dbt selection built, or 'all but <excluded>'
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


@dataclass(frozen=True)
class Build:
    """A dbt build's scope: ``select`` and ``exclude`` as dbt reads them (both None: full)."""

    select: str | None = None
    exclude: str | None = None
    untested: str | None = None  # the empty separable groups, built without their tests
    # The models a full build made while the audit ran, with every seed (AHEAD_SELECT):
    # left out here, their tests not.
    ahead: tuple[str, ...] = ()

    @property
    def skip_types(self) -> tuple[str, ...]:
        """Resource types the build leaves out: the unit tests always, the seeds too when
        scoped (what only the project can change) or made ahead."""
        return (UNIT_TESTS,) if self.label == FULL and not self.ahead else SKIPPED_WHEN_SCOPED

    @property
    def dbt_exclude(self) -> str:
        """dbt's ``--exclude``: the untouched subgraphs, the seeds' own tests, the models
        made ahead and, when scoped, the views (with ``INDIRECT_SELECTION``)."""
        scoped = self.label != FULL
        untested = [f"{part},resource_type:test" for part in (self.untested or "").split()]
        return " ".join(
            filter(
                None,
                (self.exclude, *untested, SEED_TESTS, *self.ahead, VIEWS if scoped else None),
            )
        )

    @property
    def label(self) -> str:
        """How ``raw.dbt_builds`` records it: ``full``, the selection, or ``all but ...``."""
        if self.select:
            return self.select
        return _ALL_BUT + self.exclude if self.exclude else FULL


def selectors(sources: Iterable[str]) -> str:
    """The dbt selection of every model downstream of ``sources``' audited rows."""
    return " ".join(f"source:stls.dq.{source}_values+" for source in sorted(set(sources)))


def is_full(sources: Iterable[str], *, project: str, last_full: str | None, complete: bool) -> bool:
    """Whether a load of files of ``sources`` rebuilds the whole project (see ``plan``)."""
    return not complete or not set(sources) or last_full != project


def plan(
    sources: Iterable[str],
    *,
    project: str,
    last_full: str | None,
    complete: bool,
    empty: Iterable[str] = (),
    ahead: Iterable[str] = (),
) -> Build:
    """What a load of files of ``sources`` rebuilds.

    ``project``: this dbt project's hash; ``last_full``: the hash of the warehouse's last
    full build (``last_full_build``); ``complete``: the warehouse has every mart already
    (not new, not missing any); ``empty``: the sources of the separable groups that hold
    no rows (``empty_groups``), whose tests a full build leaves out; ``ahead``: the models
    a full build made while the audit ran (``AHEAD_SELECT``), which it leaves out."""
    loaded = set(sources)
    if is_full(loaded, project=project, last_full=last_full, complete=complete):
        return Build(untested=selectors(empty) or None, ahead=tuple(sorted(ahead)))
    if loaded <= SEPARABLE:
        return Build(select=selectors(loaded))
    untouched = [
        source
        for group in SEPARABLE_GROUPS.values()
        if not loaded.intersection(group)
        for source in group
    ]
    return Build(exclude=selectors(untouched) or None)


def empty_groups(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    """The sources of every separable group none of whose sources' audited rows
    (``dq.<source>_values``, what its models read) holds a row."""
    empty = []
    for group in SEPARABLE_GROUPS.values():
        held = con.execute(
            " union all ".join(f"select 1 from (from dq.{s}_values limit 1)" for s in group)
        ).fetchall()
        if not held:
            empty.extend(group)
    return tuple(empty)


def last_full_build(con: duckdb.DuckDBPyConnection) -> str | None:
    """The project hash of the warehouse's last full build (None: none recorded)."""
    con.execute(SCHEMA)
    row = con.execute(
        "select project_hash from raw.dbt_builds where selection = ? "
        "order by built_at desc limit 1",
        [FULL],
    ).fetchone()
    return row[0] if row else None


def record(con: duckdb.DuckDBPyConnection, load_id: str, *, project: str, built: Build) -> None:
    """Record a build and its scope."""
    con.execute(SCHEMA)
    con.execute(
        "insert into raw.dbt_builds (load_id, project_hash, selection) values (?, ?, ?)",
        [load_id, project, built.label],
    )
