"""Workbooks are parsed in a child process with a memory cap, so an engine that aborts or
runs away takes only that file down, never the load."""

from __future__ import annotations

import atexit
import contextlib
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import IO, Any

import fastexcel
import polars as pl

from warehouse.core import paths
from warehouse.core.errors import first_line
from warehouse.ingest.reading import (
    _EXCEL_ERROR_DETAIL,
    _EXCEL_ERRORS,
    ROW_NUMBER,
    Limits,
    _cell_names,
    _Grid,
    _NoHeader,
    _Rejected,
    limits,
)

# Workbooks are parsed in a child process
# --------------------------------------------------------------------------------------

# The extent check above is the first line of defence; the second is that the engine (Rust
# code reading untrusted zip and XML) runs in a child process with a memory cap, so a
# workbook that makes it abort, or run out of memory, costs that file and not the load.
# One child serves every workbook of a process (starting it costs a fraction of a second)
# and is started again after it dies.
READ_SECONDS = 300
_READER_MEMORY_FLOOR = 2 * 1024 * 1024 * 1024


def _reader_memory(limit: Limits) -> int:
    """The child's address-space cap: room for the engine on the largest allowed workbook."""
    return _READER_MEMORY_FLOOR + 4 * limit.unzipped_bytes


class _WorkbookReader:
    """The child process that parses workbooks, and the pipes to it.

    A plain ``python -c`` process, not ``multiprocessing``: its spawn start method runs the
    parent's main script again in the child (under Streamlit or AppTest, a page), which is
    neither wanted nor safe. Messages are pickled over two pipes
    (``multiprocessing.connection.Connection``); the child's stderr (a Rust backtrace when
    the engine aborts) goes to a temporary file, whose first line the reason quotes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._to_child: Connection | None = None
        self._from_child: Connection | None = None
        self._stderr: IO[bytes] | None = None
        self._memory: int | None = None

    def grid(self, data: bytes, sheet: int | str, rows: int | None, memory: int) -> _Grid:
        with self._lock:
            if self._memory != memory or self._process is None or self._process.poll() is not None:
                self._start(memory)
            assert self._to_child is not None and self._from_child is not None
            try:
                self._to_child.send((data, sheet, rows))
                if not self._from_child.poll(READ_SECONDS):
                    self._stop()
                    raise _Rejected(
                        f"reading the workbook took longer than {READ_SECONDS} s, so it was "
                        "stopped: save it again in Excel (or as CSV) and send it again"
                    )
                kind, payload = self._from_child.recv()
            except (EOFError, OSError):
                ended = self._stop()
                raise _Rejected(
                    f"the workbook stopped the workbook reader ({ended}; a workbook that "
                    f"needs more than {memory / 1024**3:.0f} GiB of memory does): open it in "
                    "Excel, check for cells far from the table, save it and send it again"
                ) from None
        if kind == "grid":
            return payload
        if kind == "rejected":
            raise payload
        raise _Rejected(f"cannot read the workbook: {payload}")

    def _start(self, memory: int) -> None:
        self._stop()
        to_child_read, to_child_write = os.pipe()
        from_child_read, from_child_write = os.pipe()
        stderr = tempfile.TemporaryFile()  # noqa: SIM115 (kept open while the child runs)
        code = (
            "from warehouse.ingest.workbook_process import _reader_main; "
            f"_reader_main({to_child_read}, {from_child_write}, {memory})"
        )
        environment = dict(os.environ)
        environment["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(paths.PROJECT_ROOT), environment.get("PYTHONPATH")) if p
        )
        try:
            process = subprocess.Popen(
                [sys.executable, "-c", code],
                pass_fds=(to_child_read, from_child_write),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env=environment,
                cwd=paths.PROJECT_ROOT,
            )
        finally:
            os.close(to_child_read)
            os.close(from_child_write)
        self._process, self._memory, self._stderr = process, memory, stderr
        self._to_child = Connection(to_child_write, readable=False)
        self._from_child = Connection(from_child_read, writable=False)

    def _stop(self) -> str:
        """Stop the child (if any); how it ended, in words."""
        process, stderr = self._process, self._stderr
        for connection in (self._to_child, self._from_child):
            if connection is not None:
                connection.close()
        self._process = self._to_child = self._from_child = self._stderr = None
        self._memory = None
        if process is None:
            return "it was not running"
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        code = process.returncode
        ended = f"it ended with exit code {code}"
        if code is not None and code < 0:
            with contextlib.suppress(ValueError):
                ended = f"it ended with {signal.Signals(-code).name}"
        if stderr is not None:
            stderr.seek(0)
            said = stderr.read(4096).decode("utf-8", "replace")
            stderr.close()
            first = next((line.strip() for line in said.splitlines() if line.strip()), "")
            if first:
                ended += f": {first[:200]}"
        return ended


_READER = _WorkbookReader()
atexit.register(_READER._stop)


def _reader_main(receive_fd: int, send_fd: int, memory: int) -> None:
    """The child: cap its address space, then parse each workbook it is sent until the
    parent closes the pipe."""
    with contextlib.suppress(ValueError, OSError):
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    receive = Connection(receive_fd, writable=False)
    send = Connection(send_fd, readable=False)
    while True:
        try:
            data, sheet, rows = receive.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[str, Any] = ("grid", _parse_xlsx_grid(data, sheet, rows))
        except _Rejected as rejected:
            reply = ("rejected", rejected)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # pyo3 panics derive from BaseException
            reply = ("failed", first_line(exc))
        send.send(reply)


def read_sheet_isolated(data: bytes, sheet: int | str, rows: int | None = None) -> _Grid:
    """One sheet (index or name) of a workbook parsed in the child process, with no check
    before it (the callers in this module check first). Raises ``Rejected`` with the
    steward's reason."""
    return _READER.grid(data, sheet, rows, _reader_memory(limits()))


def _guarded(reader: Callable[[Any], _Grid], payload: bytes | str, *, what: str) -> _Grid:
    """Run a third-party parser so that nothing it raises escapes ``read_file``.

    pyo3 panics from the Rust engines derive from BaseException, hence the wide net; an
    interrupt or exit still propagates.
    """
    try:
        return reader(payload)
    except _Rejected:
        raise
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:
        raise _Rejected(f"cannot read {what}: {first_line(exc)}") from exc


# --------------------------------------------------------------------------------------
def _xlsx_grid(data: bytes) -> _Grid:
    """The first sheet's cells as text, parsed in the child process (see above)."""
    return read_sheet_isolated(data, 0)


def _parse_xlsx_grid(data: bytes, sheet_index: int | str = 0, rows: int | None = None) -> _Grid:
    """A sheet's cells as text (the first ``rows`` rows, if given); formula errors as Excel
    shows them. Runs in the child process."""
    reader = fastexcel.read_excel(data)
    if not reader.sheet_names:
        raise _Rejected("the file is empty (the workbook has no sheets)")
    # header_row=None with skip_rows=0 keeps leading empty rows, so row numbers match Excel.
    options: dict[str, Any] = {} if rows is None else {"n_rows": rows}
    sheet = reader.load_sheet(sheet_index, header_row=None, skip_rows=0, dtypes="string", **options)
    batch, errors = sheet.to_arrow_with_errors()
    cells = pl.DataFrame(pl.from_arrow(batch))
    if cells.width == 0 or cells.height == 0:
        raise _NoHeader(f"the file is empty (its first sheet, {sheet.name!r}, has no cells)")
    cells = cells.rename(dict(zip(cells.columns, _cell_names(cells.width), strict=True)))
    cells = cells.with_columns(pl.all().cast(pl.String))
    cells = _with_error_cells(cells, errors.errors if errors is not None else [])
    numbers = pl.int_range(1, pl.len() + 1, dtype=pl.Int32)
    return _Grid(cells.with_columns(numbers.alias(ROW_NUMBER)), None)


def _with_error_cells(cells: pl.DataFrame, errors: list[fastexcel.CellError]) -> pl.DataFrame:
    """Put Excel's error text (``#DIV/0!``...) where calamine could not give a string."""
    patches: dict[int, dict[int, str]] = {}
    for error in errors:
        match = _EXCEL_ERROR_DETAIL.search(error.detail)
        text = _EXCEL_ERRORS.get(match.group(1), "#ERROR") if match else "#ERROR"
        row, column = error.position
        patches.setdefault(column, {})[row] = text
    for column, by_row in patches.items():
        name = cells.columns[column]
        values = cells[name].to_list()
        for row, text in by_row.items():
            values[row] = text
        cells = cells.with_columns(pl.Series(name, values, dtype=pl.String))
    return cells
