"""What the pages show beyond the committee tables, pooled from the figure mart.

Every function here takes rows of ``marts.mart_figure_district_term`` (one row per figure,
breakdown, district and term, with the numerator and denominator dbt worked out) and pools
a selection of them with ``warehouse.core.pooling``: by district, by term, by phase, or over
several phases ("all phases" pools early years, primary and secondary). No figure is
worked out any other way, so for one phase and the same districts and terms these are
exactly the committee tables' figures (the tests check it).

Besides pooling, the pages need a change between two pooled values (a difference) and a
correlation across districts (``warehouse.reporting.stats``); both take pooled figures as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from warehouse.core import contracts, figures, pooling

ALL_PHASES = "all"

# What the pages work out from pooled figures, in words (the About page lists these).
ANALYSES: dict[str, str] = {
    "All phases (engagement, LIFT, training)": (
        "Early years, primary and secondary pooled: the settings of the three phases added "
        "up over the district-terms where each is known, over the census settings of the "
        "same district-terms and phases."
    ),
    "Needs-based split": (
        "The SLA total of the districts compared (Kent's, for a district lead) shared out in "
        "proportion to each district's primary and secondary pupils on roll, or pupils with "
        "SEN; the difference is the allocation minus that share."
    ),
    "Change in EHC plan rate": (
        "The EHC plan rate of primary and secondary pupils in the year's census minus the "
        "rate in the census a year earlier, in percentage points."
    ),
    "Correlation": (
        "Pearson's correlation coefficient r across the chosen districts (from -1 to +1); it "
        "describes a pattern and does not show cause."
    ),
}

# The settings figures the District engagement page offers: the choice as the address
# writes it -> (figure, the word for it in titles).
SETTINGS_CHOICES: dict[str, tuple[str, str]] = {
    "engagement": ("engagement_pct", "engagement"),
    "lift": ("lift_attendance_pct", "LIFT attendance"),
    "training": ("training_attendance_pct", "training"),
}
SETTINGS_FIGURES = tuple(figure for figure, _ in SETTINGS_CHOICES.values())


def phases_for(phase: str) -> tuple[str, ...]:
    """The census phases a phase choice covers ("all": every one of them)."""
    return contracts.CENSUS_PHASES if phase == ALL_PHASES else (phase,)


def select(
    rows: pd.DataFrame,
    figure: str,
    districts: Sequence[str] | None = None,
    terms: Sequence[int] | None = None,
    breakdowns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One figure's rows for some districts, terms (rows with no term always belong) and
    breakdowns."""
    keep = rows["figure_key"] == figure
    if districts is not None:
        keep &= rows["district"].isin(list(districts))
    if terms is not None:
        keep &= rows["term_number"].isna() | rows["term_number"].isin(list(terms))
    if breakdowns is not None:
        keep &= rows["breakdown"].isin(list(breakdowns))
    return rows[keep]


def pooled(rows: pd.DataFrame, figure: str, by: Sequence[str] = (), **chosen) -> pd.DataFrame:
    """``pooling.pool`` of one figure's chosen rows with the figure's own method."""
    return pooling.pool(select(rows, figure, **chosen), figures.figure(figure).method, by)


def value(rows: pd.DataFrame, figure: str, **chosen) -> float | None:
    """The one pooled value of a figure's chosen rows."""
    return pooled(rows, figure, **chosen)["value"].iloc[0]


def pooled_by_district(
    rows: pd.DataFrame, figure: str, districts: Sequence[str], **chosen
) -> pd.DataFrame:
    """``pooled`` by district, one row per chosen district in their order (a district with
    no rows chosen has no value): each district pooled on its own, in one pass."""
    frame = pooled(rows, figure, ["district"], districts=districts, **chosen)
    frame = frame.set_index("district").reindex(list(districts))
    frame["value"] = frame["value"].astype(object).where(frame["value"].notna(), None)
    return frame


def _records(districts: Sequence[str], key: str, columns: dict[str, list]) -> pd.DataFrame:
    """One row per district: ``key`` naming it, then each column's value for it."""
    return pd.DataFrame(
        [
            {key: district, **{name: values[i] for name, values in columns.items()}}
            for i, district in enumerate(districts)
        ]
    )


def _renamed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={"term_number": "term", "breakdown": "phase", "value": "rate"})


@dataclass
class SettingsView:
    """One settings figure for the chosen phase(s), districts and terms, pooled."""

    by_district_term: pd.DataFrame  # district, term, rate
    by_district: pd.DataFrame  # district, rate, terms (terms with a published return)
    county_by_term: pd.DataFrame  # term, rate
    county: float | None
    by_phase_term: pd.DataFrame  # phase, term, rate (the chosen districts together)


def settings_view(
    rows: pd.DataFrame,
    figure: str,
    phase: str,
    districts: Sequence[str],
    terms: Sequence[int],
) -> SettingsView:
    chosen = {"districts": districts, "terms": terms}
    phases = phases_for(phase)
    by_dt = pooled(rows, figure, ["district", "term_number"], breakdowns=phases, **chosen)
    by_d = pooled(rows, figure, ["district"], breakdowns=phases, **chosen)
    county_t = pooled(rows, figure, ["term_number"], breakdowns=phases, **chosen)
    by_pt = pooled(
        rows, figure, ["breakdown", "term_number"], breakdowns=contracts.CENSUS_PHASES, **chosen
    )
    return SettingsView(
        by_district_term=_renamed(by_dt)[["district", "term", "rate"]],
        by_district=_renamed(by_d)[["district", "rate", "terms"]],
        county_by_term=_renamed(county_t)[["term", "rate"]],
        county=value(rows, figure, breakdowns=phases, **chosen),
        by_phase_term=_renamed(by_pt)[["phase", "term", "rate"]],
    )


def missing_district_terms(
    status: pd.DataFrame, districts: Sequence[str], terms: Sequence[int]
) -> list[tuple[str, int]]:
    """(district, term) pairs chosen with no published return, in terms some district has
    a published return for (a term nobody has sent is simply not in yet)."""
    gone = status[
        status["district"].isin(list(districts))
        & status["term"].isin(list(terms))
        & ~status["has_published_return"].astype(bool)
        & status["term_has_published_returns"].astype(bool)
    ]
    return [(str(d), int(t)) for d, t in zip(gone["district"], gone["term"], strict=True)]


# Caseload and active support: the columns of ``caseload_table`` -> (figure, breakdowns).
CASELOAD_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "cy_ey": ("caseload_avg", ("early_years",)),
    "cy_pri": ("caseload_avg", ("primary",)),
    "cy_sec": ("caseload_avg", ("secondary",)),
    "cy_sa": ("caseload_avg", ("primary", "secondary")),
    "cy_all": ("caseload_avg", ("early_years", "primary", "secondary")),
    "as_ey": ("actively_supported_avg", ("early_years",)),
    "as_sa": ("actively_supported_avg", ("school_age",)),
    "as_all": ("actively_supported_avg", ("early_years", "school_age")),
    "pct_ey": ("actively_supported_pct_of_caseload", ("early_years",)),
    "pct_sa": ("actively_supported_pct_of_caseload", ("school_age",)),
}
CASELOAD_FIGURES = tuple(dict.fromkeys(f for f, _ in CASELOAD_COLUMNS.values()))


def caseload_row(rows: pd.DataFrame, name: str, districts, terms) -> dict[str, object]:
    """Caseload and active support, average per term, for districts pooled together."""
    row: dict[str, object] = {"District": name}
    for column, (figure, breakdowns) in CASELOAD_COLUMNS.items():
        row[column] = value(rows, figure, districts=districts, terms=terms, breakdowns=breakdowns)
    return row


def _by_label_and_district(
    parts: list[pd.DataFrame], methods: dict[str, str]
) -> dict[tuple[str, str], tuple[object, int]]:
    """``pooling.pool`` of the labelled parts by label and district, in one pass: (label,
    district) -> its pooled value and terms. A group's rows are those it would pool on its
    own; a district with no rows for a label is not there."""
    pooled_all = pooling.pool(
        pd.concat(parts, ignore_index=True), methods, [pooling.FIGURE_KEY, "district"]
    )
    keys = zip(pooled_all[pooling.FIGURE_KEY], pooled_all["district"], strict=True)
    found = zip(pooled_all["value"], pooled_all["terms"], strict=True)
    return dict(zip(keys, found, strict=True))


def _values(
    pooled: dict[tuple[str, str], tuple[object, int]], label: str, districts: Sequence[str]
) -> list[object]:
    """Each district's pooled value for ``label`` (None: no rows, or unknown)."""
    return [pooled.get((label, d), (None, 0))[0] for d in districts]


def caseload_table(
    rows: pd.DataFrame, districts: Sequence[str], terms: Sequence[int]
) -> pd.DataFrame:
    """One row per district: ``CASELOAD_COLUMNS`` (each district as ``caseload_row``
    gives it on its own).

    Every column is pooled by district in one pass: each column's rows are labelled with
    the column (in place of their figure) and pooled by each column's own method, grouped
    by column and district. Pooling the ten columns one after another took 65-127 ms for a
    year's rows; a group's rows and their order are the same either way, so are its sums."""
    parts, methods = [], {}
    for column, (figure, breakdowns) in CASELOAD_COLUMNS.items():
        chosen = select(rows, figure, districts=districts, terms=terms, breakdowns=breakdowns)
        parts.append(chosen.assign(**{pooling.FIGURE_KEY: column}))
        methods[column] = figures.figure(figure).method
    pooled = _by_label_and_district(parts, methods)
    columns = {column: _values(pooled, column, districts) for column in CASELOAD_COLUMNS}
    return _records(districts, "District", columns)


# Funding: the columns of ``funding_table``.
FUNDING_FIGURES = (
    "sla_funding",
    "funding_per_pupil",
    "funding_per_sen_pupil",
    "funding_per_caseload_pupil",
    "caseload_avg",
)


def funding_row(rows: pd.DataFrame, name: str, districts, terms) -> dict[str, object]:
    """SLA funding, pupils, pupils with SEN, caseload and funding per pupil of each kind,
    for districts pooled together."""
    chosen = {"districts": districts, "terms": terms}
    per_pupil = pooled(rows, "funding_per_pupil", **chosen).iloc[0]
    per_sen = pooled(rows, "funding_per_sen_pupil", **chosen).iloc[0]
    return {
        "District": name,
        "budget": value(rows, "sla_funding", **chosen),
        "pupils": per_pupil["denominator"],
        "sen": per_sen["denominator"],
        "caseload": value(rows, "caseload_avg", breakdowns=contracts.CENSUS_PHASES, **chosen),
        "pupil": per_pupil["value"],
        "caseload_per": value(rows, "funding_per_caseload_pupil", **chosen),
        "sen_per": per_sen["value"],
    }


def funding_table(
    rows: pd.DataFrame, districts: Sequence[str], terms: Sequence[int]
) -> pd.DataFrame:
    """One row per district, each as ``funding_row`` gives it on its own."""
    chosen = {"terms": terms}
    per_pupil = pooled_by_district(rows, "funding_per_pupil", districts, **chosen)
    per_sen = pooled_by_district(rows, "funding_per_sen_pupil", districts, **chosen)
    caseload = pooled_by_district(
        rows, "caseload_avg", districts, breakdowns=contracts.CENSUS_PHASES, **chosen
    )
    columns = {
        "budget": list(pooled_by_district(rows, "sla_funding", districts, **chosen)["value"]),
        "pupils": list(per_pupil["denominator"]),
        "sen": list(per_sen["denominator"]),
        "caseload": list(caseload["value"]),
        "pupil": list(per_pupil["value"]),
        "caseload_per": list(
            pooled_by_district(rows, "funding_per_caseload_pupil", districts, **chosen)["value"]
        ),
        "sen_per": list(per_sen["value"]),
    }
    return _records(districts, "District", columns)


def needs_based_split(
    funding: pd.DataFrame, total: float, pupils: float, sen: float
) -> pd.DataFrame:
    """Each district's SLA allocation beside the ``total`` shared out in proportion to its
    pupils on roll and to its pupils with SEN (the whole the shares are of: ``pupils`` and
    ``sen``, Kent's for a viewer who sees one district), and the differences. A positive
    difference means the district receives more than that split would give it."""
    frame = funding[["District", "budget", "pupils", "sen"]].reset_index(drop=True)
    frame["by_pupils"] = pooling.share_out(total, frame["pupils"], whole=pupils)
    frame["by_sen_pupils"] = pooling.share_out(total, frame["sen"], whole=sen)
    frame["difference_by_pupils"] = frame["budget"] - frame["by_pupils"]
    frame["difference_by_sen_pupils"] = frame["budget"] - frame["by_sen_pupils"]
    return frame


CENSUS_FIGURES = ("ehcp_rate_pct", "sen_support_rate_pct")


def own_censuses(rows: pd.DataFrame) -> pd.DataFrame:
    """The census rows of each census year's own census: rows where an earlier census
    stands in for a missing one are left out, so each census year counts once."""
    return rows[~rows["census_is_fallback"].astype(bool)]


def census_rates(
    rows: pd.DataFrame, phase: str, districts: Sequence[str], by_district: bool = True
) -> pd.DataFrame:
    """EHC plan and SEN support counts and rates per census year (and district), for the
    phase (all phases: the census phases pooled). Each census year once: rows where an
    earlier census stands in for a missing one are left out."""
    own = own_censuses(rows)
    by = ["district", "census_year"] if by_district else ["census_year"]
    frames = []
    for figure, count in (("ehcp_rate_pct", "ehcp"), ("sen_support_rate_pct", "sen_support")):
        part = pooled(own, figure, by, districts=districts, breakdowns=phases_for(phase))
        frames.append(
            part.rename(columns={"numerator": count, "denominator": "pupils", "value": figure})[
                [*by, count, "pupils", figure]
            ]
        )
    merged = frames[0].merge(frames[1].drop(columns="pupils"), on=by, how="outer")
    merged["census_year"] = merged["census_year"].astype(int)
    return merged.sort_values(by).reset_index(drop=True)


def up_to_census(rates: pd.DataFrame, year: int) -> pd.DataFrame:
    """The rows of ``census_rates`` for the censuses up to January ``year``: what a page or
    the pack shows for a chosen year (a later census is not yet history)."""
    return rates[rates["census_year"] <= year]


INCLUSION_MEASURES = (
    "engagement_pct",
    "lift_attendance_pct",
    "cases_closed_targets_met_pct_of_reviewed",
)


PUBLISHED_TERMS = "published_terms"  # the label of the terms a district published


def _inclusion_parts(
    rows: pd.DataFrame, districts: Sequence[str], academic_year: str
) -> tuple[list[pd.DataFrame], dict[str, str]]:
    """The rows ``inclusion_by_district`` pools, each labelled with its measure (or
    ``published_terms``) in place of its figure, and each label's pooling method."""
    year_rows = rows[rows["academic_year"] == academic_year]
    parts, methods = [], {}
    for figure in INCLUSION_MEASURES:
        phases = figures.figure(figure).breakdowns
        chosen = select(year_rows, figure, districts=districts, breakdowns=phases)
        parts.append(chosen.assign(**{pooling.FIGURE_KEY: figure}))
        methods[figure] = figures.figure(figure).method
    # The terms published: every return of the year, whatever its phases.
    engaged = select(year_rows, "engagement_pct", districts=districts)
    parts.append(engaged.assign(**{pooling.FIGURE_KEY: PUBLISHED_TERMS}))
    methods[PUBLISHED_TERMS] = figures.figure("engagement_pct").method
    return parts, methods


def _inclusion_out(
    pooled: dict[tuple[str, str], tuple[object, int]], districts: Sequence[str]
) -> dict[str, list]:
    out: dict[str, list] = {}
    for figure in INCLUSION_MEASURES:
        out[figure] = _values(pooled, figure, districts)
    out[PUBLISHED_TERMS] = [int(pooled.get((PUBLISHED_TERMS, d), (None, 0))[1]) for d in districts]
    return out


def inclusion_by_district(
    rows: pd.DataFrame, districts: Sequence[str], academic_year: str
) -> dict[str, list]:
    """The service's inclusion measures of each district on its own, pooled over the
    academic year's published terms (settings: the census phases pooled), and the terms
    published, all in one pass: each measure (and ``published_terms``) -> its values in
    the order of ``districts``."""
    parts, methods = _inclusion_parts(rows, districts, academic_year)
    return _inclusion_out(_by_label_and_district(parts, methods), districts)


def first_to_last(
    frame: pd.DataFrame, group: str, order: str, column: str
) -> list[tuple[str, float | None]]:
    """Each ``group`` (in the frame's order): its last shown value of ``column`` minus its
    first, in ``order``. A suppressed cell ("[c]") or an unknown one is skipped, so the
    change never uses a hidden count; None with fewer than two values left."""
    out: list[tuple[str, float | None]] = []
    for name, part in frame.groupby(group, sort=False):
        shown = [
            v for v in part.sort_values(order)[column] if not isinstance(v, str) and pd.notna(v)
        ]
        out.append((str(name), shown[-1] - shown[0] if len(shown) > 1 else None))
    return out


def ehcp_change(rows: pd.DataFrame, academic_year: str, districts: Sequence[str]) -> pd.DataFrame:
    """Per district: the EHC plan rate of primary and secondary pupils in the year's census
    and the census a year earlier, the change in percentage points, and the year's
    inclusion measures.

    Everything is pooled in one pass (``_by_label_and_district``): each district's rows of
    each census are those ``census_rates`` pools for it. Pooling the two censuses, the
    three measures and the terms one after another was 57 ms of pandas' overhead at 20
    years (docs/performance.md), whatever the rows."""
    census_year = contracts.census_year_for(academic_year)
    parts, methods = _inclusion_parts(rows, districts, academic_year)
    ehcp = select(
        own_censuses(rows), "ehcp_rate_pct", districts=districts, breakdowns=(contracts.SCHOOL_AGE,)
    )
    censuses = {"ehcp_rate_before_pct": census_year - 1, "ehcp_rate_pct": census_year}
    for label, year in censuses.items():
        parts.append(ehcp[ehcp["census_year"] == year].assign(**{pooling.FIGURE_KEY: label}))
        methods[label] = figures.figure("ehcp_rate_pct").method
    pooled = _by_label_and_district(parts, methods)
    inclusion = _inclusion_out(pooled, districts)
    befores, nows = (_values(pooled, label, districts) for label in censuses)
    out = []
    for i, district in enumerate(districts):
        before, now = befores[i], nows[i]
        row = {
            "district": district,
            "ehcp_rate_before_pct": before,
            "ehcp_rate_pct": now,
            "ehcp_change_pp": None if now is None or before is None else now - before,
        }
        row.update({name: values[i] for name, values in inclusion.items()})
        out.append(row)
    return pd.DataFrame(out)
