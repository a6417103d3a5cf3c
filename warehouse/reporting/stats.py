"""Statistics the pages show about pooled figures: Pearson's correlation across districts.

This takes figures as they are (already pooled) and describes how they move together; it
works out no figure of its own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

# A correlation needs at least this many districts with both figures known: for fewer (a
# district lead's view) there is no link to speak of. Every page that shows a link asks this.
FEWEST_FOR_A_LINK = 3


def correlation(x: Sequence[float], y: Sequence[float]) -> tuple[float | None, int]:
    """Pearson's r over the pairs where both are known, and how many pairs there were."""
    pairs = [
        (float(a), float(b))
        for a, b in zip(x, y, strict=True)
        if a is not None and b is not None and not (math.isnan(float(a)) or math.isnan(float(b)))
    ]
    n = len(pairs)
    if n < FEWEST_FOR_A_LINK:
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


def confidence_interval(r: float | None, n: int, z: float = 1.959964) -> tuple[float, float] | None:
    """The 95% confidence interval of Pearson's r over ``n`` pairs (Fisher's z
    transformation); None where it cannot be worked out (fewer than 4 pairs)."""
    if r is None or n < 4:
        return None
    if abs(r) >= 1:
        return (r, r)
    centre = math.atanh(r)
    half = z / math.sqrt(n - 3)
    return (math.tanh(centre - half), math.tanh(centre + half))


def link_words(r: float | None, n: int) -> str:
    """What a correlation over ``n`` districts can say, in words that reflect how few they
    are: "no clear link" unless the 95% interval leaves out zero, and then only its
    direction ("a negative link"); never a strength the interval cannot bear."""
    interval = confidence_interval(r, n)
    if r is None or interval is None:
        return "too few districts to judge a link"
    low, high = interval
    if low <= 0 <= high:
        return "no clear link"
    return "a positive link" if r > 0 else "a negative link"


def describe_link(r: float | None, n: int) -> str:
    """The correlation in numbers: "r = -0.33 (95% interval -0.76 to +0.30), 12 districts"."""
    interval = confidence_interval(r, n)
    districts = f"{n} district{'s' if n != 1 else ''}"
    if r is None:
        return f"r cannot be worked out ({districts})"
    if interval is None:
        return f"r = {r:+.2f}, {districts}"
    return f"r = {r:+.2f} (95% interval {interval[0]:+.2f} to {interval[1]:+.2f}), {districts}"
