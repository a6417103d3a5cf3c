"""MetricFlow's metrics on the figure mart give the committee tables' figures.

The demo warehouse, a copy of the dbt project, the real `dbt parse` and the real `mf query`
(dbt-metricflow) against the warehouse; the same selection through the real
`stls report tables --format json`. Each figure is read from the metric its
dim_figure.method names (rate -> figure_rate_pct, ratio -> figure_ratio,
average_per_term -> figure_average_per_term); figures shown per district are compared per
district and for the districts together.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

pytestmark = pytest.mark.dbt

ROOT = Path(__file__).resolve().parents[2]
METRIC = {
    "rate": "figure_rate_pct",
    "ratio": "figure_ratio",
    "average_per_term": "figure_average_per_term",
}
DIM = "figure_district_term__"


def tool(name: str) -> str:
    """A command of the interpreter's venv (dbt, mf, stls), else from PATH."""
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found, f"no {name} command next to the interpreter or on PATH"
    return found


@pytest.fixture(scope="module")
def project(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A copy of dbt/ parsed with `dbt parse` (mf reads <project>/target/semantic_manifest.json)
    and a copy of the demo warehouse for mf and stls to read."""
    tmp = tmp_path_factory.mktemp("metricflow")
    project_dir = tmp / "dbt"
    shutil.copytree(ROOT / "dbt", project_dir, ignore=shutil.ignore_patterns("target", "logs"))
    warehouse = tmp / "stls.duckdb"
    shutil.copy(demo_warehouse, warehouse)
    env = {
        **os.environ,
        "STLS_WAREHOUSE": str(warehouse),
        "HOME": str(tmp),
        "DO_NOT_TRACK": "1",
    }
    env.pop("DBT_PROFILES_DIR", None)
    env.pop("DBT_PROJECT_DIR", None)
    parsed = subprocess.run(
        [tool("dbt"), "parse", "--no-use-colors"],
        cwd=project_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert parsed.returncode == 0, parsed.stdout[-3000:] + parsed.stderr[-3000:]
    assert (project_dir / "target" / "semantic_manifest.json").is_file()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        catalogue = {
            key: (method, shown_by)
            for key, method, shown_by in con.execute(
                "select figure_key, method, shown_by from marts.dim_figure"
            ).fetchall()
        }
    return {"dir": project_dir, "env": env, "warehouse": warehouse, "catalogue": catalogue}


def mf_query(project: dict[str, Any], group_by: list[str], where: list[str]) -> list[dict]:
    out = project["dir"] / "mf_out.csv"
    out.unlink(missing_ok=True)
    args = [tool("mf"), "query", "--quiet", "--metrics", ",".join(METRIC.values())]
    args += ["--group-by", ",".join(DIM + name for name in group_by)]
    for condition in where:
        args += ["--where", condition]
    args += ["--csv", str(out)]
    result = subprocess.run(
        args, cwd=project["dir"], env=project["env"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0 and out.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows, "mf query returned no rows"
    return [{key.removeprefix(DIM): value for key, value in row.items()} for row in rows]


def report_json(project: dict[str, Any], year: str, terms: str, districts: list[str]) -> dict:
    args = [tool("stls"), "--warehouse", str(project["warehouse"]), "report", "tables"]
    args += ["--year", year, "--terms", terms, "--format", "json"]
    if districts:
        args += ["--district", *districts]
    result = subprocess.run(args, env=project["env"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads(result.stdout)


def dimension(name: str) -> str:
    return "{{ Dimension('" + DIM + name + "') }}"


def number(text: str) -> float | None:
    return float(text) if text not in ("", None) else None


@pytest.mark.parametrize(
    ("year", "terms", "term_list", "districts"),
    [
        ("2023-24", "1-4", (1, 2, 3, 4), []),
        ("2022-23", "2,3", (2, 3), ["Dover", "Thanet"]),
    ],
)
def test_mf_query_gives_the_committee_tables_figures(
    project: dict[str, Any],
    year: str,
    terms: str,
    term_list: tuple[int, ...],
    districts: list[str],
) -> None:
    term = dimension("term_number")
    where = [
        f"{dimension('academic_year')} = '{year}'",
        f"({term} in ({', '.join(map(str, term_list))}) or {term} is null)",
    ]
    if districts:
        names = ", ".join(f"'{d}'" for d in districts)
        where.append(f"{dimension('district_name')} in ({names})")
    pooled = {
        (r["figure_key"], r["breakdown"]): r
        for r in mf_query(project, ["figure_key", "breakdown"], where)
    }
    per_district = {
        (r["figure_key"], r["district_name"]): r
        for r in mf_query(project, ["figure_key", "breakdown", "district_name"], where)
    }
    tables = report_json(project, year, terms, districts)

    compared = 0
    for key, (method, shown_by) in project["catalogue"].items():
        if key not in tables:
            continue  # not in the committee tables
        metric = METRIC[method]
        for label, expected in tables[key].items():
            if shown_by == "district" and label in tables["districts"]:
                row = per_district.get((key, label))
            elif shown_by == "district":  # Kent, or the selected districts together
                row = pooled.get((key, "all"))
            else:
                row = pooled.get((key, label))
            got = number(row[metric]) if row else None
            if expected is None:
                assert got is None, (key, label, got)
            else:
                assert got == pytest.approx(expected, rel=1e-9), (key, label, got, expected)
            compared += 1
    assert compared >= 40, compared
