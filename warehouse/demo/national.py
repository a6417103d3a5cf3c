"""DfE's national figures (Source 4) bundled with the demo, so `stls demo` on a fresh clone
(which has no shared/ folder) shows the "Kent among councils" page with real figures.

These files are COPIED from DfE's release (shared/reference/national/), not generated: the
dictionary, the statistical neighbours workbook and the README (provenance and the Open
Government Licence) as they are, and the long data cut to the topics the dashboard is about,
``TOPIC_GROUPS`` of dbt/seeds/national_topics.csv: SEND and inclusion (Children with SEN; All
Pupil Absence & Exclusions) and Attainment (Early Years to age 19). The whole file (641,070
rows) took 73-146 s to load on the shared development machine, far more than the demo can
spend; the cut holds 359,210 rows of 247 indicators. Rewrite with
``python -m warehouse.demo.national [--reference FOLDER]``.
"""

from __future__ import annotations

import argparse
import csv
import shutil
from collections.abc import Sequence
from pathlib import Path

from warehouse.core import paths
from warehouse.demo import DATA_DIR

NATIONAL_DIR = DATA_DIR / "national"
REFERENCE = paths.PROJECT_ROOT / "shared" / "reference" / "national"
if not REFERENCE.is_dir():  # a worktree: the shared folder sits beside the checkouts
    REFERENCE = Path("/work/shared/reference/national")
DATA = "lait_bds_long.parquet"
COPIED = ("README.md", "lait_data_dictionary.csv", "statistical_neighbours_2025.xlsx")
TOPIC_GROUPS = ("SEND and inclusion", "Attainment")


def topics() -> list[str]:
    """The dictionary topics in ``TOPIC_GROUPS``, from the seed that groups them."""
    with (paths.SEEDS_DIR / "national_topics.csv").open(encoding="utf-8", newline="") as f:
        return [row["topic"] for row in csv.DictReader(f) if row["topic_group"] in TOPIC_GROUPS]


def indicator_codes(dictionary: Path) -> list[str]:
    """The indicator codes (``Measure_short``) of the dictionary's rows in ``topics()``."""
    keep = set(topics())
    with dictionary.open(encoding="utf-8", newline="") as f:
        return sorted({row["Measure_short"] for row in csv.DictReader(f) if row["Topic"] in keep})


def bundle(reference: Path = REFERENCE, output: Path = NATIONAL_DIR) -> list[Path]:
    """Copy the national files from ``reference`` into ``output``, the long data cut to the
    indicators of ``TOPIC_GROUPS`` (rows kept in the release's order, text as published)."""
    import polars as pl

    output.mkdir(parents=True, exist_ok=True)
    written = []
    for name in COPIED:
        shutil.copyfile(reference.joinpath(name), output.joinpath(name))
        written.append(output.joinpath(name))
    codes = indicator_codes(reference / "lait_data_dictionary.csv")
    frame = pl.read_parquet(reference.joinpath(DATA)).filter(pl.col("Short Desc").is_in(codes))
    frame.write_parquet(output.joinpath(DATA), compression="zstd", statistics=False)
    written.append(output.joinpath(DATA))
    return written


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=REFERENCE, help="DfE's files")
    parser.add_argument("--output", type=Path, default=NATIONAL_DIR, help="folder to (re)write")
    args = parser.parse_args(argv)
    written = bundle(args.reference, args.output)
    print(f"wrote {len(written)} files to {args.output}")


if __name__ == "__main__":
    main()
