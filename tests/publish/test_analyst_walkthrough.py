"""dbt/README.md's walk-through, done as an analyst would, on a copy of the dbt project:

1. add a figure: one row in seeds/figures.csv (no new measure needed);
2. drop a new model into models/ that refs dim_district;
3. `stls demo` builds both, and `stls report tables --format json` shows the new figure.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys

import duckdb
import pytest

from warehouse.core import paths

pytestmark = pytest.mark.dbt

NEW_FIGURE = {
    "figure_key": "allocated_avg",
    "sort_order": "21",
    "label": "Children allocated a specialist teacher, average per term",
    "short_label": "Allocated, average per term",
    "report_table": "",
    "in_committee_tables": "true",
    "unit": "pupils",
    "decimals": "0",
    "method": "average_per_term",
    "breakdowns": "early_years|school_age",
    "shown_by": "breakdown",
    "numerator": "children_allocated_specialist_teacher",
    "denominator": "",
    "direction": "none",
    "child_counts": "count",
    "definition": "Children presented at LIFT who were allocated a specialist teacher, "
    "summed over the districts and averaged over the terms with a published return.",
}

NEW_MODEL = """\
-- An analyst's model: each district with its area, from the star schema.
select district_name, area
from {{ ref('dim_district') }}
"""


def stls(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "warehouse.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_a_new_figure_and_a_new_model_reach_the_report(tmp_path):
    project = tmp_path / "dbt"
    shutil.copytree(
        paths.DBT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "*.duckdb")
    )
    catalogue = project / "seeds" / "figures.csv"
    with catalogue.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert set(header) == set(NEW_FIGURE), "the walk-through's row must fill every column"
    with catalogue.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=header, lineterminator="\n").writerow(NEW_FIGURE)
    (project / "models" / "district_areas.sql").write_text(NEW_MODEL, encoding="utf-8")

    warehouse = tmp_path / "stls.duckdb"
    env = {**os.environ, "STLS_DBT_DIR": str(project), "STLS_WAREHOUSE": str(warehouse)}
    built = stls("demo", env=env)
    assert built.returncode == 0, built.stderr
    report = stls(
        "report", "tables", "--year", "2023-24", "--terms", "1-4", "--format", "json", env=env
    )
    assert report.returncode == 0, report.stderr
    tables = json.loads(report.stdout)

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        expected = dict(
            con.execute(
                """
                select p.phase_code, sum(f.value) / 4
                from marts.fct_termly_return f
                join marts.dim_measure m using (measure_sk)
                join marts.dim_phase p using (phase_sk)
                join marts.dim_term t using (term_sk)
                where m.measure_code = 'children_allocated_specialist_teacher'
                  and t.academic_year = '2023-24' and t.term_number between 1 and 4
                group by 1
                """
            ).fetchall()
        )
        areas = con.execute("select count(*), count(distinct area) from main.district_areas")
        areas = areas.fetchone()
    finally:
        con.close()
    assert tables["allocated_avg"] == pytest.approx(expected, rel=1e-12)
    assert areas == (12, 4)
    # The project the package ships with is untouched.
    assert "allocated_avg" not in (paths.DBT_DIR / "seeds" / "figures.csv").read_text()
