"""What the overview page shows, worked out before it is drawn.

The selection in a sentence, what changed (``reporting.glance``) as a Markdown list, the
headline figures against the same terms a year earlier as a chart and table, the committee
pack's file names, and the committee tables' downloads and notes. The page lays these out.
"""

from __future__ import annotations

import pandas as pd

from warehouse.core import safe_text
from warehouse.dashboard import filters, glance_chart, pack, titles
from warehouse.dashboard.sections import ChartSection, TableSection
from warehouse.reporting import comparison, glance, render
from warehouse.reporting.committee import CommitteeTables

# A headline figure's ``better`` (True, False, or None when unchanged or unknown) in words.
READINGS = {True: "Improved", False: "Worse"}
NO_CHANGE = "No change"


def districts(chosen: filters.Filters) -> tuple[str, ...]:
    """The districts of the page's committee tables: ``()`` for Kent as a whole."""
    return () if chosen.all_districts else chosen.chosen_districts


def previous_year(view: glance.Glance) -> str | None:
    """The year the figures are set beside (the same terms a year earlier), if any."""
    return view.before.selection.academic_year if view.before else None


def selection_line(chosen: filters.Filters, previous: str | None) -> str:
    """The sentence naming the selection, and the year it is set beside."""
    return f"**{titles.sentence(chosen.describe())}**" + (
        f", beside the same terms of {previous}." if previous else "."
    )


def what_changed_markdown(sentences: list[str]) -> str:
    """The sentences as a Markdown list. They quote a held return's reason as the audit
    wrote it: plain text, never Markdown."""
    return "\n".join(f"- {safe_text.markdown_text(s)}" for s in sentences)


# ---------------------------------------------------------------- headline chart


def known_changes(headline: pd.DataFrame) -> pd.DataFrame:
    """The headline rows whose change in points is known."""
    return headline[headline["points"].notna()]


def reading(better: object) -> str:
    return READINGS.get(better, NO_CHANGE)  # type: ignore[call-overload]


def headline_table(headline: pd.DataFrame, year: str, previous: str) -> pd.DataFrame:
    """The figures the headline chart draws: Figure, Breakdown, the year, the year before,
    Change (points) and Reading (Improved, Worse or No change)."""
    shown = known_changes(headline)
    return shown.assign(
        Figure=shown["label"],
        Breakdown=shown["breakdown_label"],
        Reading=[reading(b) for b in shown["better"]],
    )[["Figure", "Breakdown", "now", "then", "points", "Reading"]].rename(
        columns={"now": year, "then": previous, "points": "Change (points)"}
    )


def headline_section(
    chosen: filters.Filters, view: glance.Glance, previous: str | None
) -> ChartSection | None:
    """Each committee figure with a direction of good against the same terms a year
    earlier; None where there is no year before or no change is known."""
    headline = glance.headline(view)
    if previous is None or not headline["points"].notna().any():
        return None
    fig = glance_chart.headline_change(headline, pack.headline_title(headline, previous), previous)
    phase_words = filters.PHASES[chosen.phase].lower()
    return ChartSection(
        fig,
        TableSection(
            headline_table(headline, chosen.year, previous),
            {chosen.year: "percent", previous: "percent", "Change (points)": "pp"},
            "Headline figures against the year before",
            f"stls_headline_{chosen.year}_vs_{previous}.csv",
        ),
        alt=(
            f"Each committee figure with a direction of good ({phase_words}) as points better "
            f"or worse than the same terms of {previous}: better to the right of the zero "
            "line with an upward triangle, worse to the left with a downward triangle, no "
            "change on the line with a circle. The figure now and a year earlier is written "
            "at the right of each row."
        ),
    )


# ---------------------------------------------------------------- committee pack


def pack_file_names(current: CommitteeTables) -> tuple[str, str]:
    """The committee pack's file names: (PDF, HTML)."""
    pdf = pack.file_name(current.selection, "pdf")
    return pdf, pdf.removesuffix(".pdf") + ".html"


# ---------------------------------------------------------------- committee tables


def comparison_csv(view: glance.Glance, phase: str) -> bytes:
    """The committee tables with the change against the year before, as CSV."""
    table = comparison.comparison(view.current, view.before, phase)
    return table.to_csv(index=False, lineterminator="\n").encode("utf-8")


def comparison_file_name(year: str, previous: str | None) -> str:
    return f"stls_committee_tables_{year}_vs_{previous or 'none'}.csv"


def report_csv(current: CommitteeTables) -> bytes:
    """The year's committee tables, unrounded, as CSV."""
    return render.to_csv(current).encode("utf-8")


def report_file_name(year: str) -> str:
    return f"stls_committee_tables_{year}.csv"


def table_notes(current: CommitteeTables) -> list[str]:
    """The committee tables' notes but the illustrative-data one (the app's banner warns of
    illustrative data above every page)."""
    return [note for note in render.notes(current) if note != render.ILLUSTRATIVE]
