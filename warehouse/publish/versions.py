"""Published versions of the warehouse: kept, listed, checked, and restored by rollback.

Every file a load publishes is also hard-linked into ``<warehouse>.versions/`` as
``<published UTC>_<load_id>.duckdb``. A hard link costs no space or time while the file is
live, and keeps the bytes after a later load renames a new file over the published path.
The live version is the one whose inode is the published file's. The newest
``STLS_KEEP_VERSIONS`` (default 5) are kept, and always the live one.

Why hard links, and why readers open the version's own path
    DuckDB caches a database instance per *path* in each process: a process that still holds
    a connection to the old file and connects to the same path again is handed the old
    file, not the one a load just published (the dashboard keeps its previous connection in
    its cache). Each version's link has a path of its own, never reused, so ``read.connect``
    opens the live version through it (``reading_path``) and always gets the file that is
    live now. A version file is never written after it is published: loads copy the live
    file to a staging file and rename; rollbacks rename a fresh link.

Rollback (``stls rollback``) takes the same lock as a load, links the chosen version to a
temporary name and renames that over the published file: atomic and durable like a load's
publish. The file that was live stays in ``versions/``, so a rollback can be undone with
``stls rollback --to`` that version.

A live file that is not among the versions (a warehouse published before versions were
kept, or a load killed between its rename and its link) is adopted, linked under its own
modification time and latest load, by the next load or rollback.

Access: the published file keeps the mode, owner and group it had (a steward may make it
private, or give it to the dashboard's service group). Loads and rollbacks create their
files under a umask no more open than it (``umask_of``), give the new file its access
before the rename (``apply_access``), and give every kept version and the versions folder
the same (``protect``): a load never widens who can read the children's data.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warehouse.core.errors import LoadError, WarehouseMissing
from warehouse.publish.access import access_of, apply_access, umask_of
from warehouse.publish.durability import _link_or_copy, fsync_path, replace_durably
from warehouse.publish.identity import Version, version_of
from warehouse.publish.integrity import (
    LoadInfo,
    VersionError,
    damage,
    damaged_error,
    describe,
    verify,
)
from warehouse.publish.locking import exclusive

KEEP_VERSIONS = 5
KEEP_VERSIONS_ENV = "STLS_KEEP_VERSIONS"
SUFFIX = ".duckdb"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredVersion:
    version_id: str  # "<published UTC>_<load_id>", the file name without .duckdb
    path: Path
    live: bool
    contents: LoadInfo | None = None  # None when not read, or unreadable

    @property
    def published_at(self) -> datetime:
        return _parse_stamp(self.version_id.split("_", 1)[0])

    @property
    def load_id(self) -> str:
        """The load that published this version (from the name: cheap, no file opened)."""
        return self.version_id.split("_", 1)[1]


@dataclass(frozen=True)
class LiveVersion:
    """What the dashboard is showing: for the Data quality page's "live version" line."""

    version_id: str | None  # None if the live file is not (yet) among the kept versions
    contents: LoadInfo | None
    identity: Version  # inode, size, mtime: the key readers' caches use
    kept: int  # versions kept, the live one included


@dataclass(frozen=True)
class RollbackResult:
    warehouse: Path
    previous: StoredVersion | None  # what was live before, still kept (None: it was damaged)
    current: StoredVersion  # what is live now


# --------------------------------------------------------------------------------------
# Names and places
# --------------------------------------------------------------------------------------


def versions_dir(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".versions")


def rollback_temp(warehouse: Path) -> Path:
    """Where a rollback links the chosen version before renaming it over the warehouse."""
    return warehouse.with_name(warehouse.name + ".rollback")


def keep_versions(option: int | None = None) -> int:
    """How many versions to keep: the option, else $STLS_KEEP_VERSIONS, else 5."""
    text = str(option) if option is not None else os.environ.get(KEEP_VERSIONS_ENV, "").strip()
    if not text:
        return KEEP_VERSIONS
    keep = int(text) if text.isdigit() else 0
    if keep < 1:
        raise LoadError(
            f"{KEEP_VERSIONS_ENV}={text!r}: the number of versions to keep must be a whole "
            "number, 1 or more"
        )
    return keep


def _stamp(mtime_ns: int) -> str:
    """UTC to the microsecond, sortable as text: 20261129T091440.123456Z."""
    micros, _nanos = divmod(mtime_ns, 1_000)
    seconds, micros = divmod(micros, 1_000_000)
    moment = datetime.fromtimestamp(seconds, UTC)
    return f"{moment:%Y%m%dT%H%M%S}.{micros:06d}Z"


def _parse_stamp(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y%m%dT%H%M%S.%fZ")


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return info.st_dev, info.st_ino


def protect(warehouse: Path) -> None:
    """Give every kept version, and the versions folder, the live file's access: a version
    is the same children's data, and is never readable by anyone the live file is not."""
    access = access_of(warehouse)
    folder = versions_dir(warehouse)
    if access is None or not folder.is_dir():
        return
    apply_access(folder, access, folder=True)
    for path in folder.iterdir():
        with contextlib.suppress(FileNotFoundError):
            if path.is_file() and not path.is_symlink():
                apply_access(path, access)


# --------------------------------------------------------------------------------------
# The versions kept
# --------------------------------------------------------------------------------------


def stored(warehouse: Path, *, with_contents: bool = False) -> list[StoredVersion]:
    """The versions kept, oldest first (by publish time); ``live`` marks the published one."""
    folder = versions_dir(warehouse)
    if not folder.is_dir():
        return []
    live = _identity(warehouse)
    found = []
    for path in sorted(folder.glob("*_*" + SUFFIX)):
        identity = _identity(path)
        if identity is None:  # pruned by another process meanwhile
            continue
        found.append(
            StoredVersion(
                version_id=path.name.removesuffix(SUFFIX),
                path=path,
                live=identity == live,
                contents=describe(path) if with_contents else None,
            )
        )
    return found


def reading_path(warehouse: Path) -> Path:
    """The path readers should open: the live version's own link if it is kept, else the
    warehouse path (see the module docstring for why)."""
    live = _identity(warehouse)
    folder = versions_dir(warehouse)
    if live is None or not folder.is_dir():
        return warehouse
    for path in folder.glob("*_*" + SUFFIX):
        if _identity(path) == live:
            return path
    return warehouse


def record(warehouse: Path, load_id: str) -> StoredVersion:
    """Keep the published file as a version: a hard link named by its time and load."""
    folder = versions_dir(warehouse)
    folder.mkdir(exist_ok=True)
    version_id = f"{_stamp(warehouse.stat().st_mtime_ns)}_{load_id}"
    target = folder.joinpath(version_id + SUFFIX)
    _link_or_copy(warehouse, target)
    fsync_path(folder)
    return StoredVersion(version_id=version_id, path=target, live=True)


def adopt_live(warehouse: Path) -> StoredVersion | None:
    """Record the live file as a version if it is not one yet (see the module docstring);
    never a damaged one (``damage``), which is not a warehouse to go back to."""
    if not warehouse.exists():
        return None
    current = [v for v in stored(warehouse) if v.live]
    if current:
        return current[0]
    problem = damage(warehouse)
    if problem is not None:
        log.warning("%s", damaged_error(warehouse, problem))
        return None
    info = describe(warehouse)
    return record(warehouse, info.load_id if info else "unknown")


def prune(warehouse: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` versions, never the live one; returns the removed.

    A reader that has a removed version open keeps reading it: the bytes go when the last
    reader closes the file.
    """
    kept = stored(warehouse)
    newest = {v.version_id for v in kept[-keep:]}
    removed = [v.path for v in kept if v.version_id not in newest and not v.live]
    for path in removed:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    if removed:
        fsync_path(versions_dir(warehouse))
    return removed


def clean_leftovers(warehouse: Path) -> None:
    """Remove what an interrupted rollback or version copy left (a half-made link or copy
    is never a version: only complete files are renamed to a version's name)."""
    with contextlib.suppress(FileNotFoundError):
        rollback_temp(warehouse).unlink()
    folder = versions_dir(warehouse)
    if folder.is_dir():
        for partial in folder.glob("*.tmp"):
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()


def live_version(warehouse: Path) -> LiveVersion:
    """Which version is live: its id, its latest load (id, time, status), the file's
    identity. Raises WarehouseMissing when there is no warehouse."""
    live_identity = version_of(warehouse)
    kept = stored(warehouse)
    live = next((v for v in kept if v.live), None)
    contents = describe(live.path if live else warehouse)
    return LiveVersion(
        version_id=live.version_id if live else None,
        contents=contents,
        identity=live_identity,
        kept=len(kept),
    )


# --------------------------------------------------------------------------------------
# Rollback
# --------------------------------------------------------------------------------------


def rollback(warehouse: Path, to: str | None = None, *, keep: int | None = None) -> RollbackResult:
    """Make an earlier version (``to``: a version id or the load id that published it;
    default: the version before the live one) live again, atomically, under the load lock."""
    if not warehouse.exists():
        raise WarehouseMissing(f"{warehouse}: no warehouse here; nothing to roll back")
    access = access_of(warehouse)
    with exclusive(warehouse), umask_of(access):
        clean_leftovers(warehouse)
        adopt_live(warehouse)
        kept = stored(warehouse)
        previous = next((v for v in kept if v.live), None)  # None: a damaged live file
        target = choose(kept, to)
        verify(target.path)
        temp = rollback_temp(warehouse)
        _link_or_copy(target.path, temp)
        if access is not None:  # the restored file is read by whom the live one was
            apply_access(temp, access)
        replace_durably(temp, warehouse)
        prune(warehouse, keep_versions(keep))
        protect(warehouse)
    return RollbackResult(
        warehouse=warehouse,
        previous=_with_contents(previous, live=False) if previous else None,
        current=_with_contents(target, live=True),
    )


def choose(kept: list[StoredVersion], to: str | None) -> StoredVersion:
    """The version a rollback restores; VersionError says why there is none."""
    live = next((v for v in kept if v.live), None)
    if to is None and live is None and kept:
        return kept[-1]  # the live file is not a version (damaged): the newest kept one
    if to is None:
        earlier = [v for v in kept if live and v.version_id < live.version_id]
        if not earlier:
            raise VersionError(
                f"no version earlier than the live one is kept ({len(kept)} kept); "
                "see 'stls rollback --list'"
            )
        return earlier[-1]
    matches = [v for v in kept if to in (v.version_id, v.load_id)]
    if not matches:
        raise VersionError(f"no kept version {to!r}; see 'stls rollback --list'")
    if len(matches) > 1:  # a load id published twice cannot happen; ids are unique anyway
        raise VersionError(f"{to!r} names {len(matches)} versions: give the version id")
    if matches[0].live:
        raise VersionError(f"version {matches[0].version_id} is already live")
    return matches[0]


def _with_contents(version: StoredVersion, *, live: bool) -> StoredVersion:
    return StoredVersion(version.version_id, version.path, live, describe(version.path))


# --------------------------------------------------------------------------------------
# What `stls rollback` prints
# --------------------------------------------------------------------------------------


def render_list(warehouse: Path, fmt: str) -> str:
    """``stls rollback --list``: the versions kept, newest first, and which is live."""
    live = live_version(warehouse)  # WarehouseMissing, with what to run, if there is none
    kept = list(reversed(stored(warehouse, with_contents=True)))
    keep = keep_versions()
    if fmt == "json":
        return json.dumps(_list_json(warehouse, live, kept, keep), indent=2) + "\n"
    lines = [f"Versions of {warehouse}, newest first (at most {keep} kept, {KEEP_VERSIONS_ENV}):"]
    if live.version_id is None:
        lines.append(
            f"  live  (not kept as a version yet: the next load or rollback keeps it)  "
            f"{_describe_text(live.contents)}"
        )
    for version in kept:
        marker = "live" if version.live else "    "
        lines.append(f"  {marker}  {version.version_id}  {_describe_text(version.contents)}")
    lines.append(
        "Restore the version before the live one with 'stls rollback', any other with "
        "'stls rollback --to VERSION'."
    )
    return "\n".join(lines) + "\n"


def render_rollback(result: RollbackResult, fmt: str) -> str:
    if fmt == "json":
        return (
            json.dumps(
                {
                    "warehouse": str(result.warehouse),
                    "live": _version_json(result.current),
                    "previous": _version_json(result.previous) if result.previous else None,
                },
                indent=2,
            )
            + "\n"
        )
    now = f"  live now: {result.current.version_id}  {_describe_text(result.current.contents)}\n"
    if result.previous is None:
        return (
            f"Rolled back {result.warehouse}.\n{now}"
            "  was live: a damaged file, not kept as a version (it could not be read)\n"
        )
    was = result.previous.version_id
    return (
        f"Rolled back {result.warehouse}.\n{now}"
        f"  was live: {was}  {_describe_text(result.previous.contents)}\n"
        f"Undo with 'stls rollback --to {was}'.\n"
    )


def _describe_text(info: LoadInfo | None) -> str:
    if info is None:
        return "(cannot be read)"
    when = f"{info.loaded_at:%Y-%m-%d %H:%M} UTC" if info.loaded_at else "unfinished"
    return f"latest load {info.load_id} ({info.kind}, {when}, {info.status}; {info.loads} loads)"


def _list_json(
    warehouse: Path, live: LiveVersion, kept: list[StoredVersion], keep: int
) -> dict[str, object]:
    return {
        "warehouse": str(warehouse),
        "keep": keep,
        "live": live.version_id,
        "live_latest_load": _info_json(live.contents),
        "versions": [_version_json(v) for v in kept],
    }


def _version_json(version: StoredVersion) -> dict[str, object]:
    return {
        "version": version.version_id,
        "live": version.live,
        "published_at": version.published_at.isoformat() + "Z",
        "published_by_load": version.load_id,
        "bytes": version.path.stat().st_size if version.path.exists() else None,
        "latest_load": _info_json(version.contents),
    }


def _info_json(info: LoadInfo | None) -> dict[str, object] | None:
    if info is None:
        return None
    return {
        "load_id": info.load_id,
        "loaded_at": info.loaded_at.isoformat() + "Z" if info.loaded_at else None,
        "status": info.status,
        "kind": info.kind,
        "loads": info.loads,
    }
