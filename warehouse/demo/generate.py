"""Write the bundled demo data: ``python -m warehouse.demo.generate [--output DIR]``.

The files are ILLUSTRATIVE. The district split is invented; only the county totals are tied
to the July 2024 committee report (Tables 1-7, sections 2.13 and 2.22) and to the public
census facts in the project's domain notes. The funding table is the report's own,
transcribed cell for cell with its flaws.

How the numbers are made:

* Every random draw comes from its own ``random.Random`` seeded with ``SEED`` and a key that
  names the value (district, year, term, measure...), so the output does not depend on the
  order of the code, the clock or the machine: every run writes the same bytes.
* County totals are fixed first (from the report's published rates, or from the county
  series below), then split over district-terms by largest-remainder apportionment with
  upper bounds (``apportion``), so the county sums hit their targets exactly and every
  contract rule between measures holds by construction (allocated <= presented, actively
  supported <= caseload, settings <= census settings, ...). ``check_returns`` and
  ``check_census`` check those rules again before anything is written.
* District shares follow population, need and each district's SLA funding (its capacity),
  with a persistent district factor and a little term-to-term noise.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import random
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from pathlib import Path

import xlsxwriter

from warehouse.core import contracts, paths
from warehouse.core.contracts import CENSUS_PHASES, SCHOOL_AGE
from warehouse.demo import DATA_DIR, PLANTED

SEED = 20240709  # the date of the committee meeting the county totals come from

PUBLISHED_FUNDING = paths.REFERENCE_DIR / "funding_table_as_published.csv"

Cell = tuple[str, int, str]  # (academic_year, term, district)
Figure = tuple[str, str]  # (measure, phase)
Returns = dict[Cell, dict[Figure, int]]
CensusKey = tuple[int, str, str]  # (census_year, district, phase)

EARLY_YEARS, PRIMARY, SECONDARY = CENSUS_PHASES
SEN_STATUS = (
    "children_presented_sen_support",
    "children_presented_receiving_hnf",
    "children_presented_with_ehcp",
)

# ---------------------------------------------------------------------------------------
# District weights (illustrative). Populations: approximate mid-2023 estimates, enough to
# make Maidstone the largest and Gravesham the smallest; Kent about 1.61m.
# ---------------------------------------------------------------------------------------
POPULATION = {
    "Ashford": 137_600,
    "Canterbury": 158_000,
    "Dartford": 121_000,
    "Dover": 118_600,
    "Folkestone and Hythe": 111_000,
    "Gravesham": 107_700,
    "Maidstone": 184_200,
    "Sevenoaks": 121_600,
    "Swale": 154_600,
    "Thanet": 142_300,
    "Tonbridge and Malling": 136_600,
    "Tunbridge Wells": 117_500,
}
# Invented index of need: scales a district's SEN and EHCP rates and its LIFT demand.
NEED = {
    "Ashford": 1.00,
    "Canterbury": 0.98,
    "Dartford": 0.97,
    "Dover": 1.08,
    "Folkestone and Hythe": 1.08,
    "Gravesham": 1.05,
    "Maidstone": 0.96,
    "Sevenoaks": 0.85,
    "Swale": 1.12,
    "Thanet": 1.20,
    "Tonbridge and Malling": 0.90,
    "Tunbridge Wells": 0.87,
}

# ---------------------------------------------------------------------------------------
# Census: county series (illustrative, calibrated to the public facts). Each entry is
# (settings, pupils) per phase; early-years "pupils" are funded children.
# ---------------------------------------------------------------------------------------
CENSUS_YEARS = (2019, 2020, 2021, 2022, 2023, 2024)
CENSUS_COUNTY = {
    2019: {EARLY_YEARS: (690, 28_950), PRIMARY: (458, 129_870), SECONDARY: (101, 92_440)},
    2020: {EARLY_YEARS: (684, 28_610), PRIMARY: (457, 130_540), SECONDARY: (101, 94_950)},
    2021: {EARLY_YEARS: (671, 27_480), PRIMARY: (456, 130_910), SECONDARY: (101, 97_630)},
    2022: {EARLY_YEARS: (662, 27_900), PRIMARY: (455, 131_046), SECONDARY: (102, 100_218)},
    2023: {EARLY_YEARS: (655, 27_560), PRIMARY: (454, 131_380), SECONDARY: (102, 102_260)},
    2024: {EARLY_YEARS: (650, 27_240), PRIMARY: (453, 131_120), SECONDARY: (102, 103_870)},
}
# County rates over all three phases, percent of pupils (Kent's published series, rounded).
EHCP_RATE = {2019: "3.40", 2020: "3.80", 2021: "4.25", 2022: "4.80", 2023: "5.20", 2024: "5.60"}
SEN_SUPPORT_RATE = {
    2019: "10.0",
    2020: "10.5",
    2021: "10.8",
    2022: "11.3",
    2023: "11.4",
    2024: "11.6",
}
# Relative rates by phase: early years identify fewer plans and less SEN support.
EHCP_PHASE_FACTOR = {EARLY_YEARS: 0.30, PRIMARY: 1.00, SECONDARY: 1.10}
SEN_PHASE_FACTOR = {EARLY_YEARS: 0.60, PRIMARY: 1.05, SECONDARY: 0.95}

# ---------------------------------------------------------------------------------------
# Termly returns
# ---------------------------------------------------------------------------------------
REPORT_TERMS = (1, 2, 3, 4)


@dataclass(frozen=True)
class Block:
    """Terms of one academic year whose county figures are set together.

    ``rates`` are percentages of each figure's denominator (see ``fill_block``); where the
    report gives a count rather than a rate, ``totals`` fixes the block's exact sum.
    County counts per term are given for presented children, caseload and transition.
    """

    academic_year: str
    terms: tuple[int, ...]
    presented: dict[str, tuple[int, ...]]
    caseload: dict[str, tuple[int, ...]]
    transition: dict[str, tuple[int, ...]]
    rates: dict[Figure, Fraction]
    totals: dict[Figure, int] = field(default_factory=dict)
    # The district whose returns count HNF children on top of their SEN status.
    sen_status_overlap: str | None = None


def _report_rates(
    engaged: dict[str, str],
    lift: dict[str, str],
    training: dict[str, str],
    sen_status: tuple[str, str, str],
    allocated: dict[str, str],
    active: dict[str, str],
) -> dict[Figure, Fraction]:
    rates: dict[Figure, Fraction] = {}
    for measure, by_phase in (
        ("settings_engaged", engaged),
        ("settings_attending_lift", lift),
        ("settings_attending_training", training),
        ("children_allocated_specialist_teacher", allocated),
        ("actively_supported", active),
    ):
        rates.update({(measure, phase): Fraction(v) for phase, v in by_phase.items()})
    for measure, value in zip(SEN_STATUS, sen_status, strict=True):
        rates[(measure, SCHOOL_AGE)] = Fraction(value)
    # Section 2.22: 39% of open school-age cases reviewed, 29% of those closed, 35% amended.
    rates[("targets_reviewed", SCHOOL_AGE)] = Fraction(39)
    rates[("cases_closed_targets_met", SCHOOL_AGE)] = Fraction(29)
    rates[("targets_amended", SCHOOL_AGE)] = Fraction(35)
    return rates


RATES_2022_23 = _report_rates(
    engaged={EARLY_YEARS: "78", PRIMARY: "99", SECONDARY: "84"},
    lift={EARLY_YEARS: "38", PRIMARY: "68", SECONDARY: "53"},
    training={EARLY_YEARS: "17", PRIMARY: "49", SECONDARY: "53"},
    sen_status=("74", "9", "7"),
    allocated={EARLY_YEARS: "71", SCHOOL_AGE: "51"},
    active={EARLY_YEARS: "72", SCHOOL_AGE: "72.5"},  # used for terms 5-6 only
)
RATES_2023_24 = _report_rates(
    engaged={EARLY_YEARS: "80.9", PRIMARY: "99.8", SECONDARY: "90.2"},
    lift={EARLY_YEARS: "31", PRIMARY: "67", SECONDARY: "63"},
    training={EARLY_YEARS: "18", PRIMARY: "66", SECONDARY: "65"},
    sen_status=("83.1", "12.0", "7.2"),
    allocated={EARLY_YEARS: "72", SCHOOL_AGE: "47"},
    active={EARLY_YEARS: "78", SCHOOL_AGE: "79"},
)

BLOCKS = (
    Block(
        academic_year="2022-23",
        terms=(1, 2, 3, 4),
        presented={EARLY_YEARS: (540, 585, 560, 575), SCHOOL_AGE: (1380, 1470, 1420, 1450)},
        # Table 5: averages 1,530 / 2,620 / 402. Primary and secondary sit a quarter below
        # the whole number (2,619.75 and 401.75) so that Table 6's 73% of the school-age
        # caseload (2,191 / 3,022 = 72.50%) is as far from the rounding boundary as the
        # published counts allow: 2,191.25 / 3,021.5 = 72.52%.
        caseload={
            EARLY_YEARS: (1490, 1535, 1555, 1540),
            PRIMARY: (2560, 2610, 2655, 2654),
            SECONDARY: (390, 400, 408, 409),
        },
        transition={EARLY_YEARS: (48, 22, 18, 25), SCHOOL_AGE: (70, 30, 26, 38)},
        rates=RATES_2022_23,
        # Table 6: 1,103 and 2,191 actively supported on average per term.
        totals={
            ("actively_supported", EARLY_YEARS): 4412,
            ("actively_supported", SCHOOL_AGE): 8765,
        },
    ),
    Block(
        academic_year="2022-23",
        terms=(5, 6),  # not in the report: a plausible end to the year
        presented={EARLY_YEARS: (610, 520), SCHOOL_AGE: (1510, 1260)},
        caseload={EARLY_YEARS: (1520, 1475), PRIMARY: (2640, 2575), SECONDARY: (412, 404)},
        transition={EARLY_YEARS: (64, 118), SCHOOL_AGE: (95, 160)},
        rates=RATES_2022_23,
    ),
    Block(
        academic_year="2023-24",
        terms=(1, 2, 3, 4),
        presented={EARLY_YEARS: (530, 555, 545, 560), SCHOOL_AGE: (1460, 1540, 1500, 1580)},
        # Table 5: term sums 5,644 / 10,201 / 1,700 (averages 1,411 / 2,550.25 / 425).
        caseload={
            EARLY_YEARS: (1380, 1405, 1425, 1434),
            PRIMARY: (2500, 2540, 2575, 2586),
            SECONDARY: (415, 422, 430, 433),
        },
        transition={EARLY_YEARS: (52, 24, 20, 27), SCHOOL_AGE: (74, 33, 28, 41)},
        rates=RATES_2023_24,
        # Table 6: 1,106 and 2,341 actively supported on average per term.
        totals={
            ("actively_supported", EARLY_YEARS): 4424,
            ("actively_supported", SCHOOL_AGE): 9364,
        },
        # Table 3 adds to 102% in 2023-24, so some returns must count a child under more
        # than one status. The demo puts all of it in one district's four terms: the
        # largest district, with HNF children counted on top of SEN support or an EHCP.
        sen_status_overlap="Maidstone",
    ),
)
# Shares of presented children in the overlapping district's returns.
OVERLAP_SHARES = {
    "children_presented_sen_support": Fraction("0.89"),
    "children_presented_with_ehcp": Fraction("0.09"),
    "children_presented_receiving_hnf": Fraction("0.34"),
}

# ---------------------------------------------------------------------------------------
# How each district sends its return (all within the contract).
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnStyle:
    file_format: str = "csv"  # csv | xlsx
    encoding: str = "utf-8"  # utf-8 | utf-8-sig | cp1252 (csv only)
    header: str = "lower"  # lower | upper | title
    newline: str = "\n"
    notes: bool = False  # an extra free-text column (ignored downstream)


RETURN_STYLES = {
    "Dover": ReturnStyle(file_format="xlsx", header="title"),
    "Sevenoaks": ReturnStyle(file_format="xlsx", header="title"),
    "Thanet": ReturnStyle(encoding="cp1252", newline="\r\n", notes=True),
    "Swale": ReturnStyle(header="upper"),
    "Ashford": ReturnStyle(encoding="utf-8-sig", newline="\r\n"),
}
DEFAULT_STYLE = ReturnStyle()
# Thanet's notes: Excel on Windows saves these as Windows-1252, where the en dash (U+2013)
# is byte 0x96 and the pound sign 0xA3, so reading them as UTF-8 fails.
EN_DASH = "\u2013"
THANET_NOTES = {
    ("settings_attending_training", PRIMARY): (
        f"Bespoke SENCo training {EN_DASH} part funded from £ other income"
    ),
    ("caseload", PRIMARY): "Includes pupils dual-registered with an alternative provision",
    ("transition_events", SCHOOL_AGE): f"Year 6{EN_DASH}7 transition sessions with SENCos",
}
RETURN_COLUMNS = ("district", "academic_year", "term", "phase", "measure", "value")
XLSX_CREATED = datetime(2024, 3, 28, 16, 0, 0)  # fixed, so the workbook bytes never change
CENSUS_COLUMNS = ("census_year", "district", "phase", "settings", "pupils", "sen_support", "ehcp")
CENSUS_WITH_SEPARATORS = (2019,)  # an older extract with Excel-formatted numbers ("15,204")
FUNDING_YEARS = ("2022-23", "2023-24")


# ---------------------------------------------------------------------------------------
# Arithmetic
# ---------------------------------------------------------------------------------------
def draw(low: float, high: float, *key: object) -> float:
    """A uniform draw that depends only on ``SEED`` and ``key``, never on call order."""
    return random.Random(":".join(str(part) for part in (SEED, *key))).uniform(low, high)


def round_half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def percent_of(rate: Fraction, denominator: int) -> int:
    return round_half_up(rate * denominator / 100)


def apportion(total: int, weights: Sequence[float], caps: Sequence[int] | None = None) -> list[int]:
    """Split ``total`` into whole numbers proportional to ``weights`` (largest remainder),
    none above its cap; ties go to the earlier cell. Raises if the caps cannot hold it."""
    limits = list(caps) if caps is not None else [total] * len(weights)
    if total < 0 or total > sum(limits):
        raise ValueError(f"cannot apportion {total} under caps summing to {sum(limits)}")
    result = [0] * len(weights)
    active = [i for i, limit in enumerate(limits) if limit > 0]
    remaining = total
    while remaining > 0:
        shares = {i: Fraction(weights[i]) for i in active}
        if sum(shares.values()) == 0:
            shares = dict.fromkeys(active, Fraction(1))
        scale = Fraction(remaining) / sum(shares.values())
        quotas = {i: share * scale for i, share in shares.items()}
        capped = [i for i in active if quotas[i] >= limits[i]]
        if capped:
            for i in capped:
                result[i] = limits[i]
                remaining -= limits[i]
            active = [i for i in active if i not in capped]
            continue
        floors = {i: math.floor(q) for i, q in quotas.items()}
        by_remainder = sorted(active, key=lambda i: (floors[i] - quotas[i], i))
        extra = set(by_remainder[: remaining - sum(floors.values())])
        for i in active:
            result[i] = floors[i] + (1 if i in extra else 0)
        remaining = 0
    return result


# ---------------------------------------------------------------------------------------
# Census
# ---------------------------------------------------------------------------------------
def build_census() -> dict[CensusKey, dict[str, int]]:
    names = contracts.district_names()
    census: dict[CensusKey, dict[str, int]] = {}
    for year in CENSUS_YEARS:
        for phase in CENSUS_PHASES:
            settings, pupils = CENSUS_COUNTY[year][phase]
            setting_weights = [
                POPULATION[d] * draw(0.9, 1.1, "settings-share", d, phase) for d in names
            ]
            pupil_weights = [_pupil_weight(d, phase, year) for d in names]
            split = zip(
                apportion(settings, setting_weights), apportion(pupils, pupil_weights), strict=True
            )
            for district, (n_settings, n_pupils) in zip(names, split, strict=True):
                census[(year, district, phase)] = {"settings": n_settings, "pupils": n_pupils}
        _add_send_counts(census, year)
    return census


def _pupil_weight(district: str, phase: str, year: int) -> float:
    share = POPULATION[district] * draw(0.985, 1.015, "pupil-share", district, phase)
    growth = draw(0.0, 0.004, "pupil-growth", district, phase)
    return share * (1 + growth * (year - CENSUS_YEARS[0]))


def _add_send_counts(census: dict[CensusKey, dict[str, int]], year: int) -> None:
    keys = [k for k in census if k[0] == year]
    pupils = [census[k]["pupils"] for k in keys]
    everyone = sum(pupils)
    ehcp_weights = [
        census[k]["pupils"] * EHCP_PHASE_FACTOR[k[2]] * NEED[k[1]] * draw(0.95, 1.05, "ehcp", *k)
        for k in keys
    ]
    ehcp = apportion(percent_of(Fraction(EHCP_RATE[year]), everyone), ehcp_weights, pupils)
    sen_weights = [
        census[k]["pupils"] * SEN_PHASE_FACTOR[k[2]] * math.sqrt(NEED[k[1]]) for k in keys
    ]
    room = [p - e for p, e in zip(pupils, ehcp, strict=True)]
    sen = apportion(percent_of(Fraction(SEN_SUPPORT_RATE[year]), everyone), sen_weights, room)
    for key, n_ehcp, n_sen in zip(keys, ehcp, sen, strict=True):
        census[key]["ehcp"] = n_ehcp
        census[key]["sen_support"] = n_sen


# ---------------------------------------------------------------------------------------
# Termly returns
# ---------------------------------------------------------------------------------------
@dataclass
class BlockFrame:
    """The district-terms of one block and what their weights are built from."""

    block: Block
    cells: list[Cell]
    census: dict[CensusKey, dict[str, int]]
    capacity: dict[str, int]
    values: Returns

    def get(self, measure: str, phase: str) -> list[int]:
        return [self.values[cell][(measure, phase)] for cell in self.cells]

    def put(self, measure: str, phase: str, numbers: Iterable[int]) -> None:
        for cell, number in zip(self.cells, numbers, strict=True):
            self.values[cell][(measure, phase)] = number

    def census_of(self, district: str, phase: str, column: str) -> int:
        year = contracts.census_year_for(self.block.academic_year)
        return self.census[(year, district, phase)][column]

    def weights(
        self,
        base: Sequence[float],
        family: str,
        spread: float = 0.04,
        district_spread: float = 0.12,
    ) -> list[float]:
        """``base`` times a persistent district factor times a little term noise."""
        return [
            b
            * draw(1 - district_spread, 1 + district_spread, "district", district, family)
            * draw(1 - spread, 1 + spread, "cell", year, term, district, family)
            for b, (year, term, district) in zip(base, self.cells, strict=True)
        ]

    def total(self, measure: str, phase: str, denominator: int) -> int:
        fixed = self.block.totals.get((measure, phase))
        if fixed is not None:
            return fixed
        return percent_of(self.block.rates[(measure, phase)], denominator)

    def fill(
        self,
        measure: str,
        phase: str,
        denominator: Sequence[int],
        base: Sequence[float],
        caps: Sequence[int],
    ) -> None:
        """Set a measure's block total from its rate over ``denominator`` and apportion it."""
        total = self.total(measure, phase, sum(denominator))
        self.put(measure, phase, apportion(total, self.weights(base, f"{measure}/{phase}"), caps))

    def per_term(
        self,
        measure: str,
        phase: str,
        county: tuple[int, ...],
        base: Sequence[float],
        spread: float = 0.04,
    ) -> None:
        """Apportion a county count for each term over that term's districts."""
        weights = self.weights(base, f"{measure}/{phase}", spread)
        numbers = [0] * len(self.cells)
        for term, county_total in zip(self.block.terms, county, strict=True):
            idx = [i for i, cell in enumerate(self.cells) if cell[1] == term]
            split = apportion(county_total, [weights[i] for i in idx])
            for i, n in zip(idx, split, strict=True):
                numbers[i] = n
        self.put(measure, phase, numbers)


def build_returns(census: dict[CensusKey, dict[str, int]]) -> Returns:
    capacity = _sla_capacity()
    values: Returns = {}
    for block in BLOCKS:
        cells = [
            (block.academic_year, term, district)
            for term in block.terms
            for district in contracts.district_names()
        ]
        for cell in cells:
            values[cell] = {}
        fill_block(BlockFrame(block, cells, census, capacity, values))
    return values


def fill_block(frame: BlockFrame) -> None:
    _fill_settings(frame)
    _fill_lift(frame)
    _fill_caseload(frame)
    _fill_targets(frame)
    _fill_transition(frame)


def _fill_settings(frame: BlockFrame) -> None:
    for phase in CENSUS_PHASES:
        settings = [frame.census_of(d, phase, "settings") for _, _, d in frame.cells]
        frame.fill("settings_engaged", phase, settings, settings, settings)
        engaged = frame.get("settings_engaged", phase)
        for measure in ("settings_attending_lift", "settings_attending_training"):
            frame.fill(measure, phase, settings, engaged, engaged)


def _fill_lift(frame: BlockFrame) -> None:
    for phase in (EARLY_YEARS, SCHOOL_AGE):
        demand = [_pupils(frame, d, phase) * NEED[d] for _, _, d in frame.cells]
        frame.per_term("children_presented_at_lift", phase, frame.block.presented[phase], demand)
        presented = frame.get("children_presented_at_lift", phase)
        frame.fill("children_allocated_specialist_teacher", phase, presented, presented, presented)
    _fill_sen_status(frame)


def _pupils(frame: BlockFrame, district: str, phase: str) -> int:
    if phase == SCHOOL_AGE:
        return sum(frame.census_of(district, p, "pupils") for p in (PRIMARY, SECONDARY))
    return frame.census_of(district, phase, "pupils")


def _fill_sen_status(frame: BlockFrame) -> None:
    """SEN support, HNF and EHCP of the school-age children presented at LIFT.

    Outside the overlapping district each child counts under one status at most (the three
    add up to no more than the children presented); inside it, HNF is counted on top.
    """
    presented = frame.get("children_presented_at_lift", SCHOOL_AGE)
    overlap = [i for i, cell in enumerate(frame.cells) if cell[2] == frame.block.sen_status_overlap]
    others = [i for i in range(len(frame.cells)) if i not in overlap]
    room = [presented[i] for i in others]
    numbers = {measure: [0] * len(presented) for measure in SEN_STATUS}
    for measure in (SEN_STATUS[0], SEN_STATUS[2], SEN_STATUS[1]):  # support, EHCP, then HNF
        for i in overlap:
            numbers[measure][i] = round_half_up(OVERLAP_SHARES[measure] * presented[i])
        total = frame.total(measure, SCHOOL_AGE, sum(presented)) - sum(
            numbers[measure][i] for i in overlap
        )
        # Districts differ little here: the three shares must leave room for one another.
        base = frame.weights(presented, measure, spread=0.03, district_spread=0.05)
        split = apportion(total, [base[i] for i in others], room)
        for i, n in zip(others, split, strict=True):
            numbers[measure][i] = n
        room = [r - n for r, n in zip(room, split, strict=True)]
    for measure in SEN_STATUS:
        frame.put(measure, SCHOOL_AGE, numbers[measure])


def _fill_caseload(frame: BlockFrame) -> None:
    """Caseload follows pupils and the district's SLA funding (its specialist teachers)."""
    for phase in CENSUS_PHASES:
        base = [math.sqrt(_pupils(frame, d, phase) * frame.capacity[d]) for _, _, d in frame.cells]
        frame.per_term("caseload", phase, frame.block.caseload[phase], base, spread=0.03)
    early = frame.get("caseload", EARLY_YEARS)
    frame.fill("actively_supported", EARLY_YEARS, early, early, early)
    school = _school_caseload(frame)
    frame.fill("actively_supported", SCHOOL_AGE, school, school, school)


def _school_caseload(frame: BlockFrame) -> list[int]:
    primary, secondary = frame.get("caseload", PRIMARY), frame.get("caseload", SECONDARY)
    return [p + s for p, s in zip(primary, secondary, strict=True)]


def _fill_targets(frame: BlockFrame) -> None:
    school = _school_caseload(frame)
    frame.fill("targets_reviewed", SCHOOL_AGE, school, school, school)
    reviewed = frame.get("targets_reviewed", SCHOOL_AGE)
    frame.fill("cases_closed_targets_met", SCHOOL_AGE, reviewed, reviewed, reviewed)
    closed = frame.get("cases_closed_targets_met", SCHOOL_AGE)
    room = [r - c for r, c in zip(reviewed, closed, strict=True)]
    frame.fill("targets_amended", SCHOOL_AGE, reviewed, reviewed, room)


def _fill_transition(frame: BlockFrame) -> None:
    base = [float(frame.capacity[d]) for _, _, d in frame.cells]
    for phase in (EARLY_YEARS, SCHOOL_AGE):
        county = frame.block.transition[phase]
        frame.per_term("transition_events", phase, county, base, spread=0.25)


# ---------------------------------------------------------------------------------------
# Checks: the real audit on the files written
# ---------------------------------------------------------------------------------------
def audit_files(folder: Path) -> dict[tuple[str, str], int]:
    """Run the warehouse's own readers and Great Expectations suites on the demo files, as
    a load would, and return every check that failed with how many rows it failed on. The
    demo must break no error rule and raise only the warnings it plants (``PLANTED``).
    DfE's national files (``national/``) are copied, not generated (warehouse.demo.national),
    and are left out here."""
    from warehouse.ingest.readers import discover_files, read_file
    from warehouse.quality import checks, results

    files = []
    generated = [
        p for p in discover_files([folder]) if "national" not in p.relative_to(folder).parts
    ]
    for seq, path in enumerate(generated, 1):
        read = read_file(path)
        if not read.accepted:
            raise ValueError(f"{read.file_name}: {read.rejected_reason}")
        files.append(_DemoFile(f"demo/{seq}", read.file_name, seq, str(read.source), read.frame))
    outcome = checks.run_suites(files)
    errors = [r for r in outcome if r.failures and r.severity == results.ERROR]
    if errors:
        raise ValueError(f"the demo breaks the contract: {errors[0].name}: {errors[0].failures[0]}")
    return {(r.suite, r.name): r.failing_count for r in outcome if r.failures}


@dataclass(frozen=True)
class _DemoFile:
    file_id: str
    file_name: str
    received_seq: int
    source: str
    frame: object


# ---------------------------------------------------------------------------------------
# Writing the files
# ---------------------------------------------------------------------------------------
def slug(district: str) -> str:
    return "_".join(district.lower().split())


def _header(style: ReturnStyle) -> list[str]:
    columns = list(RETURN_COLUMNS) + (["notes"] if style.notes else [])
    if style.header == "upper":
        return [c.upper() for c in columns]
    if style.header == "title":
        return [c.replace("_", " ").title() for c in columns]
    return columns


def _return_rows(cell: Cell, figures: dict[Figure, int], notes: bool) -> list[list[object]]:
    year, term, district = cell
    rows: list[list[object]] = []
    for measure, phase in contracts.expected_measure_phases():
        row: list[object] = [district, year, term, phase, measure, figures[(measure, phase)]]
        if notes:
            row.append(THANET_NOTES.get((measure, phase), ""))
        rows.append(row)
    return rows


def write_return(root: Path, cell: Cell, figures: dict[Figure, int]) -> Path:
    year, term, district = cell
    style = RETURN_STYLES.get(district, DEFAULT_STYLE)
    folder = root / "returns" / year / f"term{term}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"stls_return_{slug(district)}_{year}_t{term}.{style.file_format}"
    rows = _return_rows(cell, figures, style.notes)
    if style.file_format == "xlsx":
        path.write_bytes(_xlsx_bytes(_header(style), rows))
    else:
        _write_csv(path, [_header(style), *rows], style.encoding, style.newline)
    return path


def _write_csv(path: Path, rows: Iterable[Sequence[object]], encoding: str, newline: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def _xlsx_bytes(header: list[str], rows: list[list[object]]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties({"created": XLSX_CREATED, "author": "STLS district lead"})
    bold = workbook.add_format({"bold": True})
    sheet = workbook.add_worksheet("Return")
    sheet.write_row(0, 0, header, bold)
    for r, row in enumerate(rows, start=1):
        sheet.write_row(r, 0, row)
    sheet.set_column(0, 0, 22)
    sheet.set_column(3, 4, 36)
    notes = workbook.add_worksheet("Narrative")
    notes.write(0, 0, "Narrative report: sent separately to the performance monitoring meeting.")
    workbook.close()
    return buffer.getvalue()


def write_census(root: Path, census: dict[CensusKey, dict[str, int]]) -> list[Path]:
    folder = root / "census"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for year in CENSUS_YEARS:
        rows: list[Sequence[object]] = [CENSUS_COLUMNS]
        for district in contracts.district_names():
            for phase in CENSUS_PHASES:
                counts = census[(year, district, phase)]
                numbers = [counts[c] for c in CENSUS_COLUMNS[3:]]
                if year in CENSUS_WITH_SEPARATORS:
                    numbers = [f"{n:,}" for n in numbers]
                rows.append([year, district, phase, *numbers])
        path = folder / f"school_census_january_{year}.csv"
        _write_csv(path, rows, "utf-8", "\n")
        paths.append(path)
    return paths


def published_funding() -> list[dict[str, str]]:
    with PUBLISHED_FUNDING.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_funding(root: Path) -> list[Path]:
    """The report's funding table for each year, every cell exactly as published."""
    folder = root / "funding"
    folder.mkdir(parents=True, exist_ok=True)
    table = published_funding()
    core, outreach, total = list(table[0])[1:4]
    paths = []
    for year in FUNDING_YEARS:
        other = f"Any other Income {year[2:]}"
        rows: list[Sequence[object]] = [
            ["Academic Year", "District", core, outreach, total, "Any other Income"]
        ]
        for row in table:
            cells = [row["District"], row[core], row[outreach], row[total], row[other]]
            rows.append([year, *cells])
        path = folder / f"sla_funding_{year}.csv"
        _write_csv(path, rows, "utf-8", "\r\n")
        paths.append(path)
    return paths


def _sla_capacity() -> dict[str, int]:
    """Each district's SLA total (its staffing capacity), keyed by canonical name."""
    capacity = {}
    for row in published_funding():
        name = contracts.normalise_district(row["District"]).value
        if name is not None:
            money = row["Total (This is the amount specified in each SLA)"]
            capacity[name] = int(money.replace("£", "").replace(",", ""))
    return capacity


README = """\
# Demo data (ILLUSTRATIVE)

These files are **illustrative**. They are not Kent County Council's data.

- **The district split is invented.** District leads' termly returns are not public. Only
  the **county totals** are tied to published figures: the termly returns for terms 1-4 of
  2022-23 and 2023-24, pooled over the 12 districts, reproduce Tables 1-7 and sections 2.13
  and 2.22 of the report to the Children, Young People and Education Cabinet Committee of
  9 July 2024 ("Special Education Needs transformation and the role of the Specialist
  Teaching and Learning Service"). Terms 5-6 of 2022-23 are a plausible continuation; they
  are not in the report.
- **The census files** (January 2019-2024) follow the public county facts: about 131,000
  primary and 100,000 secondary pupils in January 2022, an EHC plan rate rising from 3.4%
  to 5.6% and SEN support from 10.0% to 11.6% (all three phases together). Settings,
  pupils and rates per district are invented, roughly in proportion to population.
- **The funding files are the report's own table** (section 4.3), transcribed cell for cell
  with its flaws left in for the data-quality checks to find: "Folkstone and Hythe" is
  misspelt; Tunbridge Wells' core budget "364,850" has no pound sign and its total
  "£364,800" is £50 less than core plus outreach; the stated Total £5,856,468 is £1 less
  than the sum of the district totals (£5,856,469).
- In 2023-24 the report's SEN-status shares of children presented at LIFT add to 102%, so
  one district's returns (Maidstone, terms 1-4 of 2023-24) count children receiving High
  Needs Funding on top of their SEN status: the contract warns about these four returns.

The files look as people send them: one return per district per term
(`returns/<year>/term<N>/`), most as UTF-8 CSV; Dover and Sevenoaks as XLSX (the return on
the first sheet with Title Case headers, a "Narrative" second sheet); Thanet as Windows-1252
CSV from Excel with a free-text `notes` column ("£", en dashes); Swale with capital headers;
Ashford with a UTF-8 byte-order mark. The 2019 census has thousands separators ("10,989").

## How they were made

    .venv/bin/python -m warehouse.demo.generate

`warehouse/demo/generate.py` is deterministic (fixed seed, no clock): it rewrites this
folder completely and writes the same bytes on every run. Edit the generator, never these
files by hand; `tests/demo/test_demo_data.py` checks the county figures, the contract rules
and that the committed files match a fresh generation.

## national/: real figures, copied

`national/` is NOT illustrative and NOT generated: it holds DfE's Local Authority Interactive
Tool files as published (Open Government Licence v3.0; its README.md gives provenance), the
long data cut to the SEND and inclusion and Attainment topics to keep `stls demo` quick.
`python -m warehouse.demo.national` copies them again from shared/reference/national/.
"""


def generate(output_dir: Path = DATA_DIR) -> list[Path]:
    """Rewrite ``output_dir`` with the demo files and return the paths written."""
    census = build_census()
    returns = build_returns(census)
    output_dir.mkdir(parents=True, exist_ok=True)
    for part in ("returns", "census", "funding"):
        shutil.rmtree(output_dir / part, ignore_errors=True)
    written = [write_return(output_dir, cell, figures) for cell, figures in sorted(returns.items())]
    written += write_census(output_dir, census)
    written += write_funding(output_dir)
    readme = output_dir / "README.md"
    readme.write_text(README, encoding="utf-8")
    raised = audit_files(output_dir)
    if raised != {check: count for check, (count, _why) in PLANTED.items()}:
        raise ValueError(f"the demo raises other warnings than it plants: {raised}")
    return [*written, readme]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DATA_DIR, help="folder to (re)write")
    args = parser.parse_args(argv)
    written = generate(args.output)
    print(f"wrote {len(written)} files to {args.output}")


if __name__ == "__main__":
    main()
