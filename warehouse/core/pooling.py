"""Pooling: the only arithmetic Python does on a figure.

dbt works out every figure's numerator and denominator per district-term (or district-year)
in ``marts.mart_figure_district_term``, known only where both are (a district-term with no
published return, or without a measure the figure needs, has neither). A selection of those
rows (districts, terms, breakdowns) is pooled as the published definitions say:

* ``rate``: 100 x the sum of the numerators / the sum of the denominators;
* ``ratio``: the sum of the numerators / the sum of the denominators;
* ``average_per_term``: the sum of the numerators / the number of terms in the selection
  that have at least one published return;
* ``total``: the sum of the numerators.

Rows whose figure is unknown count in neither sum. A pool with no known row, or whose
denominator sums to 0, has no value (None): unknown, never zero. Nothing else in the
package divides one measure by another (``tests/reporting/test_one_definition.py`` checks it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import polars as pl

from warehouse.core.figures import AVERAGE_PER_TERM, RATE, RATIO, TOTAL

# Columns of mart_figure_district_term that pooling reads.
NUMERATOR, DENOMINATOR = "numerator", "denominator"
IS_KNOWN, HAS_RETURN, TERM = "is_known", "has_published_return", "term_number"
POOLED_COLUMNS = ("numerator", "denominator", "terms", "known_rows", "value")


def _value(method: str, numerator: float, denominator: float, terms: int, known: int):
    if not known:
        return None
    if method == TOTAL:
        return numerator
    if method == AVERAGE_PER_TERM:
        return numerator / terms if terms else None
    if not denominator:
        return None
    if method == RATE:
        return 100.0 * numerator / denominator
    if method == RATIO:
        return numerator / denominator
    raise ValueError(f"unknown pooling method {method!r}")


FIGURE_KEY = "figure_key"


def pool(
    rows: pd.DataFrame, method: str | Mapping[str, str], by: Sequence[str] = ()
) -> pd.DataFrame:
    """Pool the selected rows of one figure (and one breakdown, unless ``by`` names it).

    Returns one row per group of ``by`` (one row when ``by`` is empty) with the pooled
    ``numerator``, ``denominator``, the ``terms`` with a published return, the
    ``known_rows`` counted and the ``value`` (None where it cannot be worked out).

    ``method`` may instead map each figure's key to its method: then ``by`` starts with
    ``figure_key`` and many figures are pooled in one pass, each by its own method.
    """
    if not isinstance(method, str) and (not by or by[0] != FIGURE_KEY):
        raise ValueError(f"pooling by each figure's method groups by {FIGURE_KEY} first")
    by = list(by)
    known = rows[IS_KNOWN].astype(bool)
    with_return = rows[HAS_RETURN].astype(bool) & rows[TERM].notna()
    if by:
        # One grouping for all four: an unknown row's numerator and denominator, and a
        # term without a published return, are blanked (sums and counts skip blanks), so
        # every group of the selection is there, in the order it first appears.
        work = rows[by].assign(
            **{
                NUMERATOR: rows[NUMERATOR].where(known),
                DENOMINATOR: rows[DENOMINATOR].where(known),
                "known_rows": known.astype(int),
                "terms": rows[TERM].where(with_return),
            }
        )
        grouped = work.groupby(by, dropna=False, sort=False)
        frame = grouped[[NUMERATOR, DENOMINATOR]].sum(min_count=1)
        frame["known_rows"] = grouped["known_rows"].sum()
        frame["terms"] = grouped["terms"].nunique()
        frame = frame.reset_index()
    else:
        chosen = rows[known]
        frame = pd.DataFrame(
            {
                NUMERATOR: [chosen[NUMERATOR].sum(min_count=1)],
                DENOMINATOR: [chosen[DENOMINATOR].sum(min_count=1)],
                "known_rows": [len(chosen)],
                "terms": [rows.loc[with_return, TERM].nunique()],
            }
        )
    frame["known_rows"] = frame["known_rows"].astype(int)
    frame["terms"] = frame["terms"].astype(int)
    methods = (
        [method] * len(frame)
        if isinstance(method, str)
        else [method[key] for key in frame[FIGURE_KEY]]
    )
    frame["value"] = [
        _value(m, n, d, t, k)
        for m, n, d, t, k in zip(
            methods,
            frame[NUMERATOR].fillna(0.0),
            frame[DENOMINATOR].fillna(0.0),
            frame["terms"],
            frame["known_rows"],
            strict=True,
        )
    ]
    frame["value"] = frame["value"].astype(object).where(frame["value"].notna(), None)
    return frame[[*by, *POOLED_COLUMNS]]


def percent_expr(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """100 x numerator / denominator over frame columns (the audit's rules on a load's
    rows, such as an EHC plan rate that moves by more than 3 points); null where the
    denominator is 0 or null."""
    return pl.when(denominator != 0).then(100.0 * numerator.cast(pl.Float64) / denominator)


def share_out(total: float, weights: pd.Series, whole: float | None = None) -> pd.Series:
    """``total`` shared out in proportion to ``weights`` (a needs-based split): each
    weight's share of ``whole`` (default: the weights' sum) times the total; NaN where the
    whole is 0 or unknown."""
    whole = float(weights.sum()) if whole is None else whole
    if not whole or pd.isna(whole):
        return pd.Series(float("nan"), index=weights.index)
    return total * weights.astype(float) / whole


def percent(numerator: float | None, denominator: float | None) -> float | None:
    """100 x numerator / denominator of two pooled counts (escalated children over children
    observed, shared/contracts.md "Outcome definitions"), unrounded; None when the
    denominator is 0 or unknown: nobody observed is unknown, never 0%."""
    if numerator is None or not denominator or pd.isna(denominator) or pd.isna(numerator):
        return None
    return 100.0 * float(numerator) / float(denominator)
