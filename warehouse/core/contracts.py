"""The raw data contract in code: the county, its districts, phases, terms, the measure
catalogue, the three sources' columns, and the rules for normalising district names and
academic years.

The reference lists (districts, aliases, phases, terms, measures) live once, as the dbt
seeds in ``dbt/seeds/``: the warehouse's dimensions are built from them and this module
reads the same files, so Python and SQL can never disagree about them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

from warehouse.core.paths import SEEDS_DIR
from warehouse.core.values import LOOKS_LIKE_A_DATE, looks_like_a_date

# The county the service serves (the districts' county, and DfE's name for its council): how
# every report, page and file names it as a whole.
COUNTY = "Kent"

TERMLY_RETURN = "termly_return"
CENSUS = "census"
FUNDING = "funding"
SOURCES = (TERMLY_RETURN, CENSUS, FUNDING)


@dataclass(frozen=True)
class SourceContract:
    """Columns of one raw source as the contract names them."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    # Header spellings seen in real files, mapped to the contract's column name. Keys are
    # already normalised by ``normalise_header``.
    header_aliases: tuple[tuple[str, str], ...] = ()
    # Columns whose presence tells this source apart from the others.
    signature: tuple[str, ...] = ()

    # Rows a file may hold above its header, for a source whose files have them (DfE's
    # statistical-neighbours workbook has two helper rows above its header); 0: the header
    # is the first row that is not blank.
    rows_above_header: int = 0
    # Headers repeated after numbered columns, read with that column's number: (repeated,
    # numbered) = ("snp", "sn") reads a column headed SNP right after SN3 as snp3.
    numbered_repeats: tuple[tuple[str, str], ...] = ()
    # The most data rows a file of this source may hold, when more than the general limit
    # (``warehouse.ingest.reading.limits``): DfE's national data is 641,070 rows.
    max_rows: int | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


CONTRACTS: dict[str, SourceContract] = {
    TERMLY_RETURN: SourceContract(
        name=TERMLY_RETURN,
        required=("district", "academic_year", "term", "phase", "measure", "value"),
        header_aliases=(("year", "academic_year"), ("term_number", "term")),
        signature=("measure", "value"),
    ),
    CENSUS: SourceContract(
        name=CENSUS,
        required=("census_year", "district", "phase", "settings", "pupils", "sen_support", "ehcp"),
        header_aliases=(
            ("ehc_plans", "ehcp"),
            ("ehcps", "ehcp"),
            ("pupils_on_roll", "pupils"),
            ("sen_support_pupils", "sen_support"),
        ),
        signature=("census_year", "pupils"),
    ),
    FUNDING: SourceContract(
        name=FUNDING,
        required=("academic_year", "district", "core_budget", "outreach_budget", "total_budget"),
        optional=("other_income",),
        header_aliases=(
            ("core", "core_budget"),
            ("outreach", "outreach_budget"),
            ("total", "total_budget"),
            ("total_this_is_the_amount_specified_in_each_sla", "total_budget"),
            ("sla_total", "total_budget"),
            ("any_other_income", "other_income"),
        ),
        signature=("total_budget",),
    ),
}


# Source 4: DfE's national figures for every local authority (Local Authority Interactive
# Tool), three file kinds. Not sent by districts: no district, no submission; a newer
# release of a kind replaces the older one as a whole (dbt: int_national__releases).
NATIONAL_DATA = "national_data"
NATIONAL_DICTIONARY = "national_dictionary"
NATIONAL_NEIGHBOURS = "national_neighbours"
NATIONAL_SOURCES = (NATIONAL_DATA, NATIONAL_DICTIONARY, NATIONAL_NEIGHBOURS)
NEIGHBOURS_PER_LA = 10
_NEIGHBOUR_COLUMNS = tuple(
    column for k in range(1, NEIGHBOURS_PER_LA + 1) for column in (f"sn{k}", f"snp{k}")
)

CONTRACTS.update(
    {
        NATIONAL_DATA: SourceContract(
            name=NATIONAL_DATA,
            required=("indicator_code", "year", "area_name", "value", "la_number", "region"),
            optional=("data_item",),
            header_aliases=(
                ("short_desc", "indicator_code"),
                ("years", "year"),
                ("la_and_regions", "area_name"),
                ("values", "value"),
            ),
            signature=("indicator_code", "la_number"),
            max_rows=2_000_000,
        ),
        NATIONAL_DICTIONARY: SourceContract(
            name=NATIONAL_DICTIONARY,
            required=("indicator_code", "topic", "label", "polarity"),
            optional=(
                "measure_code",
                "chart_title",
                "unit",
                "state_funded_flag",
                "table_status",
                "description",
                "last_update",
                "next_update",
                "data_owner",
                "methodology",
                "hyperlinks",
                "dps",
                "year_type",
                "no_quartile",
            ),
            header_aliases=(
                ("measure_short", "indicator_code"),
                ("measure", "label"),
                ("y_axis_name", "unit"),
                ("data_owner_do_supplier_and_contact_details", "data_owner"),
                ("hyperlink_s", "hyperlinks"),
            ),
            signature=("indicator_code", "polarity"),
        ),
        NATIONAL_NEIGHBOURS: SourceContract(
            name=NATIONAL_NEIGHBOURS,
            required=("la_number", "la_name", *_NEIGHBOUR_COLUMNS),
            optional=("la_number_repeated", "region_number", "region"),
            header_aliases=(
                ("la_num", "la_number"),
                ("la_number", "la_number_repeated"),
                ("goind", "region_number"),
                ("goreg", "region"),
            ),
            signature=("la_name", "sn1"),
            rows_above_header=5,
            numbered_repeats=(("snp", "sn"),),
        ),
    }
)


_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalise_header(name: str) -> str:
    """Header names match case-insensitively after trimming: "Core Budget " -> core_budget.

    Runs of anything but letters and digits become one underscore, so "Total (This is the
    amount specified in each SLA)" becomes ``total_this_is_the_amount_specified_in_each_sla``.
    """
    return _NON_WORD.sub("_", name.strip().lower()).strip("_")


def canonical_header(name: str, source: str) -> str:
    """The contract column a header means for ``source`` (or its normalised self)."""
    key = normalise_header(name)
    aliases = dict(CONTRACTS[source].header_aliases)
    return aliases.get(key, key)


def read_seed(name: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class District:
    name: str
    ons_code: str
    area: str


@dataclass(frozen=True)
class Measure:
    code: str
    sort_order: int
    allowed_phases: tuple[str, ...]
    label: str
    description: str


@cache
def districts() -> tuple[District, ...]:
    return tuple(
        District(r["district_name"], r["ons_code"], r["area"]) for r in read_seed("districts")
    )


@cache
def district_names() -> tuple[str, ...]:
    return tuple(d.name for d in districts())


def all_districts_label() -> str:
    """How a heading names the whole county's selection: "all 12 districts"."""
    return f"all {len(district_names())} districts"


@cache
def _district_lookup() -> dict[str, tuple[str, bool]]:
    """Lower-cased spelling -> (canonical name, whether it was an alias)."""
    lookup = {d.name.lower(): (d.name, False) for d in districts()}
    for row in read_seed("district_aliases"):
        lookup.setdefault(_squash(row["alias"]), (row["district_name"], True))
    return lookup


def _squash(text: str) -> str:
    return " ".join(text.strip().lower().split())


@dataclass(frozen=True)
class Normalised:
    """A normalised value and, if the spelling was changed, a note for the steward."""

    value: str | None
    warning: str | None = None
    error: str | None = None


def normalise_district(text: str | None) -> Normalised:
    if text is None or not text.strip():
        return Normalised(None, error="district is blank")
    hit = _district_lookup().get(_squash(text))
    if hit is None:
        return Normalised(None, error=f"unknown district {text.strip()!r}")
    name, was_alias = hit
    if was_alias or text.strip() != name:
        return Normalised(name, warning=f"district {text.strip()!r} read as {name!r}")
    return Normalised(name)


_YEAR_SHORT = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR_SLASH = re.compile(r"^(\d{4})\s*/\s*(\d{2})$")
_YEAR_LONG = re.compile(r"^(\d{4})\s*[-/]\s*(\d{4})$")


def normalise_academic_year(text: str | None) -> Normalised:
    """``YYYY-YY`` with YY = YYYY + 1; ``YYYY/YY`` and ``YYYY-YYYY`` accepted with a warning."""
    if text is None or not text.strip():
        return Normalised(None, error="academic_year is blank")
    raw = text.strip()
    for pattern, exact in ((_YEAR_SHORT, True), (_YEAR_SLASH, False), (_YEAR_LONG, False)):
        match = pattern.match(raw)
        if not match:
            continue
        start, end = int(match.group(1)), match.group(2)
        expected_end = start + 1
        end_ok = int(end) == expected_end if len(end) == 4 else int(end) == expected_end % 100
        if not end_ok:
            return Normalised(None, error=f"academic_year {raw!r} does not span consecutive years")
        value = academic_year_label(start)
        if exact:
            return Normalised(value)
        return Normalised(value, warning=f"academic_year {raw!r} read as {value!r}")
    if looks_like_a_date(raw):
        return Normalised(None, error=f"academic_year {raw!r}{LOOKS_LIKE_A_DATE} as 2023-24")
    return Normalised(None, error=f"academic_year {raw!r} is not written YYYY-YY")


# The first academic year the service's figures can be about: the SEND reforms of the
# Children and Families Act 2014 (EHC plans, SEN Support), which the measures count, began
# in September 2014. A year before it is a typing mistake (1999-00 for 2019-20), not data.
SERVICE_FIRST_ACADEMIC_YEAR = "2014-15"


def current_academic_year(day: date) -> str:
    """The academic year ``day`` falls in: 1 September to 31 August."""
    return academic_year_label(day.year if day.month >= 9 else day.year - 1)


def academic_year_out_of_range(academic_year: str | None, day: date) -> str | None:
    """Why a (valid) academic year cannot hold figures on ``day``, a load's date: it has
    not begun yet, or it is before the service's first year. None when it is fine."""
    if academic_year is None:
        return None
    current = current_academic_year(day)
    if academic_year > current:
        return (
            f"is after the current academic year ({current}, from the date of this load): "
            "figures cannot be sent for a year that has not begun"
        )
    if academic_year < SERVICE_FIRST_ACADEMIC_YEAR:
        return f"is before the service's first year ({SERVICE_FIRST_ACADEMIC_YEAR})"
    return None


def academic_year_label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def academic_year_start(academic_year: str) -> int:
    return int(academic_year[:4])


def census_year_for(academic_year: str) -> int:
    """The January census of calendar year Y belongs to academic year (Y-1)-Y."""
    return academic_year_start(academic_year) + 1


def academic_year_for_census(census_year: int) -> str:
    return academic_year_label(census_year - 1)


@dataclass(frozen=True)
class Phase:
    code: str
    label: str  # "School age (primary and secondary)"
    short_label: str  # "School age": in tables
    sort_order: int
    is_school_age: bool
    in_census: bool


@cache
def phase_catalogue() -> dict[str, Phase]:
    rows = sorted(read_seed("phases"), key=lambda r: int(r["sort_order"]))
    return {
        r["phase_code"]: Phase(
            code=r["phase_code"],
            label=r["phase_label"],
            short_label=r["short_label"],
            sort_order=int(r["sort_order"]),
            is_school_age=r["is_school_age"] == "true",
            in_census=r["in_census"] == "true",
        )
        for r in rows
    }


@cache
def phases() -> tuple[str, ...]:
    return tuple(phase_catalogue())


# The phases the census reports (early years, primary, secondary), and the one phase that
# is primary and secondary together in the termly return: both from seeds/phases.csv.
CENSUS_PHASES: tuple[str, ...] = tuple(p.code for p in phase_catalogue().values() if p.in_census)
SCHOOL_AGE: str = next(
    p.code for p in phase_catalogue().values() if p.is_school_age and not p.in_census
)


@cache
def measures() -> tuple[Measure, ...]:
    return tuple(
        Measure(
            code=r["measure_code"],
            sort_order=int(r["sort_order"]),
            allowed_phases=tuple(r["allowed_phases"].split("|")),
            label=r["measure_label"],
            description=r["description"],
        )
        for r in sorted(read_seed("measures"), key=lambda r: int(r["sort_order"]))
    )


@cache
def measure_catalogue() -> dict[str, Measure]:
    return {m.code: m for m in measures()}


@cache
def term_names() -> dict[int, str]:
    return {int(r["term_number"]): r["term_name"] for r in read_seed("terms")}


_TERM_PART = re.compile(r"\s*([1-9])\s*(?:-\s*([1-9])\s*)?")


def parse_terms(text: str) -> tuple[int, ...]:
    """The one grammar for a list of terms, on the command line and in a page's address:
    ``1-4``, ``1,2,5``, ``3`` or a mix (``1-2,5``). Each term is one of the terms seed's
    numbers; anything else (``1-4,``, ``01``, ``4-1``, ``7``) raises ValueError saying so."""
    valid = set(term_names())
    terms: set[int] = set()
    for part in str(text).split(","):
        match = _TERM_PART.fullmatch(part)
        if match is None:
            raise ValueError(f"{text!r}: write terms like 1-4 or 1,2,3")
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if first > last or not {first, last} <= valid:
            low, high = min(valid), max(valid)
            raise ValueError(f"{text!r}: terms are numbered {low} to {high}, first to last")
        terms.update(range(first, last + 1))
    return tuple(sorted(terms))


def format_terms(terms: Sequence[int]) -> str:
    """Terms written in ``parse_terms``' grammar: (1, 2, 3, 4) -> "1-4"; (1, 3) -> "1,3"."""
    terms = sorted(terms)
    if len(terms) > 1 and terms == list(range(terms[0], terms[-1] + 1)):
        return f"{terms[0]}-{terms[-1]}"
    return ",".join(map(str, terms))


def expected_measure_phases() -> tuple[tuple[str, str], ...]:
    """Every (measure, phase) pair a complete termly submission holds."""
    return tuple((m.code, p) for m in measures() for p in m.allowed_phases)


# --------------------------------------------------------------------------------------
# Child-level sources (Sources 5 and 6): pseudonymised, seen by data stewards only
# --------------------------------------------------------------------------------------

CASELOAD_EPISODE = "caseload_episode"
PUPIL_CENSUS = "pupil_census"
CHILD_SOURCES = (CASELOAD_EPISODE, PUPIL_CENSUS)

CONTRACTS.update(
    {
        CASELOAD_EPISODE: SourceContract(
            name=CASELOAD_EPISODE,
            required=(
                "episode_id",
                "child_key",
                "district",
                "phase",
                "open_date",
                "close_date",
                "closure_reason",
            ),
            header_aliases=(("episode", "episode_id"), ("reason_closed", "closure_reason")),
            # child_key alone is both sources'; the episode's own columns tell them apart.
            signature=("episode_id", "child_key"),
        ),
        PUPIL_CENSUS: SourceContract(
            name=PUPIL_CENSUS,
            required=("census_year", "child_key", "district", "phase", "sen_status"),
            header_aliases=(("sen_provision", "sen_status"),),
            signature=("child_key", "sen_status"),
        ),
    }
)
SOURCES = (*SOURCES, *CHILD_SOURCES)
# Every source a file can be told as from its columns: the council's own (aggregate and
# child-level) and DfE's national files.
READ_SOURCES = (*SOURCES, *NATIONAL_SOURCES)

# The council's keyed hash of a pupil's UPN: 64 hexadecimal characters (SHA-256 width).
CHILD_KEY_LENGTH = 64


@cache
def sen_statuses() -> tuple[str, ...]:
    """The pupil-level census's SEN statuses, in order (seeds/sen_statuses.csv)."""
    rows = sorted(read_seed("sen_statuses"), key=lambda r: int(r["sort_order"]))
    return tuple(r["sen_status_code"] for r in rows)


@cache
def closure_reasons() -> dict[str, str]:
    """Closure reason code -> label, in order (seeds/closure_reasons.csv)."""
    rows = sorted(read_seed("closure_reasons"), key=lambda r: int(r["sort_order"]))
    return {r["closure_reason_code"]: r["closure_reason_label"] for r in rows}


@cache
def outcome_horizons() -> tuple[int, ...]:
    """The months after closure escalation is measured over (seeds/outcome_horizons.csv)."""
    return tuple(sorted(int(r["horizon_months"]) for r in read_seed("outcome_horizons")))
