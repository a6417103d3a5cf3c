"""The ``stls`` command: argument parsing and exit codes over the library.

Every failure prints one line on stderr saying what went wrong and where, never a
traceback (set STLS_DEBUG=1 to see one), and exits non-zero. Everything printed goes
through ``say``: text from files never reaches the terminal with its control characters.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar, TextIO

from warehouse.core import contracts, paths
from warehouse.core.errors import StlsError, UsageError, first_line
from warehouse.core.paths import resolve_warehouse
from warehouse.core.safe_text import terminal_text
from warehouse.reporting import render

EXIT_OK, EXIT_HELD, EXIT_CANNOT_RUN = 0, 1, 2


def parse_terms(text: str) -> tuple[int, ...]:
    """``--terms`` in the one term grammar (``contracts.parse_terms``)."""
    try:
        return contracts.parse_terms(text)
    except ValueError as exc:
        raise UsageError(f"--terms {exc}") from None


def parse_year(text: str) -> str:
    result = contracts.normalise_academic_year(text)
    if result.error:
        raise UsageError(f"--year: {result.error}")
    return result.value


def parse_districts(names: Sequence[str] | None) -> tuple[str, ...]:
    chosen = []
    for name in names or ():
        result = contracts.normalise_district(name)
        if result.error:
            known = ", ".join(contracts.district_names())
            raise UsageError(f"--district: {result.error} (districts: {known})")
        chosen.append(result.value)
    return tuple(dict.fromkeys(chosen))


def say(text: str, file: TextIO | None = None) -> None:
    """Print what the command laid out. Its pieces from files were made visible where they
    were put in (``safe_text.terminal_text``); this is the net under them: no control
    character but the line breaks the command wrote reaches the terminal."""
    print(terminal_text(text, keep_newlines=True), end="", file=file or sys.stdout)


def _print_load(result, fmt: str, warehouse: Path) -> int:
    from warehouse.publish import connect, reviews
    from warehouse.quality import dq

    con = connect.connect(warehouse)
    try:
        summary = dq.load_result(con.cursor(), result.load_id, reviews=reviews.read(warehouse))
    finally:
        con.close()
    say(dq.render_json(summary) if fmt == "json" else dq.render_text(summary))
    return result.exit_code


def cmd_load(args: argparse.Namespace) -> int:
    from warehouse.publish.load import load

    warehouse = resolve_warehouse(args.warehouse)
    result = load(args.paths, warehouse)
    return _print_load(result, args.format, warehouse)


def cmd_demo(args: argparse.Namespace) -> int:
    from warehouse.demo import children
    from warehouse.publish.load import load

    warehouse = resolve_warehouse(args.warehouse)
    try:
        scale = children.scale_from(args.children)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    with children.demo_paths(scale) as demo_paths:
        result = load(demo_paths, warehouse, kind="demo", fresh=True)
    _print_load(result, args.format, warehouse)
    if args.format == "text":
        say(planted_text(result))
    say(f"Demo warehouse built at {warehouse} (illustrative data).\n", file=sys.stderr)
    return EXIT_OK


def planted_text(result) -> str:
    """What ``stls demo`` says about its warnings: each one the demo data carries on purpose
    (``warehouse.demo.DEMO_WARNINGS``), why, and how many this load found."""
    from warehouse.demo import DEMO_WARNINGS

    found: dict[tuple[str, str], int] = {}
    for check in result.audit.checks:
        found[(check.suite, check.name)] = check.failing_count
    out = [
        "",
        "The demo data carries these faults on purpose, to show the checks at work; they are "
        "not mistakes of the load:",
    ]
    for (suite, check), (expected, why) in DEMO_WARNINGS.items():
        got = found.get((suite, check), 0)
        note = "" if got == expected else f" (this load found {got}, the demo plants {expected})"
        out.append(f"  {suite}.{check}, {expected} time(s): {why}{note}")
    unplanned = sorted(k for k, n in found.items() if n and k not in DEMO_WARNINGS)
    if unplanned:
        out.append("Not planted, so worth a look: " + ", ".join(f"{s}.{c}" for s, c in unplanned))
    return "\n".join(out) + "\n"


def parse_district(name: str) -> str:
    """``--district`` for one district, with a "did you mean" for a near miss."""
    from warehouse.core import spelling

    result = contracts.normalise_district(name)
    if result.error:
        guess = spelling.did_you_mean(spelling.DISTRICT, name)
        hint = f"; did you mean {guess}?" if guess else ""
        known = ", ".join(contracts.district_names())
        raise UsageError(f"--district: {result.error}{hint} (districts: {known})")
    return result.value


def cmd_dq(args: argparse.Namespace) -> int:
    from warehouse.publish import connect, reviews
    from warehouse.quality import dq

    if getattr(args, "dq_command", None) == "pack":
        return cmd_dq_pack(args)
    warehouse = resolve_warehouse(args.warehouse)
    district = parse_district(args.district) if args.district else None
    con = connect.connect(warehouse)
    try:
        result = dq.load_result(
            con.cursor(), args.load, reviews=reviews.read(warehouse), district=district
        )
    except dq.NoSuchLoad as exc:
        raise UsageError(str(exc)) from None
    finally:
        con.close()
    say(dq.render_json(result) if args.format == "json" else dq.render_text(result))
    return EXIT_OK


def cmd_dq_pack(args: argparse.Namespace) -> int:
    from warehouse.publish import connect, reviews
    from warehouse.quality import dq, packs

    warehouse = resolve_warehouse(args.warehouse)
    output = Path(args.output)
    if output.exists() and not output.is_dir():
        raise UsageError(f"--output {output}: is a file; name a folder for the workbooks")
    con = connect.connect(warehouse)
    try:
        written = packs.write_packs(
            con.cursor(),
            args.load,
            output,
            deadline=args.deadline,
            reviews=reviews.read(warehouse),
        )
    except dq.NoSuchLoad as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"--output {output}: cannot write there: {exc.strerror or exc}") from None
    finally:
        con.close()
    if not written:
        say("Nothing to send: no district has a held or failing submission in this load.\n")
    for recipient, path in written.items():
        say(f"wrote {terminal_text(path)} (for {terminal_text(recipient)})\n")
    return EXIT_OK


def _committee_selection(args: argparse.Namespace):
    """The committee's selection from ``--year``, ``--terms`` and ``--district``."""
    from warehouse.reporting import committee

    return committee.Selection(
        academic_year=parse_year(args.year),
        terms=parse_terms(args.terms),
        districts=parse_districts(args.district),
    )


def _check_year_published(cur, year: str) -> None:
    """A usage error naming the years there are, unless ``year`` has published returns."""
    from warehouse.reporting import committee

    years = committee.available_years(cur)
    if year not in years:
        listed = ", ".join(years) or "none"
        raise UsageError(f"--year {year}: no published termly returns (years available: {listed})")


def cmd_report_tables(args: argparse.Namespace) -> int:
    from warehouse.publish import connect
    from warehouse.reporting import committee

    selection = _committee_selection(args)
    year = selection.academic_year
    con = connect.connect(resolve_warehouse(args.warehouse))
    try:
        cur = con.cursor()
        _check_year_published(cur, year)
        tables = committee.committee_tables(cur, selection)
    finally:
        con.close()
    if args.format == "xlsx":
        output = Path(args.output or f"stls_committee_tables_{year}.xlsx")
        render.write_xlsx(tables, output)
        say(f"wrote {output}\n", file=sys.stderr)
        return EXIT_OK
    text = render.render(tables, args.format)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        say(f"wrote {args.output}\n", file=sys.stderr)
    else:
        say(text)
    return EXIT_OK


def cmd_report_benchmarks(args: argparse.Namespace) -> int:
    from warehouse.publish import connect
    from warehouse.reporting import benchmarks

    con = connect.connect(resolve_warehouse(args.warehouse))
    try:
        la = args.la or benchmarks.home_authority()
        result = benchmarks.benchmark(con.cursor(), la, args.indicator, args.year)
    finally:
        con.close()
    say(benchmarks.render(result, args.format))
    return EXIT_OK


def cmd_report_pack(args: argparse.Namespace) -> int:
    from warehouse.dashboard import pack
    from warehouse.publish import connect

    selection = _committee_selection(args)
    year = selection.academic_year
    output = Path(args.output)
    fmt = args.format or ("html" if output.suffix.lower() in (".html", ".htm") else "pdf")
    if not output.parent.is_dir():
        raise UsageError(f"--output {output}: the folder {output.parent} does not exist")
    warehouse = resolve_warehouse(args.warehouse)
    con = connect.connect(warehouse)
    try:
        cur = con.cursor()
        _check_year_published(cur, year)
        data = pack.gather(cur, warehouse, selection, args.phase)
    finally:
        con.close()
    output.write_bytes(pack.build(data, fmt))
    say(f"wrote {output}\n", file=sys.stderr)
    return EXIT_OK


def cmd_report_outcomes(args: argparse.Namespace) -> int:
    from warehouse.publish import connect
    from warehouse.reporting import outcomes

    year = parse_year(args.closed_year)
    con = connect.connect(resolve_warehouse(args.warehouse))
    try:
        cur = con.cursor()
        years = outcomes.closed_years(cur)
        if year not in years:
            listed = ", ".join(years) or "none"
            raise UsageError(
                f"--closed-year {year}: no published caseload episodes closed that year "
                f"(years available: {listed})"
            )
        if args.format == "json":
            text = outcomes.render_json(outcomes.outcomes(cur, year))
        else:
            text = outcomes.render_text(cur, year)
    finally:
        con.close()
    say(text)
    return EXIT_OK


def cmd_rollback(args: argparse.Namespace) -> int:
    from warehouse.publish import versions

    warehouse = resolve_warehouse(args.warehouse)
    if args.list:
        text = versions.render_list(warehouse, args.format)
    else:
        text = versions.render_rollback(versions.rollback(warehouse, args.to), args.format)
    say(text)
    return EXIT_OK


def cmd_dashboard(args: argparse.Namespace) -> int:
    import subprocess

    warehouse = resolve_warehouse(args.warehouse)
    from warehouse.publish import connect

    connect.connect(warehouse).close()  # fail early, with one line, if there is no warehouse
    app = paths.APP
    env = dict(os.environ, STLS_WAREHOUSE=str(warehouse))
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.port",
        str(args.port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    try:
        return subprocess.call(command, env=env, cwd=paths.PROJECT_ROOT)
    except KeyboardInterrupt:
        return EXIT_OK


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line (and a pointer to --help), exit 2."""

    # The command line being parsed (set by ``main``), for the hint below.
    arguments: ClassVar[list[str]] = []

    def error(self, message: str) -> None:  # type: ignore[override]
        message = terminal_text(message)
        dashed = [a for a in _Parser.arguments if a.startswith("-") and Path(a).is_file()]
        if dashed:  # "stls load -thanet.csv": the file name reads as an option
            named = " ".join(dashed)
            message += (
                f"; {terminal_text(named)} is a file whose name starts with '-', which reads as "
                f"an option: put '--' before the paths ({self.prog} -- {terminal_text(named)})"
            )
        self.exit(EXIT_CANNOT_RUN, f"{self.prog}: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="stls",
        description="STLS Insight: load termly returns, census and funding files into the "
        "warehouse, check them, and report the committee tables.",
    )
    parser.add_argument(
        "--warehouse",
        metavar="PATH",
        help="the DuckDB warehouse file (default: $STLS_WAREHOUSE, else warehouse/stls.duckdb)",
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    demo = sub.add_parser(
        "demo", help="build the warehouse from the bundled demo data (replacing it)"
    )
    demo.add_argument("--format", choices=("text", "json"), default="text")
    demo.add_argument(
        "--children",
        choices=("full", "small", "none"),
        help="size of the illustrative child-level data (default: $STLS_DEMO_CHILDREN, "
        "else full: 250,000 pupils a census, five censuses)",
    )
    demo.set_defaults(func=cmd_demo)

    load = sub.add_parser(
        "load",
        help="load one term's files and folders: validate, quarantine, transform, publish",
        description="Exit 0: published, at most warnings; 1: something was held back or "
        "rejected; 2: could not run.",
    )
    load.add_argument("paths", nargs="+", metavar="PATH")
    load.add_argument("--format", choices=("text", "json"), default="text")
    load.set_defaults(func=cmd_load)

    dq = sub.add_parser(
        "dq",
        help="the data-quality result of the latest load (or one given)",
        description="Without a command: the load's result, with every failing row grouped by "
        "district and file and what to change. 'stls dq pack --output DIR': a correction "
        "workbook per district with something to correct.",
    )
    dq.add_argument("--load", metavar="ID")
    dq.add_argument("--format", choices=("text", "json"), default="text")
    dq.add_argument("--district", metavar="NAME", help="only the rows this district must correct")
    dq.set_defaults(func=cmd_dq)
    dq_sub = dq.add_subparsers(dest="dq_command", metavar="pack", parser_class=_Parser)
    pack = dq_sub.add_parser(
        "pack",
        help="one correction workbook per district with a held or failing submission",
    )
    pack.add_argument("--output", required=True, metavar="DIR", help="the folder to write to")
    pack.add_argument(
        "--load", metavar="ID", default=argparse.SUPPRESS, help="the load (default: the latest)"
    )
    pack.add_argument(
        "--deadline",
        metavar="TEXT",
        help="the deadline line of every pack (default: $STLS_CORRECTION_DEADLINE)",
    )
    pack.set_defaults(func=cmd_dq)

    report = sub.add_parser("report", help="committee reports")
    report_sub = report.add_subparsers(
        dest="report", required=True, metavar="REPORT", parser_class=_Parser
    )
    tables = report_sub.add_parser("tables", help="the committee tables (Tables 1-7 and more)")
    tables.add_argument("--year", required=True, help="academic year, e.g. 2023-24")
    tables.add_argument("--terms", default="1-6", help="terms, e.g. 1-4 or 1,2,3 (default 1-6)")
    tables.add_argument(
        "--district", nargs="+", action="extend", metavar="NAME", help="only these districts"
    )
    tables.add_argument("--format", choices=render.FORMATS, default="text")
    tables.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")
    tables.set_defaults(func=cmd_report_tables)
    bench = report_sub.add_parser(
        "benchmarks",
        help="one local authority against its statistical neighbours, region and England "
        "on one DfE indicator (Source 4)",
    )
    bench.add_argument(
        "--la",
        metavar="NAME",
        help="the local authority, by name or DfE number (default: $STLS_HOME_AUTHORITY, "
        f"else {contracts.COUNTY})",
    )
    bench.add_argument("--indicator", required=True, metavar="CODE", help="DfE's code")
    bench.add_argument("--year", metavar="YEAR", help="as published (default: the latest)")
    bench.add_argument("--format", choices=("text", "json", "csv"), default="text")
    bench.set_defaults(func=cmd_report_benchmarks)

    pack = report_sub.add_parser(
        "pack",
        help="the committee pack (PDF or HTML, A4): tables, key charts, what changed, notes",
        description="Charts are drawn and the PDF printed by the machine's Chromium "
        "(/usr/bin/chromium, or $STLS_CHROMIUM), offline.",
    )
    pack.add_argument("--year", required=True, help="academic year, e.g. 2023-24")
    pack.add_argument("--terms", default="1-6", help="terms, e.g. 1-4 or 1,2,3 (default 1-6)")
    pack.add_argument(
        "--district", nargs="+", action="extend", metavar="NAME", help="only these districts"
    )
    pack.add_argument(
        "--phase",
        choices=("all", *contracts.CENSUS_PHASES),
        default="all",
        help="the phase whose figures the sentences and charts cover (default all)",
    )
    pack.add_argument(
        "--format", choices=("pdf", "html"), help="default: from --output's suffix, else pdf"
    )
    pack.add_argument("--output", required=True, metavar="FILE", help="the file to write")
    pack.set_defaults(func=cmd_report_pack)

    report_outcomes = report_sub.add_parser(
        "outcomes",
        help="escalation to an EHC plan after support, beside the comparison group",
        description="JSON is unsuppressed, for data stewards; text shows counts of 1 to 4 as [c].",
    )
    report_outcomes.add_argument(
        "--closed-year", required=True, help="academic year the episodes closed in, e.g. 2022-23"
    )
    report_outcomes.add_argument("--format", choices=("text", "json"), default="text")
    report_outcomes.set_defaults(func=cmd_report_outcomes)

    rollback = sub.add_parser(
        "rollback",
        help="make an earlier published version of the warehouse live again",
        description="Without options, restores the version published before the live one. "
        "The version that was live is kept, so 'stls rollback --to' it undoes the rollback. "
        "Versions kept: $STLS_KEEP_VERSIONS (default 5).",
    )
    which = rollback.add_mutually_exclusive_group()
    which.add_argument("--to", metavar="VERSION", help="a version id, or the load id that made it")
    which.add_argument("--list", action="store_true", help="list the versions kept")
    rollback.add_argument("--format", choices=("text", "json"), default="text")
    rollback.set_defaults(func=cmd_rollback)

    dashboard = sub.add_parser("dashboard", help="serve the Streamlit dashboard")
    dashboard.add_argument("--port", type=int, default=8501)
    dashboard.set_defaults(func=cmd_dashboard)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    _Parser.arguments = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except StlsError as exc:
        say(f"stls {args.command}: {terminal_text(str(exc))}\n", file=sys.stderr)
        return EXIT_CANNOT_RUN
    except KeyboardInterrupt:
        print(f"stls {args.command}: interrupted", file=sys.stderr)
        return EXIT_CANNOT_RUN
    except Exception as exc:
        if os.environ.get("STLS_DEBUG"):
            raise
        first = first_line(exc)
        say(
            f"stls {args.command}: unexpected {type(exc).__name__}: {terminal_text(first)} "
            "(set STLS_DEBUG=1 for details)\n",
            file=sys.stderr,
        )
        return EXIT_CANNOT_RUN


def run() -> None:
    """The ``stls`` command (and ``python -m warehouse.cli``): ``main``, then exit.

    Before exiting, every object is frozen out of the garbage collector's reach: the
    interpreter's last collection would otherwise walk all that the run imported, which
    after a load (Great Expectations, pandas, polars) took 0.7-0.8 s of nothing on this
    machine. Memory is the operating system's to free; every file is closed and the output
    flushed first. Only here, never in ``main``, which tests call in their own process."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to flush to
            stream.flush()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    run()
