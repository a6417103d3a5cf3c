"""`make bench-children`: what the child-level sources cost at Kent's size (issue 15).

In a temporary folder:
1. writes the demo's full child-level files (``warehouse.demo.children``: five January
   pupil-level censuses of some 250,000 pupils, 1.25 million rows, and an episodes extract);
2. loads them, as a steward would, into a warehouse that already holds the demo's district
   data (built first, not timed), with the real pipeline, steps timed by the loader (read,
   raw, audit, dbt, data docs) and the slowest dbt nodes from dbt's log;
3. times what the outcomes page and `stls report outcomes` ask of the marts for a year.
Prints the figures and writes bench_children.json; exits 1 if a target is missed. The
machine the figures come from matters: say whether it was shared.
"""

from __future__ import annotations

import json
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from warehouse.demo import DATA_DIR, children
from warehouse.publish import connect
from warehouse.publish.load import load
from warehouse.reporting import outcomes

TARGETS = {"child_load_s": 90.0, "outcomes_queries_s": 1.0}
_NODE = re.compile(r"OK created \S+ (?:\S+ )?model (\S+) \.+ \[OK in ([0-9.]+)s\]")


def slowest_nodes(log: Path, count: int = 8) -> list[tuple[str, float]]:
    """The dbt models that took longest in the last build, from dbt's own log."""
    if not log.exists():
        return []
    last = log.read_text(errors="replace").split("Running with dbt=")[-1]  # the last build
    found = [(m[1], float(m[2])) for m in _NODE.finditer(last)]
    return sorted(found, key=lambda n: -n[1])[:count]


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="stls-bench-children-"))
    try:
        started = time.perf_counter()
        files = children.write_child_level(work / "files", "full")
        generate_s = time.perf_counter() - started
        rows = sum(sum(1 for _ in p.open(encoding="utf-8")) - 1 for p in files)
        warehouse = work / "stls.duckdb"
        load([DATA_DIR], warehouse, kind="demo", fresh=True)
        started = time.perf_counter()
        result = load([work / "files"], warehouse, kind="load")
        load_s = time.perf_counter() - started
        con = connect.connect(warehouse)
        try:
            cur = con.cursor()
            (seconds,) = cur.execute(
                "select seconds from raw.loads where load_id = $id", {"id": result.load_id}
            ).fetchone()
            steps = json.loads(seconds) if seconds else {}
            year = outcomes.closed_years(cur)[-3]
            started = time.perf_counter()
            outcomes.outcomes(cur, year)
            for breakdown in ("district", "phase", "closure_reason"):
                outcomes.table(cur, year, outcomes.COHORT, breakdown)
            outcomes.table(cur, year, outcomes.COMPARISON, "district")
            outcomes.curve(cur, year)
            queries_s = time.perf_counter() - started
            started = time.perf_counter()
            child = outcomes.child_rows(cur, year)
            child_s = time.perf_counter() - started
        finally:
            con.close()
        figures = {
            "rows": rows,
            "generate_s": round(generate_s, 1),
            "child_load_s": round(load_s, 1),
            "load_exit_code": result.exit_code,
            "load_steps_s": steps,
            # dbt builds the staged copy the load publishes: its work folder is beside it
            "slowest_dbt_models_s": slowest_nodes(
                Path(f"{warehouse}.staging.dbt") / "logs" / "dbt.log"
            ),
            "outcomes_queries_s": round(queries_s, 2),
            "steward_child_rows": len(child),
            "steward_child_rows_s": round(child_s, 2),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(figures, indent=2))
    Path("bench_children.json").write_text(json.dumps(figures, indent=2) + "\n")
    missed = [k for k, limit in TARGETS.items() if figures[k] > limit]
    if missed or figures["load_exit_code"] != 0:
        print("missed: " + ", ".join(missed or ["the load did not publish everything"]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
