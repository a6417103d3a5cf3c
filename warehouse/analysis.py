"""Calculations the pages need beyond the committee tables, on frames from ``views``.

Every rate here is pooled as the published definitions say: the sum of the numerator over
the chosen rows divided by the sum of the denominator over the same rows, counting a row
only where both are known (a district-term with no return is unknown, not zero). For one
phase these give exactly the committee tables' figures (the tests check it); "all phases"
pools early years, primary and secondary together, as ``mart_inclusion_district_year``
does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

CENSUS_PHASES = ("early_years", "primary", "secondary")

# page measure -> (numerator column, label)
SETTINGS_MEASURES: dict[str, tuple[str, str]] = {
    "engagement": ("settings_engaged", "Settings engaging"),
    "lift": ("settings_attending_lift", "Settings attending LIFT"),
    "training": ("settings_attending_training", "Settings attending training"),
}


def phases_for(phase: str) -> tuple[str, ...]:
    return CENSUS_PHASES if phase == "all" else (phase,)


def pooled_rate(
    frame: pd.DataFrame, numerator: str, denominator: str, by: Sequence[str]
) -> pd.DataFrame:
    """Sum of numerator / sum of denominator * 100 per group, over rows where both are known."""
    known = frame.dropna(subset=[numerator, denominator])
    if not by:
        num = float(known[numerator].sum())
        den = float(known[denominator].sum())
        return pd.DataFrame(
            {"numerator": [num], "denominator": [den], "rate": [_pct(num, den, len(known))]}
        )
    grouped = known.groupby(list(by), as_index=False)[[numerator, denominator]].sum()
    grouped = grouped.rename(columns={numerator: "numerator", denominator: "denominator"})
    grouped["rate"] = [
        _pct(n, d, 1) for n, d in zip(grouped["numerator"], grouped["denominator"], strict=True)
    ]
    return grouped


def _pct(num: float, den: float, rows: int) -> float | None:
    if not rows or not den:
        return None
    return 100.0 * float(num) / float(den)


@dataclass
class SettingsView:
    """One settings measure for the chosen phase(s), districts and terms, pooled."""

    by_district_term: pd.DataFrame  # district, term, rate (published district-terms only)
    by_district: pd.DataFrame  # district, rate, terms (over the chosen terms)
    county_by_term: pd.DataFrame  # term, rate
    county: float | None
    by_phase_term: pd.DataFrame  # phase, term, rate (the chosen districts together)


def settings_view(
    rows: pd.DataFrame,
    measure: str,
    phase: str,
    districts: Sequence[str],
    terms: Sequence[int],
) -> SettingsView:
    numerator = SETTINGS_MEASURES[measure][0]
    chosen = rows[rows["district"].isin(districts) & rows["term"].isin(terms)]
    in_phase = chosen[chosen["phase"].isin(phases_for(phase))]
    by_dt = pooled_rate(in_phase, numerator, "census_settings", ["district", "term"])
    by_d = pooled_rate(in_phase, numerator, "census_settings", ["district"])
    terms_per_district = in_phase.groupby("district")["term"].nunique()
    by_d["terms"] = by_d["district"].map(terms_per_district).fillna(0).astype(int)
    county_t = pooled_rate(in_phase, numerator, "census_settings", ["term"])
    county = pooled_rate(in_phase, numerator, "census_settings", [])["rate"].iloc[0]
    by_pt = pooled_rate(chosen, numerator, "census_settings", ["phase", "term"])
    return SettingsView(by_dt, by_d, county_t, county, by_pt)


def missing_district_terms(
    published: pd.DataFrame,
    districts: Sequence[str],
    terms: Sequence[int],
    sent_terms: Sequence[int] | None = None,
) -> list[tuple[str, int]]:
    """(district, term) pairs chosen that have no published return, in terms other
    districts have sent (a term nobody has sent is simply not in yet). ``sent_terms``: the
    terms any district has sent, when ``published`` holds only some districts' rows."""
    have = set(zip(published["district"], published["term"], strict=True))
    sent_terms = set(sent_terms) if sent_terms is not None else {t for _, t in have}
    return [
        (d, t) for t in sorted(terms) for d in districts if t in sent_terms and (d, t) not in have
    ]


def needs_based_split(
    funding: pd.DataFrame,
    districts: Sequence[str],
    pool: tuple[float, float, float] | None = None,
) -> pd.DataFrame:
    """Each district's SLA allocation beside an even split of the same total by pupils on
    roll and by pupils with SEN (SEN support plus EHC plans), and the differences.

    The total shared out is the districts' own, or ``pool`` = (SLA funding, pupils, SEN
    pupils) of a larger whole they belong to (Kent, for a viewer who sees one district).
    A positive difference means the district receives more than that split would give it.
    """
    frame = funding[funding["district"].isin(districts)].copy()
    pupils = frame["pupils_primary_secondary"].astype(float)
    sen = frame["sen_pupils_primary_secondary"].astype(float)
    total, pupils_sum, sen_sum = pool or (frame["total_budget"].sum(), pupils.sum(), sen.sum())
    frame["by_pupils"] = total * pupils / pupils_sum if pupils_sum else math.nan
    frame["by_sen_pupils"] = total * sen / sen_sum if sen_sum else math.nan
    frame["difference_by_pupils"] = frame["total_budget"] - frame["by_pupils"]
    frame["difference_by_sen_pupils"] = frame["total_budget"] - frame["by_sen_pupils"]
    return frame[
        [
            "district",
            "total_budget",
            "by_pupils",
            "by_sen_pupils",
            "difference_by_pupils",
            "difference_by_sen_pupils",
            "pupils_primary_secondary",
            "sen_pupils_primary_secondary",
        ]
    ].reset_index(drop=True)


def correlation(x: Sequence[float], y: Sequence[float]) -> tuple[float | None, int]:
    """Pearson's r over the pairs where both are known, and how many pairs there were."""
    pairs = [
        (float(a), float(b))
        for a, b in zip(x, y, strict=True)
        if a is not None and b is not None and not (math.isnan(a) or math.isnan(b))
    ]
    n = len(pairs)
    if n < 3:
        return None, n
    mx = sum(a for a, _ in pairs) / n
    my = sum(b for _, b in pairs) / n
    sxx = sum((a - mx) ** 2 for a, _ in pairs)
    syy = sum((b - my) ** 2 for _, b in pairs)
    sxy = sum((a - mx) * (b - my) for a, b in pairs)
    if not sxx or not syy:
        return None, n
    return sxy / math.sqrt(sxx * syy), n


def strength(r: float | None) -> str:
    """A plain-words reading of a correlation coefficient."""
    if r is None:
        return "cannot be worked out"
    size = abs(r)
    if size < 0.1:
        return "no link"
    word = "weak" if size < 0.3 else "moderate" if size < 0.6 else "strong"
    return f"a {word} {'positive' if r > 0 else 'negative'} link"


def census_rates(
    census: pd.DataFrame, phase: str, districts: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """EHC plan and SEN support counts and rates per district and census year for the
    phase (all phases: the three census phases pooled), and the chosen districts together.
    """
    rows = census[census["district"].isin(districts) & census["phase"].isin(phases_for(phase))]
    cols = ["pupils", "sen_support", "ehcp"]
    by_d = rows.groupby(["district", "census_year"], as_index=False)[cols].sum()
    together = rows.groupby(["census_year"], as_index=False)[cols].sum()
    for frame in (by_d, together):
        frame["ehcp_rate_pct"] = 100.0 * frame["ehcp"] / frame["pupils"].where(frame["pupils"] > 0)
        frame["sen_support_rate_pct"] = (
            100.0 * frame["sen_support"] / frame["pupils"].where(frame["pupils"] > 0)
        )
    return by_d, together


def ehcp_change(
    inclusion: pd.DataFrame, census_year: int, districts: Sequence[str]
) -> pd.DataFrame:
    """Per district: the change in EHC plan rate (percentage points, primary and secondary)
    from the census before ``census_year`` to it, beside that academic year's inclusion
    measures."""
    rows = inclusion[inclusion["district"].isin(districts)]
    now = rows[rows["census_year"] == census_year].set_index("district")
    before = rows[rows["census_year"] == census_year - 1].set_index("district")
    out = now[
        [
            "area",
            "ehcp_rate_pct",
            "engagement_pct",
            "lift_attendance_pct",
            "cases_closed_targets_met_pct_of_reviewed",
            "published_terms",
        ]
    ].copy()
    out["ehcp_rate_before_pct"] = before["ehcp_rate_pct"].reindex(out.index)
    out["ehcp_change_pp"] = out["ehcp_rate_pct"] - out["ehcp_rate_before_pct"]
    return out.reset_index()
