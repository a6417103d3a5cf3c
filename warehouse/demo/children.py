"""The demo's child-level files (Sources 5 and 6): ILLUSTRATIVE, invented children.

A pupil-level census of about Kent's size (some 250,000 pupils each January, 2020 to 2024:
1.25 million rows) and a caseload-episodes extract of the service's children over the
same years (some 4,400 children open each term, as the demo's termly returns report), with
the council's keyed hash of each child made up from random bytes. Nobody in them is real.

They are not committed (no tracked file may exceed 2 MiB, and a census of 64-character
keys is 25 MB a year): ``stls demo`` writes them at demo time, from a fixed seed, into a
temporary folder and loads them beside ``data/`` through the normal load. Every run
writes the same bytes (numpy's PCG64 and polars, pinned in pyproject.toml).

How they are made (all vectorised: numpy draws, polars frames):

* **Children.** Each year of entry to Reception (2006 to 2025) is a cohort per district,
  sized from the aggregate demo census (``generate.build_census``: primary pupils / 7),
  plus children who move into Kent later. A child appears in a January census while their
  year group is in range (early years 2 years before Reception, with the demo census's
  take-up; sixth form partly) and until they leave Kent (about 2.5% a year).
* **SEN status.** Each child has a lasting level of need (normal, shifted by the
  district's invented need index) and a little noise each year. In each (census year,
  district, phase) the pupils with the highest need are given an EHC plan and the next
  ones SEN Support, in the shares of the aggregate demo census; a plan, once given, stays.
* **Episodes.** Each term from January 2020 to April 2024, new referrals per district and
  phase are a third of the demo's termly caseload (episodes last three terms on average),
  drawn from the children in that census with a weight growing with need, never a child
  already open. Closure reasons follow what happens next: a child not in the next census
  mostly "moved away", one with a new plan mostly "ehcp issued", otherwise mostly
  "targets met". Episodes still open at the extract date (30 April 2024) have no close
  date and no reason.

``STLS_DEMO_CHILDREN`` (or ``stls demo --children``) chooses the size: ``full`` (the
default), ``small`` (a tenth: what the test suite builds, to keep ``make test`` quick; the
full size's load is measured by ``make bench``) or ``none``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from warehouse.core import contracts
from warehouse.core.contracts import CENSUS_PHASES
from warehouse.demo import generate

SCALE_ENV = "STLS_DEMO_CHILDREN"
SCALES = {"full": 1.0, "small": 0.1, "none": 0.0}
DEFAULT_SCALE = "full"
SEED = generate.SEED + 15

CENSUS_YEARS = (2020, 2021, 2022, 2023, 2024)
FIRST_OPEN = date(2020, 1, 16)  # the day after the first pupil-level census
EXTRACT_DATE = date(2024, 4, 30)
ENTRY_YEARS = range(2006, 2026)  # years of entry to Reception with a pupil in those censuses
LEAVE_RATE = 0.025  # children leaving Kent, a year
MOVE_IN_SHARE = 0.25  # children joining after Reception, per cohort
EARLY_YEARS_TAKE_UP = {-2: 0.45, -1: 0.98}  # year groups before Reception (funded places)
SIXTH_FORM = {12: 0.32, 13: 0.28}
MEAN_TERMS_OPEN = 3
EPOCH = date(1970, 1, 1)
# Kent's six terms: (first day, last day) by term number, as (month, day), for a year
# starting in September of the first calendar year.
TERM_DAYS = {
    1: ((9, 4), (10, 20)),
    2: ((11, 1), (12, 19)),
    3: ((1, 5), (2, 14)),
    4: ((2, 24), (3, 28)),
    5: ((4, 15), (5, 23)),
    6: ((6, 3), (7, 19)),
}


def scale_from(text: str | None = None) -> str:
    """The size asked for: ``text``, else ``$STLS_DEMO_CHILDREN``, else full."""
    chosen = (text or os.environ.get(SCALE_ENV) or DEFAULT_SCALE).strip().lower()
    if chosen not in SCALES:
        raise ValueError(
            f"{SCALE_ENV}={chosen!r}: the demo's child-level data is one of {', '.join(SCALES)}"
        )
    return chosen


def _day(value: date) -> int:
    return (value - EPOCH).days


# ---------------------------------------------------------------------------------------
# Children and their censuses
# ---------------------------------------------------------------------------------------


def _children(rng: np.random.Generator, scale: float) -> pl.DataFrame:
    """One row per child: district, year of entry to Reception, first and last year group
    in Kent, lasting need."""
    census = generate.build_census()
    names = contracts.district_names()
    sizes = np.array(
        [census[(2022, d, CENSUS_PHASES[1])]["pupils"] * scale / 7 for d in names], dtype=float
    )
    need = np.array([generate.NEED[d] for d in names], dtype=float)
    parts = []
    for entry in ENTRY_YEARS:
        natives = rng.poisson(sizes)
        movers = rng.poisson(sizes * MOVE_IN_SHARE)
        for joined, counts in (("native", natives), ("mover", movers)):
            district = np.repeat(np.arange(len(names)), counts)
            n = district.size
            first = (
                np.full(n, -2) if joined == "native" else rng.integers(-1, 12, size=n, dtype=int)
            )
            stay = rng.geometric(LEAVE_RATE, size=n)
            parts.append(
                pl.DataFrame(
                    {
                        "district_index": district.astype(np.int32),
                        "entry_year": np.full(n, entry, dtype=np.int32),
                        "first_group": first.astype(np.int32),
                        "last_group": np.minimum(first + stay - 1, 13).astype(np.int32),
                        "need": rng.normal(0.0, 1.0, size=n) + 0.9 * np.log(need[district]),
                    }
                )
            )
    children = pl.concat(parts)
    return children.with_row_index("child").with_columns(
        pl.col("district_index").replace_strict(dict(enumerate(names))).alias("district")
    )


def _census_rows(rng: np.random.Generator, children: pl.DataFrame) -> pl.DataFrame:
    """One row per (child, census year) the child is in a Kent January census."""
    years = pl.DataFrame({"census_year": list(CENSUS_YEARS)}, schema={"census_year": pl.Int32})
    rows = children.join(years, how="cross").with_columns(
        (pl.col("census_year") - 1 - pl.col("entry_year")).alias("year_group")
    )
    rows = rows.filter(
        pl.col("year_group").is_between(pl.col("first_group"), pl.col("last_group"))
        & pl.col("year_group").is_between(-2, 13)
    )
    take_up = {**EARLY_YEARS_TAKE_UP, **SIXTH_FORM}
    chance = pl.col("year_group").replace_strict(take_up, default=1.0, return_dtype=pl.Float64)
    rows = rows.with_columns(pl.Series("draw", rng.random(rows.height))).filter(
        pl.col("draw") < chance
    )
    phase = (
        pl.when(pl.col("year_group") < 0)
        .then(pl.lit(CENSUS_PHASES[0]))
        .when(pl.col("year_group") <= 6)
        .then(pl.lit(CENSUS_PHASES[1]))
        .otherwise(pl.lit(CENSUS_PHASES[2]))
    )
    noise = rng.normal(0.0, 0.35, size=rows.height)
    return rows.with_columns(
        phase.alias("phase"), (pl.col("need") + pl.Series(noise)).alias("score")
    ).drop("draw")


def _statuses(rows: pl.DataFrame) -> pl.DataFrame:
    """SEN status per row, census by census: a plan, once given, stays; in each (census
    year, district, phase) the highest scores without one get the plans still needed to
    reach the aggregate demo census's share, and the next ones SEN Support."""
    census = generate.build_census()
    shares = pl.DataFrame(
        [
            {
                "census_year": year,
                "district": district,
                "phase": phase,
                "ehcp_share": figures["ehcp"] / figures["pupils"],
                "sen_share": figures["sen_support"] / figures["pupils"],
            }
            for (year, district, phase), figures in census.items()
            if year in CENSUS_YEARS
        ],
        schema_overrides={"census_year": pl.Int32},
    )
    cell = ["district", "phase"]
    planned = pl.DataFrame(schema={"child": pl.UInt32})
    done = []
    for year in CENSUS_YEARS:
        part = (
            rows.filter(pl.col("census_year") == year)
            .join(shares, on=["census_year", *cell], how="left")
            .with_columns(pl.col("child").is_in(planned["child"].implode()).alias("planned"))
        )
        size = pl.len().over(cell)
        carried = pl.col("planned").sum().over(cell)
        rank = pl.col("score").rank("ordinal", descending=True).over([*cell, "planned"])
        new_plan = ~pl.col("planned") & (rank <= (pl.col("ehcp_share") * size).round() - carried)
        part = part.with_columns((pl.col("planned") | new_plan).alias("planned"))
        rank = pl.col("score").rank("ordinal", descending=True).over([*cell, "planned"])
        support = ~pl.col("planned") & (rank <= (pl.col("sen_share") * size).round())
        part = part.with_columns(
            pl.when(pl.col("planned"))
            .then(pl.lit("ehcp"))
            .when(support)
            .then(pl.lit("sen_support"))
            .otherwise(pl.lit("none"))
            .alias("sen_status")
        )
        planned = part.filter(pl.col("planned")).select("child")
        done.append(part.drop("ehcp_share", "sen_share", "planned"))
    return pl.concat(done)


# ---------------------------------------------------------------------------------------
# Episodes
# ---------------------------------------------------------------------------------------


def _terms() -> list[tuple[int, int, int, int]]:
    """(academic start year, term, first day, last day) of every term with referrals."""
    out = []
    for start in range(2019, 2024):
        for term, ((m1, d1), (m2, d2)) in TERM_DAYS.items():
            year = start if m1 >= 9 else start + 1
            first, last = date(year, m1, d1), date(year, m2, d2)
            if last < FIRST_OPEN or first > EXTRACT_DATE:
                continue
            out.append((start, term, _day(max(first, FIRST_OPEN)), _day(min(last, EXTRACT_DATE))))
    return out


def _termly_caseload(start: int, term: int) -> dict[str, float]:
    """The county caseload by phase in a term: the demo's returns where they exist (2022-23,
    2023-24), else the same term of 2022-23 (a little smaller in the years before)."""
    year = contracts.academic_year_label(start)
    factor = 1.0 if year >= "2022-23" else 0.9 + 0.03 * (start - 2019)
    for wanted in (year, "2022-23"):
        for block in generate.BLOCKS:
            if block.academic_year == wanted and term in block.terms:
                index = block.terms.index(term)
                return {p: block.caseload[p][index] * factor for p in CENSUS_PHASES}
    raise ValueError(f"no demo caseload for {year} term {term}")


def _episodes(rng: np.random.Generator, rows: pl.DataFrame, scale: float) -> pl.DataFrame:
    """Referrals term by term, then each episode's close date and reason."""
    names = contracts.district_names()
    base = generate.build_census()
    weights = {
        (d, p): base[(2022, d, p)]["pupils"] * generate.NEED[d]
        for d in names
        for p in CENSUS_PHASES
    }
    totals = {p: sum(w for (_, q), w in weights.items() if q == p) for p in CENSUS_PHASES}
    busy_until = np.full(rows["child"].max() + 1, -1, dtype=np.int64)
    pools = rows.select("child", "district", "phase", "census_year", "sen_status", "need")
    pools = pools.partition_by("census_year", as_dict=True)
    episodes = []
    for start, term, first, last in _terms():
        caseload = _termly_caseload(start, term)
        wanted = pl.DataFrame(
            [
                {
                    "district": d,
                    "phase": p,
                    "new": int(rng.poisson(caseload[p] * scale * weights[(d, p)] / totals[p] / 3)),
                }
                for d in names
                for p in CENSUS_PHASES
            ]
        )
        pool = pools[(start + 1,)]
        free = busy_until[pool["child"].to_numpy()] < first
        pool = pool.filter(pl.Series(free))
        # Weighted sampling without replacement (Gumbel top-k): need raises the chance.
        gumbel = -np.log(-np.log(rng.random(pool.height)))
        status_weight = pool["sen_status"].replace_strict(
            {"none": 0.0, "sen_support": 1.6, "ehcp": 0.2}, return_dtype=pl.Float64
        )
        chosen = (
            pool.with_columns(
                (1.4 * pl.col("need") + status_weight + pl.Series(gumbel)).alias("key")
            )
            .join(wanted, on=["district", "phase"])
            .filter(
                pl.col("key").rank("ordinal", descending=True).over("district", "phase")
                <= pl.col("new")
            )
        )
        n = chosen.height
        opened = rng.integers(first, last + 1, size=n)
        terms_open = 1 + rng.poisson(MEAN_TERMS_OPEN - 1, size=n)
        closed = opened + terms_open * 61 + rng.integers(-20, 21, size=n)
        busy_until[chosen["child"].to_numpy()] = closed
        episodes.append(
            chosen.select("child", "district", "phase", "census_year", "sen_status").with_columns(
                pl.Series("open_day", opened), pl.Series("close_day", closed)
            )
        )
    return _close(rng, pl.concat(episodes), rows)


def _close(rng: np.random.Generator, episodes: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """Close dates (none after the extract date) and reasons that follow what happens next."""
    close = pl.col("close_day").cast(pl.Date)
    next_census = (
        pl.when(close < pl.date(close.dt.year(), 1, 15))
        .then(close.dt.year())
        .otherwise(close.dt.year() + 1)
        .cast(pl.Int32)
    )
    later = rows.select(
        "child", pl.col("census_year").alias("next_census"), pl.col("sen_status").alias("next")
    )
    episodes = (
        episodes.with_columns(next_census.alias("next_census"))
        .join(later, on=["child", "next_census"], how="left")
        .with_columns(pl.Series("draw", rng.random(episodes.height)))
    )
    left = pl.col("next").is_null() & (pl.col("next_census") <= CENSUS_YEARS[-1])
    new_plan = (pl.col("next") == "ehcp") & (pl.col("sen_status") != "ehcp")
    reason = (
        pl.when(left & (pl.col("draw") < 0.8))
        .then(pl.lit("moved_away"))
        .when(new_plan & (pl.col("draw") < 0.6))
        .then(pl.lit("ehcp_issued"))
        .when(pl.col("draw") < 0.05)
        .then(pl.lit("specialist_placement"))
        .when(pl.col("draw") < 0.14)
        .then(pl.lit("other"))
        .otherwise(pl.lit("targets_met"))
    )
    still_open = pl.col("close_day") > _day(EXTRACT_DATE)
    return episodes.with_columns(
        pl.when(still_open).then(None).otherwise(close).alias("close_date"),
        pl.when(still_open).then(None).otherwise(reason).alias("closure_reason"),
        pl.col("open_day").cast(pl.Date).alias("open_date"),
    )


# ---------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------


def _keys(rng: np.random.Generator, count: int) -> pl.Series:
    """A made-up 64-hexadecimal-character key per child (random bytes, not a hash of
    anything)."""
    text = rng.bytes(32 * count).hex()
    return pl.Series("child_key", [text[i : i + 64] for i in range(0, len(text), 64)])


def write_child_level(folder: Path, scale: str = DEFAULT_SCALE) -> list[Path]:
    """Write the pupil-level censuses and the episodes extract into ``folder``."""
    factor = SCALES[scale_from(scale)]
    if not factor:
        return []
    rng = np.random.Generator(np.random.PCG64(SEED))
    children = _children(rng, factor)
    rows = _statuses(_census_rows(rng, children))
    episodes = _episodes(rng, rows, factor)
    keys = pl.DataFrame({"child": children["child"]}).with_columns(_keys(rng, children.height))
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    census = rows.sort("census_year", "district", "child").join(
        keys, on="child", maintain_order="left"
    )
    for year in CENSUS_YEARS:
        path = folder / f"pupil_census_january_{year}.csv"
        census.filter(pl.col("census_year") == year).select(
            "census_year", "child_key", "district", "phase", "sen_status"
        ).write_csv(path)
        written.append(path)
    extract = (
        episodes.join(keys, on="child")
        .sort("open_date", "child_key")
        .with_row_index("number", offset=1)
        .select(
            pl.format("EP{}", pl.col("number").cast(pl.String).str.zfill(6)).alias("episode_id"),
            "child_key",
            "district",
            "phase",
            "open_date",
            "close_date",
            "closure_reason",
        )
    )
    path = folder / f"caseload_episodes_extract_{EXTRACT_DATE.isoformat()}.csv"
    extract.write_csv(path)
    written.append(path)
    return written


@contextlib.contextmanager
def demo_paths(scale: str | None = None) -> Iterator[list[Path]]:
    """What ``stls demo`` loads: the bundled folder and, in a temporary folder removed
    afterwards, the child-level files of the size asked for."""
    from warehouse.demo import DATA_DIR

    chosen = scale_from(scale)
    folder = Path(tempfile.mkdtemp(prefix="stls-demo-children-"))
    try:
        written = write_child_level(folder, chosen)
        yield [DATA_DIR, folder] if written else [DATA_DIR]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
