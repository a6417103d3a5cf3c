"""The answer at a glance: what changed, in plain sentences built from the figures.

The Overview and the committee pack both start here. ``Glance`` holds the committee tables
of a selection (``committee.committee_tables``, never worked out another way): the terms
chosen, the same terms a year earlier, the latest published term alone and the term before
it, Kent as a whole when the selection is some districts, and each district's return
status for the year. From them:

* ``headline`` : every committee figure with a direction of good, now and a year earlier,
  and whether it got better or worse (the chart and the table's marks);
* ``what_changed`` : a few sentences: how many figures improved, the largest rises and
  falls since the same terms last year and since the previous term, the districts whose
  latest return is missing or held back;
* ``freshness`` : the last load and the term expected next.

The only arithmetic here is the difference between two pooled figures. Sentences never rank
districts: they compare figures over time and a selection with Kent.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from warehouse.core import contracts, figures
from warehouse.reporting import committee, comparison, marts
from warehouse.reporting.formatting import format_value, round_half_up

PERCENT = "percent"


@dataclass
class Glance:
    current: committee.CommitteeTables
    before: committee.CommitteeTables | None  # the same terms, a year earlier
    latest: committee.CommitteeTables | None  # the latest published term of those chosen
    previous_term: committee.CommitteeTables | None  # the term before it
    county: committee.CommitteeTables | None  # Kent as a whole, when current is not
    status: pd.DataFrame  # marts.return_status rows of the selection's districts
    phase: str = "all"

    @property
    def year(self) -> str:
        return self.current.selection.academic_year

    @property
    def who(self) -> str:
        """How sentences name the selection: "Kent" or the districts."""
        selection = self.current.selection
        return committee.COUNTY if selection.all_districts else ", ".join(selection.districts)


# ---------------------------------------------------------------- gathering


def previous_year(years: list[str], year: str) -> str | None:
    """The latest year before ``year`` among those published (newest first or any order)."""
    return max((y for y in years if y < year), default=None)


def term_before(year: str, term: int, years: list[str]) -> tuple[str, int] | None:
    """The term before ``term`` of ``year``: the same year's, or the last term (6) of the
    year before when the warehouse holds it."""
    if term > 1:
        return year, term - 1
    earlier = previous_year(years, year)
    return (earlier, max(contracts.term_names())) if earlier else None


def gather(
    cur: duckdb.DuckDBPyConnection, selection: committee.Selection, phase: str = "all"
) -> Glance:
    """A selection's glance straight from the warehouse (``stls report pack``; the dashboard
    gathers the same through its role-aware cache, ``app_data.glance``)."""
    years = committee.available_years(cur)

    def tables(year: str | None, terms: tuple[int, ...], districts=selection.districts):
        if year is None or year not in years:
            return None
        return committee.committee_tables(
            cur, committee.Selection(academic_year=year, terms=terms, districts=districts)
        )

    current = committee.committee_tables(cur, selection)
    before = tables(previous_year(years, selection.academic_year), selection.terms)
    latest = previous = None
    if current.published_terms:
        term = max(current.published_terms)
        latest = tables(selection.academic_year, (term,))
        earlier = term_before(selection.academic_year, term, years)
        previous = tables(earlier[0], (earlier[1],)) if earlier else None
    county = (
        None if selection.all_districts else tables(selection.academic_year, selection.terms, ())
    )
    status = marts.return_status(cur, selection.academic_year)
    status = status[status["district"].isin(selection.district_list())].reset_index(drop=True)
    return Glance(current, before, latest, previous, county, status, phase)


# ---------------------------------------------------------------- the headline figures


def belongs(breakdown: str, phase: str) -> bool:
    """Whether a breakdown belongs to the phase chosen: its own phase, school age with the
    school-age phases, the SEN status of school-age LIFT children with school age; a
    breakdown of no one phase (funding's "all") always."""
    if phase == "all":
        return True
    owner = figures.breakdown_phases().get(breakdown)
    if owner is None:
        return True
    return comparison.keep_breakdown(owner, phase)


def _hidden(tables: committee.CommitteeTables | None) -> set[tuple[str, str]]:
    return comparison.hidden_breakdowns(tables) if tables is not None else set()


def headline(glance: Glance, against: committee.CommitteeTables | None = None) -> pd.DataFrame:
    """One row per committee percentage with a direction of good (and breakdown of the phase
    chosen): ``now``, ``then`` (``against``; default the same terms a year earlier), the
    ``change`` in points, ``better`` (True, False, or None when unchanged or unknown) and
    the figures as shown. Suppressed figures ([c]) are left out."""
    against = glance.before if against is None else against
    hidden = _hidden(glance.current) | _hidden(against)
    rows = []
    for spec in figures.committee_figures():
        if not spec.has_direction or spec.unit != PERCENT:
            continue
        for breakdown, now in glance.current.figures.get(spec.key, {}).items():
            if not belongs(breakdown, glance.phase) or (spec.key, breakdown) in hidden:
                continue
            then = against.figures.get(spec.key, {}).get(breakdown) if against else None
            change = None if now is None or then is None else now - then
            points = None if change is None else float(round_half_up(change, spec.decimals))
            better = None if not points else (points > 0) == (spec.direction == figures.UP)
            rows.append(
                {
                    "figure": spec.key,
                    "breakdown": breakdown,
                    "label": spec.label,
                    "breakdown_label": figures.breakdown_label(breakdown),
                    "name": f"{spec.short_label}: {figures.breakdown_label(breakdown).lower()}",
                    "now": now,
                    "then": then,
                    "change": change,
                    "points": points,
                    "better": better,
                    "direction": spec.direction,
                    "report_table": spec.report_table,
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "figure",
            "breakdown",
            "label",
            "breakdown_label",
            "name",
            "now",
            "then",
            "change",
            "points",
            "better",
            "direction",
            "report_table",
        ],
    )


# ---------------------------------------------------------------- sentences


def _phrase(row) -> str:
    """ "settings attending training (primary)"."""
    return f"{row.label[:1].lower()}{row.label[1:]} ({row.breakdown_label.lower()})"


def _moved(row) -> str:
    """ "up 17 points to 66%" (from the unrounded change, rounded as shown)."""
    points = abs(row.points)
    word = "point" if points == 1 else "points"
    way = "up" if row.points > 0 else "down"
    return f"{way} {points:,.0f} {word} to {format_value(row.now, PERCENT)}"


def _moves(frame: pd.DataFrame, since: str) -> list[str]:
    """How many improved or got worse, the largest rise and the largest fall."""
    known = frame[frame["points"].notna()]
    if known.empty:
        return []
    improved = int((known["better"] == True).sum())  # noqa: E712 (a column of objects)
    worse = int((known["better"] == False).sum())  # noqa: E712
    same = len(known) - improved - worse
    out = [
        f"{since}: {improved} of the {len(known)} figures with a direction of good improved, "
        f"{worse} got worse" + (f" and {same} did not change." if same else ".")
    ]
    rises = known[known["points"] > 0].sort_values("change", ascending=False)
    falls = known[known["points"] < 0].sort_values("change")
    if len(rises):
        top = rises.iloc[0]
        out.append(f"Largest rise: {_phrase(top)}, {_moved(top)}.")
    if len(falls):
        low = falls.iloc[0]
        out.append(f"Largest fall: {_phrase(low)}, {_moved(low)}.")
    return out


def _terms_words(terms: list[int] | tuple[int, ...]) -> str:
    terms = sorted(terms)
    if len(terms) > 1 and terms == list(range(terms[0], terms[-1] + 1)):
        return f"terms {terms[0]} to {terms[-1]}"
    return ("term " if len(terms) == 1 else "terms ") + ", ".join(map(str, terms))


def returns_sentence(glance: Glance) -> str | None:
    """Which districts' latest return is missing or held back (and why), or that every one
    is published."""
    status = glance.status
    if status.empty or not glance.current.published_terms:
        return None
    term = max(glance.current.published_terms)
    latest = status[status["term"] == term]
    missing = sorted(latest.loc[latest["return_status"] == "missing", "district"])
    held = latest[latest["return_status"].isin(("held", "published_held"))]
    where = f"Term {term} of {glance.year}"
    if not missing and held.empty:
        who = "every district's" if glance.current.selection.all_districts else f"{glance.who}'s"
        return f"{where}: {who} return is published."
    parts = []
    if missing:
        parts.append(f"no return from {_and(missing)} (left out of the figures: unknown, not zero)")
    for row in held.itertuples():
        kept = " (its earlier return stands)" if row.return_status == "published_held" else ""
        parts.append(
            f"{row.district}'s return is held back by the data-quality checks{kept}: "
            f"{row.held_reason}"
        )
    return f"{where}: " + "; ".join(parts) + "."


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def county_sentence(glance: Glance) -> str | None:
    """A selection of districts against Kent as a whole: on how many figures it is above,
    below or level (no district is ranked)."""
    if glance.county is None:
        return None
    mine = headline(glance, against=glance.county)
    known = mine[mine["points"].notna()]
    if known.empty and mine.empty:
        return None
    above = int((known["better"] == True).sum())  # noqa: E712
    below = int((known["better"] == False).sum())  # noqa: E712
    level = len(mine) - above - below
    return (
        f"Against {committee.COUNTY} as a whole for the same terms, {glance.who} did better on "
        f"{above} of the {len(mine)} figures with a direction of good and worse on {below}"
        + (f"; {level} were level or not known." if level else ".")
    )


def what_changed(glance: Glance) -> list[str]:
    """The sentences: since the same terms last year, since the previous term, against
    Kent (for some districts), and the latest term's missing and held returns."""
    out: list[str] = []
    chosen = _terms_words(glance.current.selection.terms)
    if glance.before is not None:
        since = f"Against {chosen} of {glance.before.selection.academic_year}"
        out += _moves(headline(glance), since)
    else:
        out.append(f"The warehouse holds no year before {glance.year} to compare with.")
    if glance.latest is not None and glance.previous_term is not None:
        now_term = glance.latest.selection.terms[0]
        then = glance.previous_term.selection
        since = f"Term {now_term} of {glance.year} against term {then.terms[0]}" + (
            "" if then.academic_year == glance.year else f" of {then.academic_year}"
        )
        latest = Glance(glance.latest, None, None, None, None, glance.status, glance.phase)
        out += _moves(headline(latest, against=glance.previous_term), since)
    county = county_sentence(glance)
    if county:
        out.append(county)
    returns = returns_sentence(glance)
    if returns:
        out.append(returns)
    return out


# ---------------------------------------------------------------- freshness


def _term_words(term: int) -> str:
    rows = {int(r["term_number"]): r for r in contracts.read_seed("terms")}
    row = rows.get(term)
    return f"term {term} ({row['term_name']}, {row['months']})" if row else f"term {term}"


def next_expected(year: str, latest_term: int | None) -> str:
    """The returns expected next: the term after the latest published one, or term 1 of
    the next academic year after term 6."""
    last = max(contracts.term_names())
    if latest_term is None:
        return f"{_term_words(1)} of {year}"
    if latest_term < last:
        return f"{_term_words(latest_term + 1)} of {year}"
    start = int(year[:4]) + 1
    return f"{_term_words(1)} of {start}-{str(start + 1)[-2:]}"


def freshness(loads: pd.DataFrame, year: str, published_terms: list[int]) -> str:
    """The last load (when, what kind, how it went) and the returns expected next."""
    parts = []
    if len(loads):
        last = loads.iloc[0]
        finished = last["finished_at"]
        when = f"{finished:%-d %B %Y at %H:%M} UTC" if pd.notna(finished) else "still running"
        kind = "the illustrative demo data" if last["kind"] == "demo" else "a termly load"
        parts.append(f"Last load: {when}, {kind} ({str(last['status']).replace('_', ' ')}).")
    else:
        parts.append("No load has finished yet.")
    latest = max(published_terms, default=None)
    if latest is not None:
        parts.append(f"Latest returns: {_term_words(latest)} of {year}.")
    parts.append(f"Expected next: the returns for {next_expected(year, latest)}.")
    return " ".join(parts)


def own_return(status: pd.DataFrame, district: str, year: str, term: int) -> tuple[str, str]:
    """A district's own return for a term, for its lead: (status, one or two sentences).
    The status is the mart's (published, published_held, held, missing); the reason a
    return is held is the audit's, which may quote the file (show it as plain text)."""
    rows = status[(status["district"] == district) & (status["term"] == term)]
    where = f"term {term} of {year}"
    if rows.empty:
        return "missing", f"No return from {district} for {where} has arrived yet."
    row = rows.iloc[0]
    kind = str(row["return_status"])
    if kind == "published":
        loaded = row["loaded_at"]
        when = f", loaded {loaded:%-d %B %Y}" if pd.notna(loaded) else ""
        return kind, f"{district}'s return for {where} is published{when}."
    if kind == "published_held":
        return kind, (
            f"{district}'s latest return for {where} is held back by the data-quality checks "
            f"({row['held_reason']}); its earlier return for that term stands until a "
            "corrected file arrives."
        )
    if kind == "held":
        return kind, (
            f"{district}'s return for {where} is held back by the data-quality checks and "
            f"not published ({row['held_reason']}): the figures leave that term out until a "
            "corrected file arrives."
        )
    return kind, (
        f"No return from {district} for {where}: other districts' returns for it are "
        "published, and the figures leave that term out for "
        f"{district} (unknown, not zero)."
    )
