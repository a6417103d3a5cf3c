"""The acronyms readers meet, spelt out once (``dbt/seeds/glossary.csv``).

Pages and the committee pack call ``spell_out`` with the text they are about to show: each
acronym it uses is spelt out the first time it appears on that page or in that pack, and
``first_use`` says which a page has not explained yet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from warehouse.core import contracts


@dataclass(frozen=True)
class Term:
    term: str
    stands_for: str
    meaning: str

    def spelt_out(self) -> str:
        """ "LIFT (Local Inclusion Forum Team: the multi-agency meeting ...)"."""
        return f"{self.term} ({self.stands_for}" + (f": {self.meaning})" if self.meaning else ")")


@cache
def terms() -> dict[str, Term]:
    rows = sorted(contracts.read_seed("glossary"), key=lambda r: int(r["sort_order"]))
    return {r["term"]: Term(r["term"], r["stands_for"], r["meaning"]) for r in rows}


def used_in(text: str) -> list[str]:
    """The glossary's acronyms a text uses (as whole words), in the glossary's order."""
    return [t for t in terms() if re.search(rf"(?<![\w-]){re.escape(t)}(?![\w-])", text)]


def key(used: Iterable[str]) -> str:
    """One sentence spelling out the acronyms given: "LIFT: Local Inclusion Forum Team, the
    multi-agency meeting ...; SLA: service level agreement, ..."."""
    parts = []
    for code in used:
        term = terms()[code]
        parts.append(
            f"{term.term}: {term.stands_for}" + (f", {term.meaning}" if term.meaning else "")
        )
    return "; ".join(parts) + ("." if parts else "")
