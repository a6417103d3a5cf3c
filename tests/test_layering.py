"""The package follows the data's flow: one folder per stage, imports only pointing down it.

    core  <-  ingest  <-  quality  <-  publish  <-  reporting  <-  dashboard
                                                       ^               ^
                                   cli.py, demo/ (entry points: may use any stage)

A module may import its own stage or an earlier one, never a later one; there is no
import cycle between modules; Streamlit is imported only under dashboard/ (and by app.py
and pages/). These tests read every module's imports with ``ast``, so they need nothing
installed and run in milliseconds.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "warehouse"
STAGES = ("core", "ingest", "quality", "publish", "reporting", "dashboard")
ENTRY = "entry"  # warehouse/cli.py, warehouse/demo/: may import any stage


def stage_of(module: str) -> str:
    """``warehouse.quality.audit`` -> "quality"; the package itself -> "core"."""
    parts = module.split(".")
    if len(parts) == 1:
        return "core"
    return parts[1] if parts[1] in STAGES else ENTRY


def rank(stage: str) -> int:
    return len(STAGES) if stage == ENTRY else STAGES.index(stage)


def modules(root: Path) -> dict[str, Path]:
    found = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports_of(module: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``module`` imports (``from x import y`` counts ``x.y``
    when that is a module, else ``x``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{a.name}" for a in node.names] + [base]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                out.add(name)
    return out


def graph(root: Path) -> dict[str, set[str]]:
    found = modules(root)
    known = set(found)
    return {m: imports_of(m, p, known) for m, p in found.items()}


def upward_imports(root: Path) -> list[str]:
    problems = []
    for module, targets in graph(root).items():
        for target in targets:
            if target == PACKAGE or target.startswith(module + "."):
                continue  # a package's __init__ re-exporting its own modules
            if rank(stage_of(target)) > rank(stage_of(module)):
                problems.append(
                    f"{module} ({stage_of(module)}) imports {target} ({stage_of(target)})"
                )
    return sorted(problems)


def cycles(root: Path) -> list[list[str]]:
    """Every cycle of module imports (one per strongly connected component)."""
    edges = graph(root)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_every_module_belongs_to_a_stage():
    for module in modules(ROOT):
        assert stage_of(module) in (*STAGES, ENTRY), module
    top_level = {p.name for p in (ROOT / PACKAGE).iterdir() if not p.name.startswith((".", "_"))}
    assert top_level <= {*STAGES, "cli.py", "demo", "__pycache__"}, top_level


def test_imports_only_point_down_the_flow():
    assert upward_imports(ROOT) == []


def test_no_import_cycles():
    assert cycles(ROOT) == []


def test_streamlit_is_imported_only_by_the_dashboard():
    for module, path in modules(ROOT).items():
        if stage_of(module) == "dashboard":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n.split(".")[0] == "streamlit" for n in names), module


@pytest.fixture
def copy_of_package(tmp_path) -> Path:
    shutil.copytree(ROOT / PACKAGE, tmp_path / PACKAGE, ignore=shutil.ignore_patterns("data"))
    return tmp_path


def test_the_checks_catch_an_upward_import_and_a_cycle(copy_of_package):
    root = copy_of_package
    core = root / PACKAGE / "core"
    first = sorted(p for p in core.glob("*.py") if p.name != "__init__.py")[0]
    module = f"{PACKAGE}.core.{first.stem}"
    first.write_text(
        first.read_text(encoding="utf-8") + "\nfrom warehouse.dashboard import ui  # noqa\n",
        encoding="utf-8",
    )
    assert any(
        p.startswith(f"{module} (core) imports warehouse.dashboard") for p in upward_imports(root)
    )
    (core / "loop_a.py").write_text("from warehouse.core import loop_b\n", encoding="utf-8")
    (core / "loop_b.py").write_text("from warehouse.core import loop_a\n", encoding="utf-8")
    assert ["warehouse.core.loop_a", "warehouse.core.loop_b"] in cycles(root)


def test_no_module_is_longer_than_600_lines():
    long = {
        module: n
        for module, path in modules(ROOT).items()
        if stage_of(module) != ENTRY
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert long == {}


# ---------------------------------------------------------------- pages lay out, nothing more

# A page file calls Streamlit and the dashboard package; what it shows (tables, units,
# comparisons, suppression, the rules of what to draw) is worked out in the page's module in
# warehouse/dashboard/, where it can be read and tested without running a page.
PAGE_FORBIDDEN_IMPORTS = frozenset({"pandas", "numpy", "polars", "plotly", "duckdb"})
PAGE_FORBIDDEN_OPERATORS = (ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)
PAGE_FORBIDDEN_COMPARISONS = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
FRAME_METHODS = frozenset(
    {
        *("merge", "join", "pivot", "pivot_table", "melt", "concat", "groupby", "assign"),
        *("rename", "sort_values", "reindex", "loc", "iloc", "at", "iat", "apply", "map"),
        *("astype", "copy", "set_index", "reset_index", "drop", "dropna", "fillna", "query"),
        *("isna", "notna", "isnull", "notnull", "unique", "nunique", "to_numpy", "values"),
        *("sum", "mean", "median", "cumsum", "diff", "pct_change", "round", "where", "mask"),
    }
)


def page_shaping(path: Path) -> list[str]:
    """Where a page file works out figures or tables instead of laying them out."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        where = f"{path.name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            found += [
                f"{where}: imports {n}" for n in names if n.split(".")[0] in PAGE_FORBIDDEN_IMPORTS
            ]
        elif isinstance(node, ast.BinOp | ast.AugAssign) and isinstance(
            node.op, PAGE_FORBIDDEN_OPERATORS
        ):
            found.append(f"{where}: arithmetic: {ast.unparse(node)}")
        elif isinstance(node, ast.Compare) and any(
            isinstance(op, PAGE_FORBIDDEN_COMPARISONS) for op in node.ops
        ):
            found.append(f"{where}: compares: {ast.unparse(node)}")
        elif isinstance(node, ast.Attribute) and node.attr in FRAME_METHODS:
            found.append(f"{where}: shapes a table: {ast.unparse(node)}")
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Compare):
            found.append(f"{where}: filters a table: {ast.unparse(node)}")
    return found


def test_pages_only_lay_out():
    pages = sorted((ROOT / "pages").glob("*.py"))
    assert pages
    offending = [problem for page in pages for problem in page_shaping(page)]
    assert offending == [], "work it out in warehouse/dashboard/:\n" + "\n".join(offending)


def test_the_page_check_catches_shaping(tmp_path):
    page = tmp_path / "page.py"
    page.write_text(
        "import pandas as pd\n"
        "share = caseload * 100\n"
        "label = 'Below' if value < county else 'At or above'\n"
        "table = frame.merge(other, on='District')\n"
        "rows = frame[frame['district'] != comparator]\n"
        "st.header(f'{name} against ' + comparator)\n",
        encoding="utf-8",
    )
    assert sorted(p.split(": ")[1] for p in page_shaping(page)) == [
        "arithmetic",
        "compares",
        "filters a table",
        "imports pandas",
        "shapes a table",
    ]
