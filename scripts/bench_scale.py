"""`make bench-scale`: how the warehouse, a term's load and the pages grow with the years held.

Builds warehouses of 1, 5 and 20 academic years of terms (Kent's 12 districts, six terms a
year, a January census and an SLA funding file a year) plus DfE's national figures (the
demo's cut), then measures, for each:

* the warehouse file's size;
* a term's load: the steward's `stls load` of the 12 districts' returns for the last term
  (term 6 of the last year), in process, on a fresh copy each run (median of ``--runs``);
* every page's data calls: each page is run with Streamlit's AppTest as a data steward (who
  sees every page), the cached data functions of ``warehouse.dashboard`` timed with their
  caches emptied before each run, so every call reads the warehouse (p50 and p95 per page).

Then the same for one year of every English authority's districts (``--national-size``,
about 1,500 districts): a copy of the dbt project whose district seed lists them, each
term's returns in one county-wide file (a file per district would be 1,500 files a term).

The figures are the demo's 2022-23 returns, 2023 census and 2022-23 funding (ILLUSTRATIVE
data), re-labelled for each year. The years run from the service's first year (2014-15)
onwards, so twenty years reach 2033-34: each warehouse is built and loaded with the load's
clock set to the August after its last year (the audit refuses a year that has not begun).

Prints a table, writes bench_scale.json and exits 1 when a target is missed: a term's load
into the 20-year warehouse at most 1.5 times the load into the 1-year one, and every page's
data calls under 100 ms at p95 at 20 years. docs/performance.md holds a run's table.
"""

from __future__ import annotations

import os

# Streamlit outside a server warns on every cached function and run: not news here.
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")

import argparse
import contextlib
import csv
import functools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl

from warehouse.core import contracts, paths
from warehouse.demo import DATA_DIR
from warehouse.ingest import store
from warehouse.ingest.readers import read_file
from warehouse.publish.load import load

SIZES = (1, 5, 20)
FIRST_YEAR = int(contracts.SERVICE_FIRST_ACADEMIC_YEAR[:4])
TEMPLATE_YEAR = "2022-23"
TERMS = range(1, 7)
LOAD_RATIO_TARGET = 1.5
PAGE_P95_TARGET_MS = 100.0
NATIONAL_SIZE = 1_500
RETURN_COLUMNS = ("district", "academic_year", "term", "phase", "measure", "value")
CENSUS_COLUMNS = ("census_year", "district", "phase", "settings", "pupils", "sen_support", "ehcp")
FUNDING_COLUMNS = (
    "academic_year",
    "district",
    "core_budget",
    "outreach_budget",
    "total_budget",
    "other_income",
)


def year_label(start: int) -> str:
    return contracts.academic_year_label(start)


# ---------------------------------------------------------------- the files


def _frame(path: Path, columns: tuple[str, ...]) -> pl.DataFrame:
    read = read_file(path)
    if read.frame is None:
        raise SystemExit(f"{path}: {read.rejected_reason}")
    return read.frame.select(columns)


def template() -> dict[str, pl.DataFrame]:
    """The demo's figures for one year: returns by term, the census and the funding."""
    returns = DATA_DIR / "returns" / TEMPLATE_YEAR
    frames = {
        f"term{term}": pl.concat(
            [_frame(p, RETURN_COLUMNS) for p in sorted((returns / f"term{term}").iterdir())]
        )
        for term in TERMS
    }
    census = DATA_DIR / "census" / f"school_census_january_{int(TEMPLATE_YEAR[:4]) + 1}.csv"
    frames["census"] = _frame(census, CENSUS_COLUMNS)
    funding = _frame(DATA_DIR / "funding" / f"sla_funding_{TEMPLATE_YEAR}.csv", FUNDING_COLUMNS)
    # The report's own funding table, flaws and all: its Total row and misspelt district
    # stay as they are for Kent; the national-size case has no county total.
    frames["funding"] = funding
    return frames


# Kent's own lists, read from the project's seeds even where STLS_DBT_DIR names a copy whose
# district list is another (the national size's child process).
KENT_SEEDS = paths.PROJECT_ROOT.joinpath("dbt", "seeds")


def _kent_seed(name: str) -> list[dict[str, str]]:
    with KENT_SEEDS.joinpath(f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def kent_districts() -> list[str]:
    return [row["district_name"] for row in _kent_seed("districts")]


def district_map(count: int) -> dict[str, list[str]]:
    """Each Kent district -> the districts that take its figures (itself, for Kent)."""
    kent = kent_districts()
    if count == len(kent):
        return {name: [name] for name in kent}
    names = synthetic_districts(count)
    spread: dict[str, list[str]] = {name: [] for name in kent}
    for i, name in enumerate(names):
        spread[kent[i % len(kent)]].append(name)
    return spread


def synthetic_districts(count: int) -> list[str]:
    return [f"District {i:04d}" for i in range(1, count + 1)]


def is_kent(spread: dict[str, list[str]]) -> bool:
    """Whether ``spread`` is Kent's own districts (each standing for itself)."""
    return all(others == [kent] for kent, others in spread.items())


def _spread(frame: pl.DataFrame, spread: dict[str, list[str]]) -> pl.DataFrame:
    """The frame with each Kent district's rows copied to every district it stands for."""
    aliases = {row["alias"]: row["district_name"] for row in _kent_seed("district_aliases")}
    named = frame.with_columns(pl.col("district").replace(aliases).alias("kent_district")).filter(
        pl.col("kent_district").is_in(list(spread))
    )
    mapping = pl.DataFrame(
        [(kent, other) for kent, others in spread.items() for other in others],
        schema=["kent_district", "new_district"],
        orient="row",
    )
    return (
        named.join(mapping, on="kent_district")
        .with_columns(pl.col("new_district").alias("district"))
        .drop("kent_district", "new_district")
    )


def _write(frame: pl.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(frame.columns)
        writer.writerows(frame.iter_rows())


def write_history(
    folder: Path, years: int, frames: dict[str, pl.DataFrame], spread: dict[str, list[str]]
) -> None:
    """Every term of ``years`` years but the last (one county-wide file a term), a census
    and a funding file a year. Kent's funding keeps the report's Total row."""
    kent = is_kent(spread)
    for offset in range(years):
        label = year_label(FIRST_YEAR + offset)
        for term in TERMS:
            if offset == years - 1 and term == TERMS[-1]:
                continue
            rows = _spread(frames[f"term{term}"], spread).with_columns(
                pl.lit(label).alias("academic_year")
            )
            _write(rows, folder / "returns" / label / f"returns_{label}_t{term}.csv")
        census = _spread(frames["census"], spread).with_columns(
            pl.lit(str(FIRST_YEAR + offset + 1)).alias("census_year")
        )
        _write(census, folder / "census" / f"census_{FIRST_YEAR + offset + 1}.csv")
        funding = frames["funding"] if kent else _spread(frames["funding"], spread)
        _write(
            funding.with_columns(pl.lit(label).alias("academic_year")),
            folder / "funding" / f"funding_{label}.csv",
        )


def write_term(
    folder: Path, years: int, frames: dict[str, pl.DataFrame], spread: dict[str, list[str]]
) -> Path:
    """The last year's term 6: one file per district for Kent, one county-wide file for the
    national size."""
    label = year_label(FIRST_YEAR + years - 1)
    rows = _spread(frames[f"term{TERMS[-1]}"], spread).with_columns(
        pl.lit(label).alias("academic_year")
    )
    target = folder / "term"
    if not is_kent(spread):
        _write(rows, target / f"returns_{label}_t6.csv")
        return target
    for (district,), part in rows.group_by("district", maintain_order=True):
        name = str(district).lower().replace(" ", "_")
        _write(part, target / f"stls_return_{name}_{label}_t6.csv")
    return target


# ---------------------------------------------------------------- the loads


@contextlib.contextmanager
def clock_after(years: int) -> Iterator[None]:
    """The load's clock set to 1 August after the last year (its terms are all over)."""
    real = store.now_utc
    moment = datetime(FIRST_YEAR + years, 8, 1, 9, 0, 0)
    started = time.monotonic()
    store.now_utc = lambda: moment + timedelta(seconds=time.monotonic() - started)
    try:
        yield
    finally:
        store.now_utc = real


def build(folder: Path, warehouse: Path, years: int) -> float:
    national = DATA_DIR / "national"
    with clock_after(years):
        started = time.perf_counter()
        result = load(
            [folder / "returns", folder / "census", folder / "funding", national],
            warehouse,
            kind="load",
            fresh=True,
            keep_versions=1,
        )
        seconds = time.perf_counter() - started
    if result.rejected or result.audit.count("quarantined"):
        raise SystemExit(f"the {years}-year build did not publish every row ({result.status})")
    return seconds


def term_load(warehouse: Path, term: Path, years: int, runs: int) -> list[float]:
    times = []
    for run in range(runs):
        copy = warehouse.parent / f"run{run}" / warehouse.name
        copy.parent.mkdir()
        shutil.copy2(warehouse, copy)
        # The warehouse's dbt work folder too: a steward's loads re-use its partial parse.
        work = warehouse.with_name(warehouse.name + ".staging.dbt")
        if work.is_dir():
            shutil.copytree(work, copy.with_name(copy.name + ".staging.dbt"))
        with clock_after(years):
            started = time.perf_counter()
            load([term], copy, keep_versions=1)
            times.append(time.perf_counter() - started)
        shutil.rmtree(copy.parent)
    return times


# ---------------------------------------------------------------- the pages


# (ms, function) of every outermost data call since the list was last cleared.
CALLS: list[tuple[float, str]] = []


@functools.cache
def _timed_data_calls() -> list[tuple[float, str]]:
    """Wrap the dashboard's cached data functions (once per process) so each outermost call
    is timed into CALLS. The connection (a cached resource) is opened once per warehouse
    version; its cost lands in the first call that needs it."""
    from streamlit.runtime.caching.cache_utils import CachedFunc

    from warehouse.dashboard import app_data, national_data, outcomes_data, steward_data

    depth = [0]

    def timed(name: str, fn: Callable) -> Callable:
        def wrapper(*args, **kwargs):
            depth[0] += 1
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                depth[0] -= 1
                if depth[0] == 0:
                    CALLS.append(((time.perf_counter() - started) * 1000, name))

        return wrapper

    for module in (app_data, national_data, outcomes_data, steward_data):
        short = module.__name__.rsplit(".", 1)[-1]
        for name, value in list(vars(module).items()):
            if isinstance(value, CachedFunc) and name != "_connection":
                setattr(module, name, timed(f"{short}.{name}", value))
    return CALLS


def page_calls(warehouse: Path, runs: int, timeout: float) -> dict[str, dict[str, object]]:
    """p50 and p95 (ms) of each page's data calls, every call a cache miss. A page whose
    run takes longer than ``timeout`` seconds is reported as timed out."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    calls = _timed_data_calls()
    os.environ["STLS_WAREHOUSE"] = str(warehouse)
    os.environ["STLS_LOCAL_ROLE"] = "data_steward"
    results = {}
    for page in sorted(paths.PROJECT_ROOT.joinpath("pages").glob("*.py")):
        calls.clear()
        started = time.perf_counter()
        try:
            for _ in range(runs):
                st.cache_data.clear()
                at = AppTest.from_file(str(paths.APP), default_timeout=timeout)
                at.switch_page(f"pages/{page.name}")
                at.run()
                if at.exception:
                    raise SystemExit(f"{page.name}: {at.exception[0].value}")
        except RuntimeError as exc:  # AppTest's timeout
            print(f"  {page.stem}: {exc}", file=sys.stderr, flush=True)
            results[page.stem] = {"timed_out_s": timeout, "calls": len(calls)}
            continue
        print(
            f"  {page.stem}: {time.perf_counter() - started:.1f} s for {runs} run(s)",
            file=sys.stderr,
            flush=True,
        )
        ordered = sorted(ms for ms, _ in calls)
        slowest = max(calls, default=(0.0, ""))
        results[page.stem] = {
            "calls": len(ordered) // runs,
            "p50_ms": round(statistics.median(ordered), 1) if ordered else 0.0,
            "p95_ms": round(_quantile(ordered, 0.95), 1) if ordered else 0.0,
            "slowest": f"{slowest[1]} {slowest[0]:.0f} ms",
        }
    return results


def _quantile(ordered: list[float], q: float) -> float:
    """The nearest-rank quantile of sorted values."""
    return ordered[min(len(ordered) - 1, max(0, int(-(-q * len(ordered) // 1)) - 1))]


# ---------------------------------------------------------------- one size


def measure(
    years: int, districts: int, runs: int, page_runs: int, timeout: float
) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix=f"stls-scale-{years}y-"))
    try:
        frames = template()
        spread = district_map(districts)
        write_history(work / "files", years, frames, spread)
        term = write_term(work / "files", years, frames, spread)
        warehouse = work / "stls.duckdb"
        build_s = build(work / "files", warehouse, years)
        size = warehouse.stat().st_size
        print(f"  built in {build_s:.1f} s", file=sys.stderr, flush=True)
        loads = term_load(warehouse, term, years, runs)
        print(f"  term loads {loads}", file=sys.stderr, flush=True)
        pages = page_calls(warehouse, page_runs, timeout) if page_runs else {}
        return {
            "years": years,
            "districts": districts,
            "first_year": year_label(FIRST_YEAR),
            "last_year": year_label(FIRST_YEAR + years - 1),
            "build_s": round(build_s, 2),
            "file_mib": round(size / 2**20, 1),
            "term_load_s": round(statistics.median(loads), 2),
            "term_loads_s": [round(t, 2) for t in loads],
            "pages": pages,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def national_size(runs: int, page_runs: int, timeout: float) -> dict[str, object]:
    """One year of ~1,500 districts, in a child process whose dbt project lists them."""
    work = Path(tempfile.mkdtemp(prefix="stls-scale-dbt-"))
    try:
        project = work / "dbt"
        shutil.copytree(
            paths.DBT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "*.duckdb")
        )
        kent = _kent_seed("districts")
        # No aliases: they name Kent's districts, which this copy does not list.
        (project / "seeds" / "district_aliases.csv").write_text(
            "alias,district_name\n", encoding="utf-8"
        )
        with (project / "seeds" / "districts.csv").open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(kent[0]))
            writer.writeheader()
            for i, name in enumerate(synthetic_districts(NATIONAL_SIZE)):
                base = kent[i % len(kent)]
                writer.writerow({**base, "district_name": name, "ons_code": f"E0{i + 1:07d}"})
        out = work / "national.json"
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--one",
            "1",
            "--districts",
            str(NATIONAL_SIZE),
            "--runs",
            str(runs),
            "--page-runs",
            str(page_runs),
            "--page-timeout",
            str(timeout),
            "--json",
            str(out),
        ]
        env = {**os.environ, "STLS_DBT_DIR": str(project)}
        done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True)
        if done.returncode != 0:
            raise SystemExit(f"the national-size run failed (exit {done.returncode})")
        return json.loads(out.read_text())
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------- the report


def table(results: list[dict[str, object]]) -> str:
    pages = sorted({p for r in results for p in r["pages"]})
    head = ["years", "districts", "file MiB", "build s", "term load s"]
    lines = [
        "| " + " | ".join(head + [f"{p} p50/p95 ms" for p in pages]) + " |",
        "|" + "---|" * (len(head) + len(pages)),
    ]
    for r in results:
        cells = [
            str(r["years"]),
            f"{r['districts']:,}",
            f"{r['file_mib']:.1f}",
            f"{r['build_s']:.1f}",
            f"{r['term_load_s']:.2f}",
        ]
        for p in pages:
            got = r["pages"].get(p)
            if not got:
                cells.append("-")
            elif "timed_out_s" in got:
                cells.append(f"over {got['timed_out_s']:.0f} s")
            else:
                cells.append(f"{got['p50_ms']:.0f} / {got['p95_ms']:.0f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def misses(results: list[dict[str, object]]) -> list[str]:
    kent = {r["years"]: r for r in results if r["districts"] == len(kent_districts())}
    found = []
    if 1 in kent and 20 in kent:
        ratio = kent[20]["term_load_s"] / kent[1]["term_load_s"]
        if ratio > LOAD_RATIO_TARGET:
            found.append(f"a term's load at 20 years is {ratio:.2f}x the 1-year load")
    for page, got in kent.get(20, {}).get("pages", {}).items():
        if "timed_out_s" in got:
            found.append(f"{page}: timed out at 20 years")
        elif got["p95_ms"] > PAGE_P95_TARGET_MS:
            found.append(f"{page}: data calls p95 {got['p95_ms']:.0f} ms at 20 years")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", default=",".join(map(str, SIZES)))
    parser.add_argument("--runs", type=int, default=3, help="term loads per size")
    parser.add_argument("--page-runs", type=int, default=3, help="runs of each page")
    parser.add_argument("--page-timeout", type=float, default=120.0, help="seconds a page may take")
    parser.add_argument("--no-national-size", action="store_true")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--districts", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, default=Path("bench_scale.json"))
    args = parser.parse_args(argv)

    if args.one:  # one size, in this process (the national size's child process)
        districts = args.districts or len(kent_districts())
        result = measure(args.one, districts, args.runs, args.page_runs, args.page_timeout)
        args.json.write_text(json.dumps(result, indent=2))
        return 0

    results = []
    kent = len(kent_districts())
    for years in (int(y) for y in args.years.split(",") if y.strip()):
        print(
            f"{years} year(s) of {contracts.COUNTY}'s {kent} districts ...",
            file=sys.stderr,
            flush=True,
        )
        results.append(measure(years, kent, args.runs, args.page_runs, args.page_timeout))
    if not args.no_national_size:
        print(f"1 year of {NATIONAL_SIZE:,} districts ...", file=sys.stderr, flush=True)
        results.append(national_size(args.runs, args.page_runs, args.page_timeout))
    args.json.write_text(json.dumps(results, indent=2))
    print(table(results))
    found = misses(results)
    for line in found:
        print(f"MISSED: {line}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
