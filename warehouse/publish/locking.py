"""One writer at a time: the flock a load or rollback holds on ``<warehouse>.lock``."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

from warehouse.core.errors import LoadError

# --------------------------------------------------------------------------------------
# The lock shared by loads and rollbacks
# --------------------------------------------------------------------------------------


@contextlib.contextmanager
def exclusive(warehouse: Path) -> Iterator[None]:
    """Hold the warehouse's lock (loads and rollbacks), or stop with a clear message.

    ``flock`` on ``<warehouse>.lock``: the kernel releases it when the holder dies, even by
    SIGKILL, so a crashed load never leaves the warehouse locked.
    """
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    lock_path = warehouse.with_name(warehouse.name + ".lock")
    with lock_path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LoadError(
                f"{warehouse}: another load is running on this warehouse (or a rollback); "
                "try again when it has finished"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
