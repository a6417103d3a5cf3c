"""A load's dbt build in a process of its own, started before the build is needed.

Importing dbt and parsing the project take seconds of Python that need nothing from the
load: not its files, not its audit, not the warehouse file (parsing never opens it). So a
load starts this process first (``started``); the process imports dbt and parses the
project for the load's staging file (``warehouse.publish.dbt.parse``) on the second core
while the load reads and audits its files; then the load closes its own connection to the
staging file and asks for the build (``Builder.build``), which runs there on the manifest
already parsed (``warehouse.publish.dbt.build(..., manifest=)``). A load may ask for part of
a build first (``Builder.start``, then ``Builder.result``: a new warehouse's seeds and views
while it audits) and for the rest last. The load's own process never imports dbt.

The build, its result and its one-line error are ``warehouse.publish.dbt``'s: this module
only carries them between the processes, as one JSON object a line (the request on the
process's stdin; dbt's progress and then the result or the error on its stdout). Anything
else the process writes (a warning from a library, a traceback if it dies) goes to
``<warehouse>.dbt/logs/process.log``, never to the steward's terminal.

The process ends after the last build, when the load ends without asking for one (its stdin is
closed), or when the load fails (it is stopped); if it dies, the build fails with one line
that names its log.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from warehouse.publish import dbt

_STOP_SECONDS = 5.0


def log_path(warehouse: Path) -> Path:
    """Where the build process's own output goes (not dbt's log, which is ``dbt.log``)."""
    return dbt.work_dir_for(warehouse) / "logs" / "process.log"


class Builder:
    """The build process for one staging file: started now, asked to build once, later."""

    def __init__(self, warehouse: Path) -> None:
        self.warehouse = Path(warehouse).expanduser().absolute()
        log = log_path(self.warehouse)
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as errors:
            self._process = subprocess.Popen(
                # -P: the current folder is not put on the module path, so a folder of the
                # steward's can never stand in for this package.
                [sys.executable, "-P", "-m", __name__, str(self.warehouse)],
                # In the warehouse's folder, dbt's profile names the file by its bare name,
                # so a new warehouse starts from the parse an earlier one made
                # (warehouse.publish.dbt.profile_path).
                cwd=self.warehouse.parent,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
                encoding="utf-8",
            )

    def build(
        self,
        *,
        select: str | None = None,
        exclude: str | None = None,
        skip_types: tuple[str, ...] = (),
        indirect_selection: str = "eager",
        on_node: Callable[[int, int], None] | None = None,
    ) -> dbt.DbtResult:
        """``warehouse.publish.dbt.build`` with these arguments, run in the build process;
        its result, or its DbtBuildError raised here. The process's last build: it ends
        after it."""
        self._ask(select, exclude, skip_types, indirect_selection, last=True)
        return self.result(on_node)

    def start(
        self,
        *,
        select: str | None = None,
        exclude: str | None = None,
        skip_types: tuple[str, ...] = (),
        indirect_selection: str = "eager",
    ) -> None:
        """Ask for a build (``build``'s arguments) and return at once; ``result`` waits for
        it. The process builds again when asked after that."""
        self._ask(select, exclude, skip_types, indirect_selection, last=False)

    def _ask(
        self,
        select: str | None,
        exclude: str | None,
        skip_types: tuple[str, ...],
        indirect_selection: str,
        *,
        last: bool,
    ) -> None:
        request = {
            "select": select,
            "exclude": exclude,
            "skip_types": list(skip_types),
            "indirect_selection": indirect_selection,
        }
        stdin = self._process.stdin
        assert stdin is not None
        try:
            stdin.write(json.dumps(request) + "\n")
            if last:
                stdin.close()
            else:
                stdin.flush()
        except OSError:  # it died before it was asked: ``result`` says so
            pass

    def result(self, on_node: Callable[[int, int], None] | None = None) -> dbt.DbtResult:
        """The result of the build asked for last (``on_node`` told of its progress), or its
        DbtBuildError raised here."""
        stdout = self._process.stdout
        assert stdout is not None
        for line in stdout:
            message = json.loads(line)
            if "node" in message:
                if on_node is not None:
                    on_node(*message["node"])
            elif "result" in message:
                return _result(message["result"])
            elif "error" in message:
                failures = tuple(dbt.NodeResult(**node) for node in message["failures"])
                raise dbt.DbtBuildError(message["error"], failures)
        code = self._process.wait()
        raise dbt.DbtBuildError(
            f"dbt build failed: the build process ended without a result (exit code {code}); "
            f"its log is {log_path(self.warehouse)}"
        )

    def close(self) -> None:
        """End the process: it has finished, or it is stopped (the load needs no build, or
        failed). Never leaves it running. Safe to call again."""
        process = self._process
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError, ValueError):
                    stream.close()
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def started(warehouse: Path) -> Iterator[Builder]:
    """A build process for ``warehouse``, parsing the project from now on; ended on exit."""
    builder = Builder(warehouse)
    try:
        yield builder
    finally:
        builder.close()


def _result(data: dict[str, Any]) -> dbt.DbtResult:
    return dbt.DbtResult(
        warehouse=Path(data["warehouse"]),
        work_dir=Path(data["work_dir"]),
        args=tuple(data["args"]),
        seconds=data["seconds"],
        nodes=tuple(dbt.NodeResult(**node) for node in data["nodes"]),
        warnings=tuple(data["warnings"]),
    )


def _serve(warehouse: Path, requests: IO[str], replies: IO[str]) -> int:
    """The build process: parse now, then build each time it is asked, on the one parse,
    until its input ends (nothing if never asked); stops at the first failed build."""

    def send(message: dict[str, Any]) -> None:
        replies.write(json.dumps(message) + "\n")
        replies.flush()

    manifest = dbt.parse(warehouse)
    for line in iter(requests.readline, ""):
        request = json.loads(line)
        try:
            result = dbt.build(
                warehouse,
                select=request["select"],
                exclude=request["exclude"],
                skip_types=tuple(request["skip_types"]),
                indirect_selection=request["indirect_selection"],
                on_node=lambda done, total: send({"node": [done, total]}),
                manifest=manifest,
            )
        except dbt.DbtBuildError as exc:
            send({"error": str(exc), "failures": [asdict(node) for node in exc.failures]})
            return 1
        send(
            {
                "result": {
                    "warehouse": str(result.warehouse),
                    "work_dir": str(result.work_dir),
                    "args": list(result.args),
                    "seconds": result.seconds,
                    "nodes": [asdict(node) for node in result.nodes],
                    "warnings": list(result.warnings),
                }
            }
        )
    return 0


def main(argv: list[str]) -> int:
    # No cyclic garbage collection: the process lives for one load, and everything it
    # allocates goes when it ends. dbt's import, parse and build make millions of objects,
    # and the collector walked them for about a second of a new warehouse's build (gen 2
    # alone 0.8 s). The process's peak memory is about the same either way
    # (docs/performance.md).
    gc.disable()
    # The replies get the process's stdout to themselves: anything else printed to it goes
    # to stderr, which the parent pointed at the process log.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return _serve(Path(argv[0]), sys.stdin, replies)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
