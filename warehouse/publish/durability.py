"""Writes that survive a crash: fsync a file and its folder, rename durably, link or copy."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from warehouse.publish.access import access_of, apply_access

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------
# Durability
# --------------------------------------------------------------------------------------


def fsync_path(path: Path) -> None:
    """Flush a file's or a folder's entries to disk (a rename is durable only once its
    folder is flushed: without it, a power cut can bring back the old name)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_durably(source: Path, target: Path) -> None:
    """Rename ``source`` over ``target`` atomically, with both the bytes and the rename
    flushed: readers opening ``target`` get the old file or the new one, never neither."""
    fsync_path(source)
    os.replace(source, target)
    fsync_path(target.parent)


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link; a copy (written aside, then renamed) where links are not supported."""
    try:
        os.link(source, target)
        return
    except FileExistsError:
        raise
    except OSError as exc:
        log.warning("cannot hard-link %s (%s); copying it instead", source, exc)
    partial = target.with_name(target.name + ".tmp")
    shutil.copyfile(source, partial)
    access = access_of(source)
    if access is not None:
        apply_access(partial, access)
    replace_durably(partial, target)
