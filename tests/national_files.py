"""DfE's national files (Source 4) for tests: a small long-data CSV written here beside the real
dictionary and neighbours workbook (shared/reference/national/), and an independent reading
of DfE's rules (shared/reference/national/README.md) to check the warehouse against.

The expected values are computed here from the files' text, without the warehouse's code:
plain Python, R's type-7 quantile written out, ranks counted by hand.
"""

from __future__ import annotations

import csv
import math
import random
import shutil
from collections.abc import Iterable
from pathlib import Path

import openpyxl
import polars as pl

NATIONAL = Path(__file__).resolve().parents[1] / "shared" / "reference" / "national"
if not NATIONAL.is_dir():  # a worktree: the shared folder sits beside the checkouts
    NATIONAL = Path("/work/shared/reference/national")
DATA = NATIONAL / "lait_bds_long.parquet"
DICTIONARY = NATIONAL / "lait_data_dictionary.csv"
NEIGHBOURS = NATIONAL / "statistical_neighbours_2025.xlsx"
HEADER = ["Short Desc", "Data item", "Years", "LA and Regions", "Values", "LA Number", "Region"]
REGION_AREA = {
    "Outer London": "London (Outer)",
    "Inner London": "London (Inner)",
    "Yorkshire and The Humber": "Yorkshire and the Humber",
}
ENGLAND = 970


def write_long_csv(path: Path, rows: Iterable[tuple]) -> Path:
    """Rows of (code, year, area name, value text, LA number text, region)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for code, year, area, value, number, region in rows:
            writer.writerow([code, "", year, area, value, number, region])
    return path


def folder_with(tmp: Path, data: Path) -> Path:
    """A folder holding ``data`` and the real dictionary and neighbours workbook."""
    tmp.mkdir(parents=True, exist_ok=True)
    if data.parent != tmp:
        shutil.copy(data, tmp / data.name)
    shutil.copy(DICTIONARY, tmp / DICTIONARY.name)
    shutil.copy(NEIGHBOURS, tmp / NEIGHBOURS.name)
    return tmp


# ---------------------------------------------------------------- DfE's rules, by hand


def number(text: object) -> float | None:
    try:
        value = float(str(text).strip())
    except ValueError:
        return None
    return None if math.isnan(value) else value


def year_start(year: str) -> int | None:
    head = year.strip()[:4]
    return int(head) if head.isdigit() else None


def quantile7(values: list[float], p: float) -> float:
    """R's default quantile (type 7): linear interpolation between order statistics."""
    ordered = sorted(values)
    h = (len(ordered) - 1) * p
    low = math.floor(h)
    if low + 1 >= len(ordered):
        return ordered[-1]
    return ordered[low] + (h - low) * (ordered[low + 1] - ordered[low])


class Rules:
    """The long data, the dictionary and the neighbours as the files give them."""

    def __init__(self, long: pl.DataFrame) -> None:
        frame = long.select(
            pl.col("Short Desc").str.strip_chars().alias("code"),
            pl.col("Years").str.strip_chars().alias("year"),
            pl.col("LA and Regions").alias("area"),
            pl.col("Values").cast(pl.String).alias("value"),
            pl.col("LA Number").cast(pl.Float64).cast(pl.Int64).alias("la"),
            pl.col("Region").alias("region"),
        )
        self.values: dict[tuple[str, int, str], float | None] = {}
        self.names: dict[int, str] = {}
        self.regions: dict[int, str] = {}
        for code, year, area, value, la, region in frame.iter_rows():
            self.values[(code, la, year)] = number(value)
            self.names.setdefault(la, area)
            if region and region != "NA":
                self.regions.setdefault(la, region)
        self.by_name = {name: la for la, name in self.names.items()}
        dictionary = pl.read_csv(DICTIONARY, infer_schema=False)
        self.polarity = dict(zip(dictionary["Measure_short"], dictionary["Polarity"], strict=True))
        self.no_quartile = {
            code
            for code, flag in zip(
                dictionary["Measure_short"], dictionary["No_Quartile"], strict=True
            )
            if flag == "N"
        }
        sheet = openpyxl.load_workbook(NEIGHBOURS, read_only=True)["LA SN Groups"]
        self.neighbours: dict[int, list[int]] = {}
        for row in list(sheet.iter_rows(values_only=True))[3:]:
            if isinstance(row[0], int):
                self.neighbours[row[0]] = [int(row[c]) for c in range(5, 25, 2)]

    @classmethod
    def from_file(cls, path: Path) -> Rules:
        if path.suffix == ".parquet":
            return cls(pl.read_parquet(path))
        return cls(pl.read_csv(path, infer_schema=False))

    def is_la(self, la: int) -> bool:
        return la < ENGLAND

    def expected(self, la: int, code: str, year: str) -> dict:
        value = self.values.get((code, la, year))
        polarity = self.polarity.get(code)
        polarity = None if polarity in (None, "NA") else polarity
        las = [
            v
            for (c, other, y), v in self.values.items()
            if c == code and y == year and self.is_la(other) and v is not None
        ]
        band = rank = ranked = None
        if polarity in ("High", "Low") and value is not None:
            ranked = len(las)
            better = [v for v in las if (v > value if polarity == "High" else v < value)]
            rank = len(better) + 1  # ties share the lowest rank
            if code not in self.no_quartile:
                q1, q2, q3 = (quantile7(las, p) for p in (0.25, 0.5, 0.75))
                low_band = (
                    "A" if value <= q1 else "B" if value <= q2 else "C" if value <= q3 else "D"
                )
                band = low_band if polarity == "Low" else "DCBA"["ABCD".index(low_band)]
        near = [self.values.get((code, n, year)) for n in self.neighbours.get(la, [])]
        present = [v for v in near if v is not None]
        mean = sum(present) / len(present) if present else None
        region = self.by_name.get(REGION_AREA.get(self.regions[la], self.regions[la]))
        start = year_start(year)
        earlier = sorted(
            (year_start(y), y)
            for (c, other, y) in self.values
            if c == code and other == la and year_start(y) is not None and year_start(y) < start
        )
        previous = self.values.get((code, la, earlier[-1][1])) if earlier else None
        change = value - previous if value is not None and previous is not None else None
        return {
            "la": self.names[la],
            "indicator": code,
            "year": year,
            "polarity": polarity,
            "value": value,
            "neighbours_mean": mean,
            "neighbours": [
                {"la_number": n, "value": v}
                for n, v in zip(self.neighbours.get(la, []), near, strict=True)
            ],
            "region_value": self.values.get((code, region, year)),
            "england_value": self.values.get((code, ENGLAND, year)),
            "quartile_band": band,
            "rank": rank,
            "las_ranked": ranked,
            "change_from_previous_year": change,
        }


# ---------------------------------------------------------------- a small file built for the rules

KENT, KENT_NEIGHBOURS = 886, [881, 845, 878, 303, 935, 926, 891, 938, 822, 933]
NOT_IN_DATA = 891  # Nottinghamshire: a neighbour of Kent with no row at all
OTHERS = [301, 302, 202, 873]  # Barking and Dagenham, Barnet, Camden, Cambridgeshire
AREAS = [970, 989, 985, 988, 987, 990, 983]  # England and the regions these LAs are in
INDICATORS = {
    "SEN_EHC_Excpt_20wks": ["2023", "2024"],  # High
    "InfMort": ["2022", "2023 (Rev)"],  # Low
    "SEN_TotStat": ["2024", "2025"],  # no polarity (NA): no band, no rank
    "Vacancies_cover": ["2023", "2024"],  # High, but No_Quartile: rank, no band
}
VALUES = ["3.2", "11.4", "25.4", "33.3", "33.3", "50", "56.3", "68.6", "85.1", "-", "c"]


def synthetic_rows() -> list[tuple]:
    """Every LA and area above on every indicator and year, values drawn so that ties,
    symbols and a missing neighbour occur; Kent's InfMort 2022 is "-" (no change in 2023)."""
    real = pl.read_parquet(DATA, columns=["LA and Regions", "LA Number", "Region"]).unique()
    names = {int(n): (a, r) for a, n, r in real.iter_rows()}
    draw = random.Random(11)
    rows = []
    for code, years in INDICATORS.items():
        for year in years:
            for la in [KENT, *KENT_NEIGHBOURS, *OTHERS, *AREAS]:
                if la == NOT_IN_DATA:
                    continue
                value = draw.choice(VALUES)
                if (la, code, year) == (KENT, "InfMort", "2022"):
                    value = "-"
                if la == KENT and value in ("-", "c") and year == years[-1]:
                    value = "33.3"  # Kent ties with others in the latest year
                area, region = names[la]
                rows.append((code, year, area, value, str(la), region or "NA"))
    return rows
