"""The figure catalogue: every published figure, defined once in ``dbt/seeds/figures.csv``.

dbt builds each figure's numerator and denominator per district-term from the same file
(``int_figures__parts`` reads its numerator and denominator columns); this module reads the
rest of each row (label, report table, unit, decimals, method, breakdowns, direction of good,
which figures count children, the definition in words) for everything that shows a figure:
the committee tables, the pages, the About page, the CLI and the downloads. Nothing else
restates a label, a unit, a direction or a definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from warehouse.core import contracts

RATE = "rate"  # 100 x sum of numerators / sum of denominators
RATIO = "ratio"  # sum of numerators / sum of denominators
AVERAGE_PER_TERM = "average_per_term"  # sum of numerators / terms with a published return
TOTAL = "total"  # sum of numerators
METHODS = (RATE, RATIO, AVERAGE_PER_TERM, TOTAL)

BY_BREAKDOWN = "breakdown"  # one value per breakdown (phases, SEN status)
BY_DISTRICT = "district"  # one value per district and one for the districts together

UP, DOWN, NONE = "up", "down", "none"

CHILD_COUNT = "count"  # the figure counts children: 1 to 4 is suppressed below county level
FROM_CHILD_COUNT = "derived"  # worked out from a count of children: suppressed with it


@dataclass(frozen=True)
class Figure:
    key: str
    sort_order: int
    label: str
    short_label: str  # in table columns and chart axes: "Funding per pupil on roll"
    report_table: str  # "Table 1", "2.22", or "" for a figure the report has no table for
    in_committee_tables: bool
    unit: str  # percent | pupils | events | GBP
    decimals: int  # as the committee report prints it
    method: str
    breakdowns: tuple[str, ...]
    shown_by: str
    direction: str  # up: a rise is an improvement; down: a fall is; none: context
    child_counts: str  # "", CHILD_COUNT or FROM_CHILD_COUNT
    definition: str

    @property
    def title(self) -> str:
        """The label with the report's table: "Settings attending LIFT (Table 2)"."""
        return f"{self.label} ({self.report_table})" if self.report_table else self.label

    @property
    def column(self) -> str:
        """A table column or axis title for the figure, with its unit: "EHC plan rate (%)"."""
        suffix = {"percent": " (%)", "GBP": " (£)"}.get(self.unit, "")
        return self.short_label + suffix

    @property
    def has_direction(self) -> bool:
        return self.direction in (UP, DOWN)


@cache
def catalogue() -> dict[str, Figure]:
    """Every figure of the catalogue, in its order."""
    rows = sorted(contracts.read_seed("figures"), key=lambda r: int(r["sort_order"]))
    return {
        r["figure_key"]: Figure(
            key=r["figure_key"],
            sort_order=int(r["sort_order"]),
            label=r["label"],
            short_label=r["short_label"],
            report_table=r["report_table"],
            in_committee_tables=r["in_committee_tables"] == "true",
            unit=r["unit"],
            decimals=int(r["decimals"]),
            method=r["method"],
            breakdowns=tuple(r["breakdowns"].split("|")),
            shown_by=r["shown_by"],
            direction=r["direction"],
            child_counts=r["child_counts"],
            definition=r["definition"],
        )
        for r in rows
    }


def figure(key: str) -> Figure:
    try:
        return catalogue()[key]
    except KeyError:
        raise KeyError(f"no figure {key!r} in the figure catalogue") from None


@cache
def committee_figures() -> tuple[Figure, ...]:
    """The figures of ``stls report tables``, in the committee report's order."""
    return tuple(f for f in catalogue().values() if f.in_committee_tables)


@cache
def breakdown_labels() -> dict[str, str]:
    """Breakdown code -> how tables show it ("School age", "Receiving HNF")."""
    labels = {code: phase.short_label for code, phase in contracts.phase_catalogue().items()}
    labels.update(
        {r["breakdown_code"]: r["breakdown_label"] for r in contracts.read_seed("breakdowns")}
    )
    return labels


def breakdown_label(code: str) -> str:
    return breakdown_labels().get(code, code)


@cache
def breakdown_phases() -> dict[str, str]:
    """Breakdown code -> the phase it belongs to: a phase is its own; the SEN status of
    children presented at school-age LIFT belongs to school age (seeds/breakdowns.csv);
    a breakdown of no one phase ("all") is absent."""
    phases = {code: code for code in contracts.phase_catalogue()}
    phases.update(
        {
            r["breakdown_code"]: r["phase_code"]
            for r in contracts.read_seed("breakdowns")
            if r.get("phase_code")
        }
    )
    return phases
