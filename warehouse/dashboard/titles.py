"""Active chart titles: what each chart shows, in ten words or fewer.

Each builder reads the figures and says what they show ("Thanet was lowest for
engagement"). ``fit`` keeps the first candidate of ten words or fewer, so a long district
name falls back to a shorter wording rather than a long title.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from warehouse.core import contracts
from warehouse.dashboard.chart_rules import below as is_below
from warehouse.reporting.formatting import format_value, round_half_up

MAX_WORDS = 10


def sentence(text: str) -> str:
    """Capitalise the first letter only ("EHC plan", not "Ehc plan")."""
    return text[:1].upper() + text[1:]


def words(title: str) -> int:
    return len(title.split())


def fit(*candidates: str) -> str:
    """The first candidate of at most ten words (the last one, shortened, if none is)."""
    for title in candidates:
        if words(title) <= MAX_WORDS:
            return title
    return " ".join(candidates[-1].split()[:MAX_WORDS])


def _number(value: object) -> float | None:
    """A figure, or None for a symbol ([c], [x]) or a missing value."""
    if value is None or isinstance(value, str):
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def _known(values: Sequence[tuple[str, object]]) -> list[tuple[str, float]]:
    return [(k, n) for k, v in values if (n := _number(v)) is not None]


def lowest_against(
    values: Sequence[tuple[str, object]],
    comparator_value: float | None,
    noun: str,
    comparator: str,
) -> str:
    """District bars against the county: who was lowest and by how much."""
    known = _known(values)
    if not known:
        return fit(f"No published {noun} figures for this choice")
    low_name, low = min(known, key=lambda kv: kv[1])
    high_name, _ = max(known, key=lambda kv: kv[1])
    if len(known) == 1:  # one district: against the county, never "lowest"
        return against_county(low_name, low, comparator_value, noun, "percent", comparator)
    if comparator_value is None:
        return fit(f"{low_name}: {noun} {format_value(low, 'percent')}")
    gap = comparator_value - low
    points = int(round_half_up(float(gap), 0))
    below = sum(1 for _, v in known if is_below(v, comparator_value))
    return fit(
        f"{low_name} lowest for {noun}, {points} points below {comparator}",
        f"{low_name} lowest for {noun}, {points} points below",
        f"{below} of {len(known)} districts below {comparator} for {noun}",
        f"{low_name} was lowest for {noun}",
        f"{high_name} highest for {noun}",
    )


def spread(values: Sequence[object], noun: str, where: str, unit: str = "percent") -> str:
    """A heat map or table: the range of the figures."""
    known = [n for v in values if (n := _number(v)) is not None]
    if not known:
        return fit(f"No published {noun} figures for this choice")
    low, high = format_value(min(known), unit), format_value(max(known), unit)
    if len(known) == 1:
        return fit(f"{sentence(noun)} was {low} {where}", f"{sentence(noun)} was {low}")
    if low == high:
        return fit(f"{sentence(noun)} was {low} {where}", f"{sentence(noun)} was {low}")
    return fit(
        f"{sentence(noun)} ranged from {low} to {high} {where}",
        f"{sentence(noun)} ranged from {low} to {high}",
    )


def trend(series: dict[str, Sequence[tuple[int, object]]], noun: str) -> str:
    """Lines over terms: the series that moved most, first known term to last."""
    best: tuple[float, str, float, float, int, int] | None = None
    for name, points in series.items():
        known = [(t, n) for t, v in points if (n := _number(v)) is not None]
        if len(known) < 2:
            continue
        (t0, v0), (t1, v1) = known[0], known[-1]
        change = v1 - v0
        if best is None or abs(change) > abs(best[0]):
            best = (change, name, v0, v1, t0, t1)
    if best is None:
        return fit(f"{sentence(noun)} by term: too few terms to compare")
    change, name, v0, v1, t0, t1 = best
    a, b = format_value(v0, "percent"), format_value(v1, "percent")
    if a == b:
        return fit(f"{name} {noun} held at {a} from term {t0}", f"{sentence(noun)} held steady")
    verb = "rose" if change > 0 else "fell"
    return fit(
        f"{name} {noun} {verb} from {a} to {b} by term {t1}",
        f"{name} {noun} {verb} from {a} to {b}",
        f"{sentence(noun)} {verb} from {a} to {b}",
    )


def largest(values: Sequence[tuple[str, object]], what: str, unit: str) -> str:
    """Bars of a count or amount: who had the most."""
    known = _known(values)
    if not known:
        return fit(f"No {what} figures for this choice")
    name, value = max(known, key=lambda kv: kv[1])
    if len(known) == 1:  # one district: its figure, never "the largest"
        return fit(f"{name}: {what} {format_value(value, unit)}", f"{name}: {what}")
    return fit(
        f"{name} had the largest {what}, {format_value(value, unit)}",
        f"{name} had the largest {what}",
        f"Largest {what}: {name}",
    )


def funding_range(
    values: Sequence[tuple[str, object]],
    basis: str,
    county: float | None = None,
    comparator: str = contracts.COUNTY,
) -> str:
    """Funding bars: the range across districts; one district against the county."""
    known = _known(values)
    if not known:
        return fit("No SLA funding published for this year")
    if len(known) == 1:
        name, value = known[0]
        return against_county(name, value, county, f"funding {basis}", "GBP", comparator)
    _, low = min(known, key=lambda kv: kv[1])
    high_name, high = max(known, key=lambda kv: kv[1])
    return fit(
        f"{high_name} received most {basis}, {format_value(high, 'GBP')}",
        f"Funding {basis} ranged from {format_value(low, 'GBP')} to {format_value(high, 'GBP')}",
        f"{high_name} received the most {basis}",
    )


def link(r: float | None, x_noun: str, y_noun: str, words_for_link: str) -> str:
    """A scatter plot: what the link can be said to be (``stats.link_words``: "no clear
    link" unless the interval leaves out zero, then only its direction)."""
    if r is None:
        return fit(f"Too few districts to judge {x_noun} and {y_noun}")
    return fit(
        f"{sentence(words_for_link)} between {x_noun} and {y_noun}",
        f"{sentence(words_for_link)} with {x_noun}",
        sentence(words_for_link),
    )


def against_county(
    name: str, value: object, county: float | None, noun: str, unit: str, comparator: str
) -> str:
    """One district against the county, never a ranking: "Thanet 3 points below Kent for
    engagement", "Thanet: £32 per pupil, Kent £25"."""
    mine = _number(value)
    if mine is None:
        return fit(f"{name}: no published {noun} figure for this choice", f"{name}: no {noun}")
    shown = format_value(mine, unit)
    if county is None:
        return fit(f"{name}: {noun} {shown}", f"{name}: {shown}")
    if unit in ("percent", "percent1"):
        gap = round_half_up(mine - county, 1 if unit == "percent1" else 0)
        if gap == 0:
            return fit(f"{name} level with {comparator} for {noun}, {shown}", f"{name}: {shown}")
        word = "point" if abs(gap) == 1 else "points"
        way = "above" if gap > 0 else "below"
        return fit(
            f"{name} {abs(gap)} {word} {way} {comparator} for {noun}",
            f"{name} {abs(gap)} {word} {way} {comparator}",
        )
    return fit(
        f"{name}: {noun} {shown}, {comparator} {format_value(county, unit)}",
        f"{name}: {shown}, {comparator} {format_value(county, unit)}",
    )


def biggest_gap(values: Sequence[tuple[str, object]], split: str) -> str:
    """Allocation against a needs-based split: the district furthest from it."""
    known = _known(values)
    if not known:
        return fit("No SLA funding published for this year")
    name, diff = max(known, key=lambda kv: abs(kv[1]))
    verb = "more" if diff > 0 else "less"
    amount = format_value(abs(diff), "GBP_short")
    return fit(
        f"{name} gets {amount} {verb} than a split by {split}",
        f"{name}: furthest from a split by {split}",
        f"{name} is furthest from a needs-based split",
    )


def rates_rose(changes: Sequence[tuple[str, object]], what: str, since: int) -> str:
    """Small multiples of a rate over census years: how many districts rose."""
    known = _known(changes)
    if not known:
        return fit(f"No census {what} figures for this choice")
    rose = sum(1 for _, v in known if v > 0)
    if rose == len(known):
        who = "every district" if len(known) > 1 else known[0][0]
        return fit(f"{sentence(what)} rose in {who} since {since}")
    if rose == 0:
        return fit(f"{sentence(what)} fell or held in every district since {since}")
    return fit(
        f"{sentence(what)} rose in {rose} of {len(known)} districts since {since}",
        f"{sentence(what)} rose in {rose} of {len(known)} districts",
    )
