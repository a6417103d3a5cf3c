"""GX is imported without scipy.stats (warehouse.quality.gx_import), which loads on first
use: checked in a fresh interpreter, since this one may have imported either already."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
from warehouse.quality.gx import GxRunner
from warehouse.quality.suites import load_suites
load_suites()
GxRunner()
print("great_expectations" in sys.modules, "scipy.stats._stats_py" in sys.modules)
# GX's own KL-divergence module holds the lazy module, and it works when used
from great_expectations.expectations.core import expect_column_kl_divergence_to_be_less_than as kl
print(round(float(kl.stats.entropy([0.5, 0.5], [0.25, 0.75])), 6))
print("scipy.stats._stats_py" in sys.modules)
"""


def test_gx_imports_without_scipy_stats_until_it_is_used() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["True", "False", "0.143841", "True"]
