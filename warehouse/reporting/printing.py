"""The machine's Chromium, headless, for the committee pack: a page's scripts run, then its
DOM is kept (``static_html``: charts drawn once, as images) or printed (``pdf``: A4).

Nothing is fetched from outside the machine. The page is a file in a fresh temporary
folder; Chromium runs with its background services off, every host name resolving to
nothing and every request through a proxy at a closed local port, so a stray address in a
page could not reach a network even if one were there. Where Chromium is not installed,
one line says so (``ChromiumMissing``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from warehouse.core.errors import StlsError

CHROMIUM_ENV = "STLS_CHROMIUM"
DEFAULT_CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_SECONDS = 180
# Virtual time the page may use before its DOM is taken or printed: scripts (drawing the
# charts) run within it, however slow the machine's real clock is.
VIRTUAL_TIME_MS = 30_000
OFFLINE_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--metrics-recording-only",
    "--mute-audio",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--allow-file-access-from-files",
    "--run-all-compositor-stages-before-draw",
    f"--virtual-time-budget={VIRTUAL_TIME_MS}",
)


class ChromiumMissing(StlsError):
    pass


class PrintFailed(StlsError):
    pass


def chromium() -> Path:
    """Chromium: ``$STLS_CHROMIUM``, else /usr/bin/chromium, else ``chromium`` on PATH."""
    chosen = os.environ.get(CHROMIUM_ENV)
    if chosen:
        path = Path(chosen)
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise ChromiumMissing(
            f"${CHROMIUM_ENV} names {chosen}, which is not an executable file: point it at "
            "Chromium, or unset it to use /usr/bin/chromium"
        )
    if DEFAULT_CHROMIUM.is_file():
        return DEFAULT_CHROMIUM
    found = shutil.which("chromium")
    if found:
        return Path(found)
    raise ChromiumMissing(
        "Chromium is needed to draw the pack's charts and print its PDF and was not found at "
        f"{DEFAULT_CHROMIUM}: install Debian's chromium package (apt-get install chromium) "
        f"or set ${CHROMIUM_ENV}"
    )


def _run(html: str, *extra: str, output: str | None = None) -> tuple[str, bytes | None]:
    browser = chromium()
    with tempfile.TemporaryDirectory(prefix="stls_pack_") as folder:
        page = Path(folder).joinpath("pack.html")
        page.write_text(html, encoding="utf-8")
        target = Path(folder).joinpath(output) if output else None
        command = [
            str(browser),
            *OFFLINE_FLAGS,
            f"--user-data-dir={Path(folder).joinpath('profile')}",
            *extra,
            *([f"--print-to-pdf={target}"] if target else []),
            page.as_uri(),
        ]
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                timeout=TIMEOUT_SECONDS,
                cwd=folder,
                env={**os.environ, "HOME": folder},
            )
        except subprocess.TimeoutExpired:
            raise PrintFailed(
                f"Chromium ({browser}) did not finish within {TIMEOUT_SECONDS} s"
            ) from None
        if done.returncode != 0 or (target is not None and not target.is_file()):
            last = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no output"])[
                -1
            ]
            raise PrintFailed(f"Chromium ({browser}) failed (exit {done.returncode}): {last}")
        return done.stdout.decode("utf-8", "replace"), target.read_bytes() if target else None


def static_html(html: str) -> str:
    """The page after its scripts ran (``--dump-dom``): what they drew stays, as HTML."""
    out, _ = _run(html, "--dump-dom")
    if "<html" not in out:
        raise PrintFailed("Chromium returned no page")
    # What the scripts left behind that a reader does not need: Plotly's off-screen text
    # measurer, and the doctype the dump may already carry.
    out = re.sub(r'<svg id="js-plotly-tester".*?</svg>', "", out, flags=re.DOTALL)
    out = re.sub(r"^\s*<!DOCTYPE html>\s*", "", out, flags=re.IGNORECASE)
    return "<!DOCTYPE html>\n" + out


def pdf(html: str) -> bytes:
    """The page printed to PDF as its print stylesheet lays it out (A4), without the
    browser's own header and footer."""
    _, data = _run(html, "--no-pdf-header-footer", output="pack.pdf")
    assert data is not None
    return data
