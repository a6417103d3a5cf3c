"""The dashboard in a real browser: `stls dashboard` on a demo warehouse, every page visited in
Debian's Chromium (headless), timed, checked for exceptions and checked with axe-core.

One server and one browser serve every test here. Set STLS_SCREENSHOTS=DIR (as
`make screenshots` does) to save a PNG of each page in DIR.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from warehouse.dashboard.filters import areas

pytestmark = [pytest.mark.browser, pytest.mark.dbt]

CHROMIUM = Path(os.environ.get("STLS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Issue 14's limits for a warm page (median and slowest over the pages) and a filter's
# re-render (median). They are a benchmark's targets, asserted only when STLS_PAGE_LIMITS=1
# (`make bench-pages`, on a machine doing nothing else). Under `make test` the workers build
# warehouses on the same two cores (a page that settles in 1.8 s alone took 5.1 s there), so
# the timings are printed and held only to LIMIT_SECONDS, which catches a page that hangs or
# has become several times slower, not a missed target.
LIMIT_SECONDS = 15.0
PAGE_MEDIAN_LIMIT = 1.0
PAGE_SLOWEST_LIMIT = 1.5
FILTER_MEDIAN_LIMIT = 0.6
STRICT_LIMITS = os.environ.get("STLS_PAGE_LIMITS") == "1"
# Warm visits of every page: a median of three for the benchmark; under `make test`, where
# only LIMIT_SECONDS is held, one (the timings are not compared with anything there).
ROUNDS = 3 if STRICT_LIMITS else 1
# Pages whose sidebar has the Area filter: each is re-rendered for every area in turn.
FILTERED = ("engagement", "funding", "ehcp")
# page name -> (address path, charts it shows; None: any number, all rendered)
PAGES: dict[str, tuple[str, int | None]] = {
    "overview": ("", 1),
    "engagement": ("engagement", 4),
    "funding": ("funding", 3),
    "ehcp": ("ehcp", 3),  # the third: DfE's county and England rates
    "data_quality": ("data_quality", None),
    "about": ("about", 0),
    "benchmarks": ("benchmarks", None),  # the demo bundles DfE's figures (SEND, attainment)
}
NAVIGATION = [
    "Overview",
    "District engagement",
    "Funding per pupil",
    "EHCP trends vs inclusion",
    "Kent among councils",
    "Outcomes for supported children",
    "Data quality",
    "About the data",
]
# Tall enough that every chart is in view: Streamlit draws a chart only when it is visible.
VIEWPORT = {"width": 1400, "height": 4200}

# True once the script has finished, nothing is still loading, and every Plotly chart on the
# page has drawn its SVG (or as soon as Streamlit shows an exception).
READY = """() => {
  if (document.querySelector("[data-testid='stException']")) return true;
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (!document.querySelector("[data-testid='stMainBlockContainer'] h1")) return false;
  if (document.querySelector("[data-testid='stSkeleton']")) return false;
  const charts = [...document.querySelectorAll("[data-testid='stPlotlyChart']")];
  return charts.every(c => c.querySelector('.js-plotly-plot .main-svg'));
}"""


@dataclass
class Visit:
    seconds: float
    charts: int
    exceptions: int
    serious: list[dict] = field(default_factory=list)
    url: str = ""
    requested: list[str] = field(default_factory=list)  # every address asked for on the visit
    tables: tuple[int, int, int] = (0, 0, 0)  # tables drawn on arrival, expanders opened, after


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(warehouse: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """`stls dashboard` on ``warehouse`` (with ``env`` added to the environment), until the
    generator is closed: its address."""
    port = free_port()
    stls = Path(sys.executable).with_name("stls")
    process = subprocess.Popen(
        [str(stls), "--warehouse", str(warehouse), "dashboard", "--port", str(port)],
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: stopped with streamlit, its child
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read().decode()
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                    if r.read().decode() == "ok":
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "stls dashboard did not answer within 60 s"
            time.sleep(0.3)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


@pytest.fixture(scope="module")
def server(demo_warehouse) -> Iterator[str]:
    yield from serve(demo_warehouse)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found: install Debian's chromium (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)  # in CI the browser tests must run, never skip
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def page(browser):
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    yield tab
    context.close()


# The first load of the served app (imports, caches, the JavaScript) is not timed: a hang
# guard only. With other workers building warehouses on the same two cores it once took
# over 30 s (CI, 2 December 2026).
COLD_START_MS = 180_000


def wait_until_ready(tab, timeout_ms: int = 30_000) -> None:
    tab.wait_for_function(READY, timeout=timeout_ms, polling=50)


def open_every_table(tab) -> int:
    """Open every closed expander, one at a time, and wait until its content is drawn, so
    axe checks the tables too: a chart's table is drawn only once its expander is open, by
    a re-run of the page (``ui.data_table``). Returns how many were opened."""
    expanders = tab.locator("[data-testid='stExpander']")
    opened = 0
    for i in range(expanders.count()):
        expander = expanders.nth(i)
        if expander.locator("details[open]").count():
            continue
        expander.locator("summary").click()
        expander.locator(
            "[data-testid='stExpanderDetails'] [data-testid='stElementContainer']"
        ).first.wait_for(timeout=30_000)
        wait_until_ready(tab)
        opened += 1
    return opened


@pytest.fixture(scope="module")
def visits(server, page) -> dict[str, Visit]:
    """Every page visited once, in navigation order, after one warm-up load of the app."""
    from axe_playwright_python.sync_playwright import Axe

    page.goto(f"{server}/funding")  # warm-up: Python imports, the JavaScript and Plotly
    wait_until_ready(page, timeout_ms=COLD_START_MS)
    axe = Axe()
    shots = os.environ.get("STLS_SCREENSHOTS")
    results: dict[str, Visit] = {}
    requested: list[str] = []
    listen = lambda request: requested.append(request.url)  # noqa: E731
    page.on("request", listen)
    for name, (path, _charts) in PAGES.items():
        requested.clear()
        started = time.monotonic()
        page.goto(f"{server}/{path}")
        wait_until_ready(page)
        seconds = time.monotonic() - started
        visit = Visit(
            seconds=seconds,
            charts=page.locator("[data-testid='stPlotlyChart'] .js-plotly-plot").count(),
            exceptions=page.locator("[data-testid='stException']").count(),
            url=page.url,
            requested=list(requested),
        )
        if shots:
            screenshot(page, Path(shots) / f"{name}.png")
        drawn = page.locator("[data-testid='stTable']").count()
        opened = open_every_table(page)
        visit.tables = (drawn, opened, page.locator("[data-testid='stTable']").count())
        report = axe.run(page)
        visit.serious = [
            v for v in report.response["violations"] if v["impact"] in ("serious", "critical")
        ]
        results[name] = visit
        print(
            f"{name}: {seconds:.2f} s, {visit.charts} charts, axe serious/critical: "
            f"{len(visit.serious)}"
        )
    page.remove_listener("request", listen)  # later tests reuse the tab on other servers
    return results


def screenshot(tab, path: Path, width: int = 1400, back_to: dict | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    height = tab.evaluate(
        "() => document.querySelector(\"[data-testid='stMainBlockContainer']\").scrollHeight"
    )
    tab.set_viewport_size({"width": width, "height": max(900, int(height) + 150)})
    tab.wait_for_timeout(300)
    wait_until_ready(tab)
    tab.screenshot(path=str(path), full_page=True)
    tab.set_viewport_size(back_to or VIEWPORT)


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_renders_in_time_with_its_charts(visits, name):
    visit = visits[name]
    assert visit.exceptions == 0, f"{name} shows an exception"
    assert visit.seconds < LIMIT_SECONDS, f"{name} took {visit.seconds:.2f} s"
    expected = PAGES[name][1]
    if expected is not None:
        assert visit.charts == expected


def test_a_charts_table_is_drawn_when_its_expander_is_opened(visits):
    """On the chart pages no chart's table is drawn on arrival; opening each expander draws
    its table (``ui.data_table``)."""
    for name in FILTERED:
        drawn, opened, after = visits[name].tables
        assert drawn == 0, name
        assert opened >= PAGES[name][1], name  # each chart's table, and the page's others
        assert after == opened, name


MAIN_TEXT = "() => document.querySelector(\"[data-testid='stMainBlockContainer']\").innerText"


@dataclass
class Speeds:
    pages: dict[str, float]  # page -> median seconds over ROUNDS warm visits
    filters: list[float]  # seconds from choosing an area to the page settled, every change

    def summary(self) -> str:
        slowest = max(self.pages, key=self.pages.get)
        return (
            f"pages: median {statistics.median(self.pages.values()):.2f} s, slowest "
            f"{self.pages[slowest]:.2f} s ({slowest}); filter re-render: median "
            f"{statistics.median(self.filters):.2f} s, slowest {max(self.filters):.2f} s "
            f"({len(self.filters)} changes)"
        )


def choose_area(tab, area: str) -> float:
    """Choose ``area`` in the sidebar's Area filter: seconds until the page has re-run and
    settled with what it now shows."""
    before = tab.evaluate(MAIN_TEXT)
    tab.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(
        has_text="Area"
    ).click()
    option = tab.get_by_role("option", name=area, exact=True)
    option.wait_for()
    started = time.monotonic()
    option.click()
    tab.wait_for_function(
        f"""() => ({READY})() && ({MAIN_TEXT})() !== {json.dumps(before)}""",
        timeout=30_000,
        polling=20,
    )
    return time.monotonic() - started


@pytest.fixture(scope="module")
def speeds(server, page, visits) -> Speeds:
    """Every page visited ROUNDS more times (warm: ``visits`` came first), and every area
    chosen in turn on each page with the Area filter."""
    times: dict[str, list[float]] = {name: [] for name in PAGES}
    for _ in range(ROUNDS):
        for name, (path, _charts) in PAGES.items():
            started = time.monotonic()
            page.goto(f"{server}/{path}")
            wait_until_ready(page)
            times[name].append(time.monotonic() - started)
    changes: list[float] = []
    for name in FILTERED:
        page.goto(f"{server}/{PAGES[name][0]}")
        wait_until_ready(page)
        for area in [*areas(), "All areas"]:
            changes.append(choose_area(page, area))
    result = Speeds({k: statistics.median(v) for k, v in times.items()}, changes)
    print(result.summary())
    return result


def test_pages_and_filters_are_fast(speeds):
    """Issue 14: the warm pages' median and slowest, and a filter's re-render, within the
    limits on a quiet machine (STLS_PAGE_LIMITS=1); within LIMIT_SECONDS anywhere."""
    assert len(speeds.filters) == len(FILTERED) * (len(areas()) + 1)  # each area and back
    median = statistics.median(speeds.pages.values())
    slowest = max(speeds.pages.values())
    rerender = statistics.median(speeds.filters)
    if STRICT_LIMITS:
        assert median <= PAGE_MEDIAN_LIMIT, speeds.summary()
        assert slowest <= PAGE_SLOWEST_LIMIT, speeds.summary()
        assert rerender <= FILTER_MEDIAN_LIMIT, speeds.summary()
    assert max(slowest, max(speeds.filters)) < LIMIT_SECONDS, speeds.summary()


@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_serious_or_critical_violation(visits, name):
    problems = [
        f"{v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])} element(s), e.g. "
        f"{v['nodes'][0]['target']})"
        for v in visits[name].serious
    ]
    assert not problems, "\n".join(problems)


def test_the_navigation_names_every_page(server, page, visits):
    page.goto(server)
    wait_until_ready(page)
    links = page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()
    assert [link.strip().splitlines()[-1] for link in links] == NAVIGATION  # after the icon
    assert "Illustrative data" in page.locator("[data-testid='stAlert']").first.inner_text()


def test_a_shared_link_opens_the_same_view(server, page, visits):
    page.goto(f"{server}/funding?year=2022-23&terms=1-3&area=East&basis=sen")
    wait_until_ready(page)
    main = page.locator("[data-testid='stMainBlockContainer']").inner_text()
    assert "SLA funding per pupil: 2022-23, terms 1 to 3" in main  # the year said once
    assert "the East area" in main
    assert "SLA funding per SEN pupil, by district" in main
    assert "year=2022-23" in page.url and "basis=sen" in page.url and "area=East" in page.url


@pytest.fixture(scope="module")
def hostile_server(hostile_warehouse) -> Iterator[str]:
    yield from serve(hostile_warehouse)


@pytest.mark.parametrize("path", ["", "data_quality"])
def test_received_text_never_becomes_a_link_an_image_or_markup(hostile_server, page, path):
    """Issue 9: the held submission's reason (the Overview) and the failing rows (Data
    quality) hold Markdown, HTML and links from a file; the browser shows them as text,
    fetches nothing from the link, and offers no unneutralised CSV of the tables."""
    from hostile import MARKDOWN_PAYLOAD

    fetched: list[str] = []

    def record(request) -> None:
        fetched.append(request.url)

    page.on("request", record)
    try:
        page.goto(f"{hostile_server}/{path}")
        wait_until_ready(page)
    finally:
        page.remove_listener("request", record)
    app = page.locator("[data-testid='stApp']")
    assert [url for url in fetched if "evil.example" in url] == []
    assert page.locator("a[href*='evil.example'], img[src*='evil.example']").count() == 0
    assert app.locator("b, .katex, .stMarkdownColoredText").count() == 0
    if path == "":
        shown = app.inner_text().replace("\u2060", "")  # the word joiners are invisible
        assert MARKDOWN_PAYLOAD in shown  # shown, as the text it is
    else:
        frame = page.locator("[data-testid='stDataFrame']").first
        frame.hover()
        page.wait_for_timeout(300)
        assert page.get_by_role("button", name="Download as CSV").count() == 0


# ---------------------------------------------------------------- phones, other hosts, the pack
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
# The page itself scrolls only down: a table may scroll inside its own box, never the page.
OVERFLOW = """() => {
  const doc = document.documentElement;
  const main = document.querySelector("[data-testid='stMain']") || document.body;
  return Math.max(doc.scrollWidth - doc.clientWidth, main.scrollWidth - main.clientWidth);
}"""


def _elsewhere(server: str, urls: list[str]) -> list[str]:
    """The addresses that are not the dashboard's own (data: and blob: URLs stay inside)."""
    from urllib.parse import urlsplit

    own = urlsplit(server).netloc
    return [
        u
        for u in urls
        if urlsplit(u).scheme in ("http", "https", "ws", "wss") and urlsplit(u).netloc != own
    ]


# Scrolls the page down a screen at a time to the foot: Streamlit draws a chart only once it
# has been in view, so a reader who scrolls sees every chart drawn.
SCROLL_THROUGH = """async () => {
  const main = document.querySelector("[data-testid='stMain']");
  for (let y = 0; y < 40; y++) {
    const before = [window.scrollY, main ? main.scrollTop : 0];
    window.scrollBy(0, window.innerHeight * 0.8);
    if (main) main.scrollTop += window.innerHeight * 0.8;
    await new Promise(r => setTimeout(r, 120));
    if (window.scrollY === before[0] && (!main || main.scrollTop === before[1])) break;
  }
}"""


@dataclass
class SizedVisit:
    exceptions: int
    overflow: int
    serious: list[dict]
    requested: list[str]
    charts: int


def _sized_visits(server: str, browser, viewport: dict, prefix: str, **options) -> dict:
    """Every page at ``viewport``: exceptions, page-level overflow in px, axe's serious
    findings, every address requested, and the charts drawn once the reader has scrolled to
    the foot; screenshots as <prefix>_<page>.png."""
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport=viewport, **options)
    tab = context.new_page()
    requested: list[str] = []
    tab.on("request", lambda request: requested.append(request.url))
    shots = os.environ.get("STLS_SCREENSHOTS")
    axe = Axe()
    out = {}
    try:
        for name, (path, _charts) in PAGES.items():
            requested.clear()
            tab.goto(f"{server}/{path}")
            wait_until_ready(tab)
            tab.wait_for_timeout(300)
            overflow = int(tab.evaluate(OVERFLOW))
            exceptions = tab.locator("[data-testid='stException']").count()
            tab.evaluate(SCROLL_THROUGH)
            wait_until_ready(tab)
            charts = tab.locator("[data-testid='stPlotlyChart'] .js-plotly-plot").count()
            if shots:
                shot = Path(shots) / f"{prefix}_{name}.png"
                screenshot(tab, shot, viewport["width"], viewport)
            report = axe.run(tab)
            serious = [
                v for v in report.response["violations"] if v["impact"] in ("serious", "critical")
            ]
            out[name] = SizedVisit(exceptions, overflow, serious, list(requested), charts)
            print(
                f"{prefix} {name}: overflow {overflow} px, {charts} charts, "
                f"axe serious/critical: {len(serious)}"
            )
    finally:
        context.close()
    return out


@pytest.fixture(scope="module")
def phone_visits(server, browser) -> dict[str, SizedVisit]:
    """Every page at 390 x 844 (a phone)."""
    return _sized_visits(server, browser, PHONE, "phone", device_scale_factor=1, is_mobile=True)


@pytest.fixture(scope="module")
def desktop_visits(server, browser) -> dict[str, SizedVisit]:
    """Every page at 1440 x 900 (a laptop), as a director reads it."""
    return _sized_visits(server, browser, DESKTOP, "desktop")


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_works_at_1440_by_900(desktop_visits, name):
    visit = desktop_visits[name]
    assert visit.exceptions == 0, f"{name} shows an exception at 1440 x 900"
    assert visit.overflow <= 1, f"{name} scrolls sideways by {visit.overflow} px at 1440 px"
    assert not [f"{v['impact']} {v['id']}" for v in visit.serious]
    expected = PAGES[name][1]
    if expected is not None:
        assert visit.charts == expected, f"{name}: {visit.charts} charts drawn at 1440 x 900"


def test_at_least_four_pages_show_a_chart_at_either_size(desktop_visits, phone_visits):
    for visits in (desktop_visits, phone_visits):
        with_charts = [name for name, visit in visits.items() if visit.charts > 0]
        assert len(with_charts) >= 4, with_charts


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_fits_a_phone(phone_visits, name):
    visit = phone_visits[name]
    assert visit.exceptions == 0, f"{name} shows an exception at 390 px"
    assert visit.overflow <= 1, f"{name} scrolls sideways by {visit.overflow} px at 390 px"
    assert not [f"{v['impact']} {v['id']}" for v in visit.serious]


def test_nothing_is_fetched_from_another_host(server, visits, phone_visits, desktop_visits):
    assert all(v.requested for v in visits.values()), "a visit recorded no request"
    for sized in (visits, phone_visits, desktop_visits):
        for name, visit in sized.items():
            assert _elsewhere(server, visit.requested) == [], name
    assert _elsewhere(server, ["https://fonts.gstatic.com/x.woff2"])  # the check can fail


def test_the_overview_answers_at_a_glance_at_1440_by_900(server, browser, visits):
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    tab = context.new_page()
    try:
        tab.goto(server)
        wait_until_ready(tab)
        main = tab.locator("[data-testid='stMainBlockContainer']")
        text = main.inner_text()
        assert "Last load" in text and "Expected next" in text
        assert "What changed" in text and "Largest rise" in text
        fold = tab.evaluate(
            "() => [...document.querySelectorAll('h2')].find(h => h.innerText.includes("
            "'What changed')).getBoundingClientRect().top"
        )
        assert fold < DESKTOP["height"], "the sentences start below the fold"
        assert tab.locator("[data-testid='stPlotlyChart']").count() == 1
        tab.emulate_media(media="print")  # the print stylesheet: the page alone
        for widget in ("stSidebar", "stDownloadButton", "stToolbar"):
            assert not tab.locator(f"[data-testid='{widget}']").first.is_visible(), widget
        assert main.is_visible()
        tab.emulate_media(media="screen")
        with tab.expect_download(timeout=120_000) as download:
            tab.get_by_role("button", name="Download the committee pack (PDF)").click()
        pdf = Path(download.value.path()).read_bytes()
        assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
        shots = os.environ.get("STLS_SCREENSHOTS")
        if shots:
            Path(shots, "committee_pack.pdf").write_bytes(pdf)
    finally:
        context.close()


def test_a_charts_csv_is_made_when_its_button_is_pressed(server, browser, visits):
    """A chart's figures are written as CSV when its button is pressed, not on every run
    (``ui.data_table``): in the real browser the press downloads them, named as the
    button's file, one row per district and one for Kent under the headings."""
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    tab = context.new_page()
    try:
        tab.goto(f"{server}/funding")
        wait_until_ready(tab)
        button = tab.get_by_role("button", name="Download the data: SLA funding per pupil")
        with tab.expect_download(timeout=60_000) as download:
            button.first.click()
        assert download.value.suggested_filename.startswith("stls_funding_pupil_")
        text = Path(download.value.path()).read_text(encoding="utf-8")
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][0] == "District" and "Funding per pupil on roll (£)" in rows[0]
        assert len(rows) == 1 + 12 + 1 and rows[-1][0] == "Kent"
        assert all(len(row) == len(rows[0]) for row in rows)
    finally:
        context.close()
