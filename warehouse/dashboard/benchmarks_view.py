"""What the "Kent among councils" page shows, worked out before it is drawn: the indicator
choices, the chosen indicator's dictionary entry (unit, decimal places, update dates), the
tile's figures in words, and the tables offered as CSV with DfE's attribution on every row.
The figures and charts themselves come from ``national_data`` and ``benchmark_charts``.
Every text here that came from DfE's files goes through ``safe_text.markdown_text`` before
the page writes it as Markdown."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from warehouse.core import safe_text
from warehouse.dashboard import national_data
from warehouse.dashboard.sections import TableSection
from warehouse.reporting import benchmarks, formatting

ATTRIBUTED = benchmarks.ATTRIBUTED
# The columns of the over-the-years table, as ``benchmarks.series`` names them.
TREND_COLUMNS = ["year", "area", "value", "symbol"]
GOOD_BANDS = ("A", "B")  # DfE's quartile bands of the better half, where it says which is
DIRECTED = ("High", "Low")  # the polarities that say which way is better


def indicator_options() -> dict[str, str]:
    """Each indicator with published figures (SEND and inclusion first): code -> label."""
    return {
        row.indicator_code: f"{row.topic_group}: {row.topic} - {row.label} ({row.indicator_code})"
        for row in national_data.indicators().itertuples()
    }


@dataclass(frozen=True)
class Indicator:
    """The dictionary's entry for one indicator, as the page uses it (received text as
    received: the page's writers make it Markdown-safe)."""

    unit: str
    places: int
    description: str
    data_owner: str
    updated: str | None
    upcoming: str | None

    def shown(self, value: float | None) -> str:
        """A figure to the indicator's decimal places, thousands separated; "-" for none."""
        return "-" if value is None else f"{value:,.{self.places}f}"


def indicator(code: str) -> Indicator:
    """The dictionary's entry for ``code``: one decimal place where it gives none, and each
    update's date, or its note where it gives no date."""
    info = national_data.indicators().set_index("indicator_code").loc[code]
    return Indicator(
        unit=str(info["unit"] or ""),
        places=1 if pd.isna(info["decimal_places"]) else int(info["decimal_places"]),
        description=info["description"] or "",
        data_owner=info["data_owner"] or "DfE",
        updated=info["last_update"] if pd.notna(info["last_update"]) else info["last_update_note"],
        upcoming=(
            info["next_update"] if pd.notna(info["next_update"]) else info["next_update_note"]
        ),
    )


def source_caption(info: Indicator) -> str:
    """Who publishes the indicator and when it was and will next be updated."""
    return (
        f"Source: {safe_text.markdown_text(info.data_owner)}. "
        f"Last updated {safe_text.markdown_text(info.updated or 'not given')}; "
        f"next update {safe_text.markdown_text(info.upcoming or 'not given')}."
    )


# ---------------------------------------------------------------- the tile


def value_text(result: benchmarks.Benchmark, info: Indicator) -> str:
    """The home authority's latest figure, or "[x]" where DfE publishes none."""
    return info.shown(result.value) if result.value is not None else "[x]"


def rank_text(result: benchmarks.Benchmark) -> str:
    return "-" if result.rank is None else f"{result.rank} of {result.las_ranked}"


def change_label(result: benchmarks.Benchmark) -> str:
    return f"Change since {safe_text.markdown_text(result.previous_year or 'the previous year')}"


@dataclass(frozen=True)
class Badge:
    text: str
    colour: str


def band_badge(result: benchmarks.Benchmark) -> Badge | None:
    """The quartile band in words and colour, where DfE says which way is better; None where
    it gives no band or no direction of good."""
    if not (result.quartile_band and result.polarity in DIRECTED):
        return None
    good = result.quartile_band in GOOD_BANDS
    return Badge(
        f"Band {result.quartile_band}: "
        + ("in the better half of councils" if good else "in the weaker half of councils"),
        "green" if good else "orange",
    )


# ---------------------------------------------------------------- the tables offered as CSV


def attributed(table: pd.DataFrame, name: str, file_name: str) -> TableSection:
    """A table of DfE's figures as every page offers a table (``ui.show_table``: drawn when
    opened, its CSV by ``formatting.csv_bytes``), each row carrying the attribution and
    source. DfE's values are kept as published: no unit is rounded."""
    shown = formatting.blank_where_missing(table, ["symbol"])
    return TableSection(shown.assign(source=ATTRIBUTED), {}, name, file_name)


def over_years_table(trend: pd.DataFrame, la: str, code: str) -> TableSection:
    """The over-the-years table: ``national_data.series``'s year, area, value and symbol."""
    return attributed(
        trend[TREND_COLUMNS],
        "over the years",
        f"stls_{safe_text.slug(la)}_{safe_text.slug(code)}_over_years.csv",
    )


def neighbours_table(bars: pd.DataFrame, la: str, code: str) -> TableSection:
    """The latest year's neighbours (``benchmark_charts.neighbours``'s table)."""
    return attributed(
        bars,
        "the latest year's neighbours",
        f"stls_{safe_text.slug(la)}_{safe_text.slug(code)}_neighbours.csv",
    )
