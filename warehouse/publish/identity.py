"""A warehouse file's identity: its path, inode, size and modification time.

A load publishes by renaming a new file over the old one, so the identity changes with
every load while the path stays the same; caches keyed on it notice a new warehouse.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from warehouse.core.errors import WarehouseMissing


class Version(NamedTuple):
    path: str
    inode: int
    size: int
    mtime_ns: int


def version_of(path: Path) -> Version:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise WarehouseMissing(
            f"{path}: no warehouse here; build the demo with 'stls demo' or load files "
            "with 'stls load PATH'"
        ) from None
    return Version(str(path), info.st_ino, info.st_size, info.st_mtime_ns)
