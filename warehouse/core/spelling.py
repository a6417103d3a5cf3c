"""Near-miss names: "did you mean Dover?" for a district, phase or measure that is not one,
and the district a file's name gives.

The candidates are the contract's lists, read from the dbt seeds (``warehouse.core.contracts``):
the 12 districts and their known spellings (``district_aliases.csv``), the phases and the
measures with their labels. A suggestion is always a canonical name or code, never an alias.
Nothing here decides what is valid: the audit's checks do; this only helps the person who
has to correct a cell.
"""

from __future__ import annotations

import difflib
import re
from functools import cache

from warehouse.core import contracts

DISTRICT, PHASE, MEASURE = "district", "phase", "measure"
KINDS = (DISTRICT, PHASE, MEASURE)
# How alike two spellings must be (difflib's ratio, 0 to 1): "Doverr" and "Dover" are 0.91,
# "casload" and "caseload" 0.93, "tea" and "ehcp" 0.29. 0.75 suggests typing slips and never
# a different word.
CUTOFF = 0.75
_WORDS = re.compile(r"[^0-9a-z]+")


def _key(text: str) -> str:
    """Lower case, "&" as "and", anything but letters and digits as one space."""
    return _WORDS.sub(" ", text.lower().replace("&", " and ")).strip()


@cache
def candidates(kind: str) -> dict[str, str]:
    """Every known spelling of a ``kind`` (by ``_key``) -> its canonical name or code."""
    if kind == DISTRICT:
        pairs = [(d, d) for d in contracts.district_names()]
        pairs += [(r["alias"], r["district_name"]) for r in contracts.read_seed("district_aliases")]
    elif kind == PHASE:
        pairs = [(p.code, p.code) for p in contracts.phase_catalogue().values()]
        pairs += [(p.label, p.code) for p in contracts.phase_catalogue().values()]
        pairs += [(p.short_label, p.code) for p in contracts.phase_catalogue().values()]
    elif kind == MEASURE:
        pairs = [(m.code, m.code) for m in contracts.measures()]
        pairs += [(m.label, m.code) for m in contracts.measures()]
    else:
        raise ValueError(f"no spellings of {kind!r} (kinds: {', '.join(KINDS)})")
    out: dict[str, str] = {}
    for spelling, canonical in pairs:
        out.setdefault(_key(spelling), canonical)
    return out


def did_you_mean(kind: str, text: object) -> str | None:
    """The canonical name or code that ``text`` most likely meant, or None: when it is
    blank, already a known spelling (nothing to correct), or like none of them."""
    if not isinstance(text, str) or not _key(text):
        return None
    known = candidates(kind)
    key = _key(text)
    if key in known and known[key] == text.strip():
        return None  # exactly right: nothing to suggest
    if key in known:
        return known[key]  # a known spelling, differently written ("DOVER", "primary ")
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=CUTOFF)
    return known[close[0]] if close else None


def district_in_name(file_name: str) -> str | None:
    """The one district a file's name names ("stls_return_dover_2023-24_t3.csv": Dover),
    by its name or a known spelling as whole words; None when it names none or several."""
    words = f" {_key(file_name)} "
    found = {
        canonical
        for spelling, canonical in candidates(DISTRICT).items()
        if f" {spelling} " in words
    }
    return found.pop() if len(found) == 1 else None
