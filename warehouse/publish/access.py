"""Who may read the warehouse: a published file keeps the mode, owner and group of the file it
replaces, and a load never creates files more open than it."""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------------------
# Who may read the warehouse: kept as the steward set it
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    """The permission bits, owner and group of a published warehouse file."""

    mode: int
    uid: int
    gid: int

    @property
    def umask(self) -> int:
        """A umask under which new files and folders are no more open than this: group and
        others get no permission the file does not give them (read lets them traverse a
        folder too); the owner keeps everything."""
        mask = 0
        for shift in (3, 0):
            bits = (self.mode >> shift) & 0o7
            allowed = bits | (0o1 if bits & 0o4 else 0)
            mask |= (0o7 & ~allowed) << shift
        return mask

    @property
    def folder_mode(self) -> int:
        """A folder beside the file with the same readers: rwx for the owner, r-x for a
        class the file lets read."""
        return 0o700 | (0o777 & ~self.umask & 0o055)


def access_of(path: Path) -> Access | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return Access(mode=stat.S_IMODE(info.st_mode), uid=info.st_uid, gid=info.st_gid)


def apply_access(path: Path, access: Access, *, folder: bool = False) -> None:
    """Give ``path`` the mode, owner and group of ``access`` (the published file's), never
    wider: an owner that cannot be set stays the one running the load, and a group that
    cannot be set loses the group's permissions (a warning says so)."""
    mode = access.folder_mode if folder else access.mode
    info = path.stat()
    if (info.st_uid, info.st_gid) != (access.uid, access.gid):
        try:
            os.chown(path, access.uid, access.gid)
        except PermissionError:
            try:
                os.chown(path, -1, access.gid)
            except PermissionError:
                mode &= ~0o070
                log.warning(
                    "%s: cannot give it group %s, so its group has no access", path, access.gid
                )
    os.chmod(path, mode)


@contextlib.contextmanager
def umask_of(access: Access | None) -> Iterator[None]:
    """While a load or rollback runs, create files (the staging copy, its write-ahead log,
    dbt's and Great Expectations' files) no more open than the published warehouse. The
    umask is per process: ``stls`` runs one command per process."""
    if access is None:
        yield
        return
    previous = os.umask(0)
    os.umask(previous | access.umask)
    try:
        yield
    finally:
        os.umask(previous)
