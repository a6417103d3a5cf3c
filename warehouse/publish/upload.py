"""A term's load from the browser: the files a steward drops on the Data quality page, loaded
by ``warehouse.publish.load.load`` (the same lock, staging copy, checks, dbt build and atomic
swap as ``stls load``) inside the dashboard's own process, where Great Expectations and dbt
are already imported, with its progress for a progress bar.

- **One at a time.** A load started from any browser session of this server is the one
  load of its warehouse until it ends: another upload is refused at once, saying who started
  the running one, when, and what it is doing. A load run elsewhere (``stls load``, a
  rollback) holds the warehouse's lock, and an upload meeting it is refused the same way.
- **Its own thread.** The load runs in a thread of its own, not in the page's script: a
  steward who clicks elsewhere, or closes the tab, does not stop it (Streamlit stops a
  script at its next call when asked to rerun); the page, opened again, shows the running
  load's progress and then its result.
- **Limits before anything is parsed.** At most ``MAX_FILES`` files; each file above the
  size limit (``$STLS_MAX_FILE_MB``) is refused with its size before it is written;
  everything else then goes through the reader's own limits (rows, unpacked size, sheet
  extent), which it checks before it parses, exactly as for ``stls load``. The page's
  uploader refuses files above the size limit in the browser already.
- **Names are untrusted.** A file keeps the name it was sent with, but only its last part
  (no folders), in a private temporary folder beside the warehouse, each file in its own
  subfolder so two files of the same name both load, in the order given. The folder is
  removed when the load ends.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath, PureWindowsPath

from warehouse.core.errors import LoadError, first_line
from warehouse.ingest.readers import limits
from warehouse.ingest.reading import ReadError
from warehouse.ingest.reading import _too_big as too_big
from warehouse.publish.load import LoadResult, load
from warehouse.publish.locking import exclusive

MAX_FILES = 200
KIND = "upload"
# Each step's share of the progress bar (where it starts, how much of it it takes), roughly
# its share of a term's load: reading is quick, the dbt build takes half.
STEP_SHARE = {
    "read": (0.0, 0.3),
    "audit": (0.3, 0.15),
    "build": (0.45, 0.47),
    "publish": (0.92, 0.08),
}


class UploadRefused(LoadError):
    """The upload was not started; ``str()`` is one line saying why."""


@dataclass(frozen=True)
class Upload:
    """A file as the browser sent it."""

    name: str
    data: bytes


@dataclass
class Job:
    """A load from the browser, running or done."""

    warehouse: Path
    by: str
    files: tuple[str, ...]
    started: datetime
    step: str = "read"
    fraction: float = 0.0
    detail: str = "Starting"
    result: LoadResult | None = None
    error: str | None = None
    steps_seen: list[str] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)

    def update(self, step: str, done: int, total: int, detail: str) -> None:
        """``load``'s progress callback: the step, how far through it, what it does."""
        start, span = STEP_SHARE[step]
        fraction = start + span * min(done, total) / max(total, 1)
        self.step, self.fraction, self.detail = step, max(self.fraction, fraction), detail
        if step not in self.steps_seen:
            self.steps_seen.append(step)

    @property
    def running(self) -> bool:
        return not self.done.is_set()

    def describe(self) -> str:
        return (
            f"{self.by} started one at {self.started:%H:%M} UTC with {len(self.files)} "
            f"file(s); it is at: {self.detail}"
        )


_jobs: dict[Path, Job] = {}
_jobs_lock = threading.Lock()


def _key(warehouse: Path) -> Path:
    return Path(warehouse).expanduser().absolute()


def current(warehouse: Path) -> Job | None:
    """The latest load from the browser of this warehouse in this process, if any."""
    with _jobs_lock:
        return _jobs.get(_key(warehouse))


def safe_name(name: str, index: int) -> str:
    """A sent file name's last part (no folder, no NUL), or ``upload_<n>`` if none is left."""
    last = PureWindowsPath(PurePosixPath(str(name)).name).name.replace("\x00", "")
    return last.strip() if last.strip() not in ("", ".", "..") else f"upload_{index}"


def check(files: Sequence[Upload]) -> None:
    """Refuse the upload before anything is written or parsed: no files, too many, or a
    file above the size limit (one line naming each)."""
    if not files:
        raise UploadRefused("choose this term's files first: nothing was uploaded")
    if len(files) > MAX_FILES:
        raise UploadRefused(f"{len(files)} files at once; load at most {MAX_FILES} at a time")
    try:
        limit = limits().file_bytes
    except ReadError as exc:
        raise UploadRefused(str(exc)) from None
    big = [
        f"{safe_name(f.name, i)}: {too_big(len(f.data), limit)}"
        for i, f in enumerate(files, start=1)
        if len(f.data) > limit
    ]
    if big:
        raise UploadRefused("; ".join(big) + ". Nothing was loaded")


def start(warehouse: Path, files: Sequence[Upload], *, by: str) -> Job:
    """Check the files, save them and start their load in a thread; the running ``Job``.
    Raises UploadRefused (with one line) when another load is running or a file is refused.
    """
    warehouse = _key(warehouse)
    with _jobs_lock:
        running = _jobs.get(warehouse)
        if running is not None and running.running:
            raise UploadRefused(
                "another load from the browser is running: " + running.describe() + ". "
                "Try again when it has finished."
            )
        check(files)
        try:  # a load or rollback run elsewhere (stls load, stls rollback): refused now
            with exclusive(warehouse):
                pass
        except LoadError as exc:
            raise UploadRefused(str(exc)) from None
        folder = Path(tempfile.mkdtemp(prefix=".stls_upload_", dir=warehouse.parent))
        try:
            paths = _save(folder, files)
        except OSError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            raise UploadRefused(f"the files could not be saved: {exc.strerror or exc}") from None
        job = Job(warehouse, by, tuple(p.name for p in paths), datetime.now(UTC))
        _jobs[warehouse] = job
    thread = threading.Thread(
        target=_run, args=(job, paths, folder), name="stls-upload", daemon=True
    )
    thread.start()
    return job


def _save(folder: Path, files: Sequence[Upload]) -> list[Path]:
    paths = []
    for index, upload in enumerate(files, start=1):
        place = folder / str(index)
        place.mkdir()
        path = place / safe_name(upload.name, index)
        path.write_bytes(upload.data)
        paths.append(path)
    return paths


def _run(job: Job, paths: list[Path], folder: Path) -> None:
    try:
        job.result = load(paths, job.warehouse, kind=KIND, progress=job.update)
    except LoadError as exc:
        job.error = str(exc)
    except Exception as exc:  # a thread's exception would be lost: say it on the page
        job.error = f"the load stopped: unexpected {type(exc).__name__}: {first_line(exc)}"
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(folder)
        job.done.set()


def run(warehouse: Path, files: Sequence[Upload], *, by: str, timeout: float = 1800) -> Job:
    """``start`` and wait for the load to end (for tests and scripts): the finished Job."""
    job = start(warehouse, files, by=by)
    job.done.wait(timeout)
    return job
