"""Statistics the pages show about pooled figures: Pearson's correlation across districts.

This takes figures as they are (already pooled) and describes how they move together; it
works out no figure of its own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def correlation(x: Sequence[float], y: Sequence[float]) -> tuple[float | None, int]:
    """Pearson's r over the pairs where both are known, and how many pairs there were."""
    pairs = [
        (float(a), float(b))
        for a, b in zip(x, y, strict=True)
        if a is not None and b is not None and not (math.isnan(float(a)) or math.isnan(float(b)))
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
