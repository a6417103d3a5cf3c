"""What every published view says under its figures: symbols, suppression, rounding and
sources, written once for About the data and the committee pack."""

from __future__ import annotations

from warehouse.core import contracts

SYMBOLS: dict[str, str] = {
    "[c]": (
        "confidential: a count of children from 1 to 4 at district level, or a figure from "
        "which such a count could be worked out"
    ),
    "[x]": "not available: for example a district-term with no published return",
    "[z]": "not applicable",
}
SUPPRESSION = (
    "Counts of children from 1 to 4 below county level are shown as [c], and the "
    "next-smallest figure in the same row or column is hidden too (secondary suppression), "
    "so a hidden figure cannot be worked out from a total; a figure worked out from a "
    "hidden count is hidden with it."
)
ROUNDING = (
    "Percentages are rounded to whole numbers (EHC plan and SEN Support rates and caseload "
    "as a share of pupils to one decimal place), pupils to whole pupils and money to whole "
    "pounds, as the committee report publishes them; 0.5 rounds up. Changes are worked out "
    "from unrounded figures."
)
POOLING = (
    "Rates are pooled: the sum of the numerator over the chosen districts and terms divided "
    "by the sum of the denominator over the same districts and terms. Only district-terms "
    "with a published return count, in the numerator and the denominator alike; averages "
    "per term are over the chosen terms with at least one published return."
)


def sources() -> list[str]:
    """One line per source: what it is and who sends it (``seeds/sources.csv``)."""
    return [
        f"{row['source_label']}, sent by {row['sent_by']}" for row in contracts.read_seed("sources")
    ]
