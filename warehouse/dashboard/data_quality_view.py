"""What the "Data quality" page shows, worked out before it is drawn: the loads to choose
from, the live version's line, the load's headline and counts in words, the worklist's
districts and the rows of the one chosen, the warnings still to review, and whether the
check history has enough loads for a chart. The page lays these out; the tables' words
are ``warehouse.dashboard.steward``'s.

Text from received files (district names, warnings' messages, recipients) reaches
Markdown only through ``safe_text.markdown_text``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from warehouse.core import safe_text
from warehouse.dashboard import steward
from warehouse.publish import versions
from warehouse.quality import dq, failing

ALL = "all"  # the worklist's choice of every district


# ---------------------------------------------------------------- the load and the live version


def load_options(loads: pd.DataFrame) -> dict[str, str]:
    """Each load's id -> its label ("Load 12, 30 Nov 2026 19:24, ...")."""
    return {row.load_id: steward.load_label(row) for row in loads.itertuples()}


def live_caption(live: versions.LiveVersion) -> str | None:
    """Which load the dashboard shows and how many versions are kept (``None``: nothing
    published yet)."""
    if live.contents is None:
        return None
    published = live.contents.loaded_at
    return (
        f"The dashboard shows the warehouse as published by load {live.contents.loads}"
        + (f" on {published:%d %b %Y at %H:%M} UTC" if published else "")
        + f"; {live.kept} published version(s) are kept, so an earlier one can be restored."
    )


# ---------------------------------------------------------------- at a glance


def headline(result: dict) -> str:
    return steward.STATUS_WORDS.get(result["status"], (result["status"], ""))[0]


def advice(result: dict) -> str:
    """What the load's status means and what the steward does next."""
    words = steward.STATUS_WORDS.get(result["status"], (result["status"], ""))[1]
    return f"{words} Next: {dq.next_step(result, commands=False)}"


def glance_caption(counts: dict[str, int]) -> str:
    """The tiles' counts in a sentence (``steward.at_a_glance``)."""
    return (
        f"Of the {counts['rows_received']:,} rows this load received, "
        f"{counts['rows_published']:,} were published and {counts['rows_set_aside']:,} set aside "
        f"(held back with their return, or on their own). {counts['files_rejected']} file(s) "
        f"were rejected. Held back now counts each district's term once, whichever load held "
        f"it ({counts['held_in_load']} in this load); the table below lists the same."
        + (
            f" {counts['warnings_reviewed']} warning(s) were reviewed before and are not new."
            if counts["warnings_reviewed"]
            else ""
        )
    )


# ---------------------------------------------------------------- the worklist


def district_options(rows: pd.DataFrame) -> dict[str, str]:
    """The worklist's choices: every district, each named district in order, and the rows
    of no district (for the steward) when there are any."""
    named = sorted(d for d in rows["district"].dropna().unique())
    options = {ALL: "All districts", **{d: d for d in named}}
    if rows["district"].isna().any():
        options[failing.NO_DISTRICT] = "No district (for the steward)"
    return options


def rows_for(rows: pd.DataFrame, chosen: str) -> pd.DataFrame:
    """The failing rows of the chosen district (``ALL``: every row)."""
    if chosen == ALL:
        return rows
    if chosen == failing.NO_DISTRICT:
        return rows[rows["district"].isna()]
    return rows[rows["district"] == chosen]


def worklist_sentence(shown: pd.DataFrame, chosen: str, options: dict[str, str]) -> str:
    who = "" if chosen == ALL else f" for {safe_text.markdown_text(options[chosen])}"
    return (
        f"**{len(shown):,} failing row(s)**{who}: errors first, each value exactly as it was "
        "sent. A row in a district's own file is that district's to correct, whatever its "
        "district cell says."
    )


def failing_rows_file(load_id: str, chosen: str) -> str:
    suffix = "all_districts" if chosen == ALL else chosen
    return f"stls_failing_rows_{load_id}_{suffix}.csv".replace(" ", "_")


def packs_sentence(recipients: list[str]) -> str:
    return (
        "One workbook for each district (or the census team, or finance) with something to "
        "correct in this load: the value as they sent it and what to change, ready to send. "
        "Districts with nothing to correct get none. For: "
        + ", ".join(safe_text.markdown_text(r) for r in recipients)
        + "."
    )


def pack_file(load_id: str, recipient: str) -> str:
    return f"stls_corrections_{recipient}_{load_id}.xlsx".replace(" ", "_")


# ---------------------------------------------------------------- warnings to review


def warnings_to_review(rows: pd.DataFrame) -> dict[str, dict]:
    """The load's warnings not yet reviewed: fingerprint -> failing row (``{}``: none)."""
    pending = rows[(rows["severity"] == "warning") & rows["reviewed_by"].isna()].astype(object)
    # A missing cell is None, never pandas' NaN (a string column's missing value): a review
    # keeps a warning's district, and a NaN would be kept, and labelled, as "nan".
    pending = pending.where(pending.notna(), None)
    return {row["fingerprint"]: row for row in pending.to_dict("records")}


def warning_label(warning: dict) -> str:
    """A warning as the review's select box lists it: its district and message."""
    return f"{warning['district'] or failing.NO_DISTRICT}: {warning['message']}"


# ---------------------------------------------------------------- data docs and history


def data_docs(result: dict) -> str | None:
    """The load's Data Docs index page, when it is there to zip."""
    docs = result.get("data_docs")
    return docs if docs and Path(docs).is_file() else None


def several_loads(trend: pd.DataFrame) -> bool:
    """Whether the check history has more than one load: a chart needs two."""
    return not trend.empty and trend["load_seq"].nunique() > 1
