"""DfE's national files bundled with the demo (warehouse/demo/data/national/): copied from the
release, the long data cut to the SEND and inclusion and Attainment topics, and loaded by
`stls demo` so the "Kent among councils" page has real figures on a fresh clone."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

from warehouse.demo import national
from warehouse.publish import connect
from warehouse.reporting import benchmarks

BUNDLED = national.NATIONAL_DIR
GROUPS = {"SEND and inclusion", "Attainment"}


def test_the_bundle_is_the_release_cut_to_the_dashboards_topics(tmp_path: Path) -> None:
    if not (national.REFERENCE / national.DATA).is_file():
        pytest.skip("DfE's release (shared/reference/national/) is not beside this checkout")
    national.bundle(national.REFERENCE, tmp_path)
    for name in [*national.COPIED, national.DATA]:
        assert (tmp_path / name).read_bytes() == (BUNDLED / name).read_bytes(), (
            f"{name}: run python -m warehouse.demo.national"
        )


def test_the_cut_holds_every_indicator_of_the_topics_and_no_other() -> None:
    with (national.paths.SEEDS_DIR / "national_topics.csv").open(encoding="utf-8") as f:
        topics = {r["topic"] for r in csv.DictReader(f) if r["topic_group"] in GROUPS}
    assert {"Children with SEN", "All Pupil Absence & Exclusions", "Key Stage 4"} <= topics
    with (BUNDLED / "lait_data_dictionary.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    wanted = {r["Measure_short"] for r in rows if r["Topic"] in topics}
    data = pl.read_parquet(BUNDLED / national.DATA)
    held = set(data["Short Desc"].unique())
    assert held == wanted
    assert {"SEN_EHC_Excpt_20wks", "SEN_TotStat"} <= held
    assert "InfMort" not in held  # Health and Wellbeing is left out


def test_the_demo_loads_dfes_figures(demo_warehouse: Path) -> None:
    con = connect.connect(demo_warehouse)
    try:
        result = benchmarks.benchmark(con.cursor(), "Kent", "SEN_EHC_Excpt_20wks", "2024")
    finally:
        con.close()
    assert result.value == pytest.approx(33.3, abs=0.05)  # the issue: 33.3% within 20 weeks
    assert len(result.neighbours) == 10
