"""One local authority among England's councils on one DfE indicator (Source 4): its value
beside its ten statistical neighbours, its region and England, with DfE's quartile band,
rank and change from the previous year, as ``marts.mart_la_indicator_benchmark`` holds them
(dbt derives them as DfE's LAIT does; nothing is worked out here).

Read by ``stls report benchmarks`` and the "Kent among councils" page. Every value is
unrounded; DfE's symbols stay symbols. The figures are real official statistics: every
rendering carries the Open Government Licence attribution and names the source.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from warehouse.core import contracts, safe_text
from warehouse.core.errors import UsageError

ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0."
SOURCE = "Source: Department for Education, Local Authority Interactive Tool (LAIT)."
ATTRIBUTED = f"{ATTRIBUTION} {SOURCE}"  # the two as one line, for captions and CSV columns
HOME_AUTHORITY_ENV = "STLS_HOME_AUTHORITY"
DEFAULT_HOME_AUTHORITY = contracts.COUNTY


def home_authority() -> str:
    """The council the product serves: ``$STLS_HOME_AUTHORITY`` (a name or DfE number in
    DfE's figures), Kent by default. The CLI's ``--la`` and the page start from it."""
    return os.environ.get(HOME_AUTHORITY_ENV, "").strip() or DEFAULT_HOME_AUTHORITY


@dataclass(frozen=True)
class Neighbour:
    la: str
    la_number: int
    order: int
    closeness: str | None
    value: float | None
    symbol: str | None


@dataclass(frozen=True)
class Benchmark:
    la: str
    la_number: int
    indicator: str
    label: str | None
    unit: str | None
    year: str
    polarity: str | None
    value: float | None
    value_symbol: str | None
    neighbours_mean: float | None
    neighbours_with_value: int
    region: str | None
    region_value: float | None
    england_value: float | None
    quartile_band: str | None
    rank: int | None
    las_ranked: int | None
    previous_year: str | None
    change_from_previous_year: float | None
    neighbours: list[Neighbour] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The object shared/interface.md gives for ``--format json``, with a few more keys
        (the LA's number, DfE's symbol, the label and unit, the source)."""
        return {
            "la": self.la,
            "la_number": self.la_number,
            "indicator": self.indicator,
            "label": self.label,
            "unit": self.unit,
            "year": self.year,
            "polarity": self.polarity,
            "value": self.value,
            "value_symbol": self.value_symbol,
            "neighbours_mean": self.neighbours_mean,
            "neighbours_with_value": self.neighbours_with_value,
            "neighbours": [
                {
                    "la": n.la,
                    "la_number": n.la_number,
                    "closeness": n.closeness,
                    "value": n.value,
                    "value_symbol": n.symbol,
                }
                for n in self.neighbours
            ],
            "region": self.region,
            "region_value": self.region_value,
            "england_value": self.england_value,
            "quartile_band": self.quartile_band,
            "rank": self.rank,
            "las_ranked": self.las_ranked,
            "previous_year": self.previous_year,
            "change_from_previous_year": self.change_from_previous_year,
            "source": SOURCE,
            "licence": ATTRIBUTION,
        }


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _count(value: Any) -> int | None:
    return None if value is None else int(value)


def authorities(cur: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    """Every local authority of the published national figures (regions and England left
    out), by name."""
    return [
        (int(number), str(name))
        for number, name in cur.execute(
            "select la_number, la_name from marts.dim_local_authority "
            "where area_type = 'local_authority' order by la_name"
        ).fetchall()
    ]


def find_authority(cur: duckdb.DuckDBPyConnection, name: str) -> tuple[int, str]:
    """The local authority a user means by ``name`` (its name in any case, or its DfE
    number); a UsageError naming the nearest names when there is none."""
    wanted = name.strip()
    found = authorities(cur)
    if not found:
        raise UsageError("no national figures are published: load DfE's files first (Source 4)")
    for number, la_name in found:
        if la_name.casefold() == wanted.casefold() or str(number) == wanted:
            return number, la_name
    close = [n for _, n in found if wanted.casefold()[:4] in n.casefold()][:5]
    hint = f" (did you mean: {', '.join(close)}?)" if close else ""
    raise UsageError(f"--la {wanted!r}: no local authority of that name in DfE's figures{hint}")


def years(cur: duckdb.DuckDBPyConnection, la_number: int, indicator: str) -> list[str]:
    """The years the indicator is published for the LA, latest first."""
    return [
        str(year)
        for (year,) in cur.execute(
            "select year_published from marts.mart_la_indicator_benchmark "
            "where la_number = $la and indicator_code = $indicator "
            "order by year_sort desc nulls last, year_published desc",
            {"la": la_number, "indicator": indicator},
        ).fetchall()
    ]


def _indicator(cur: duckdb.DuckDBPyConnection, code: str) -> tuple[str, str | None, str | None]:
    row = cur.execute(
        "select indicator_code, label, unit from marts.dim_indicator "
        "where lower(indicator_code) = lower($code)",
        {"code": code.strip()},
    ).fetchone()
    if row is None:
        raise UsageError(f"--indicator {code!r}: no such indicator in DfE's dictionary")
    return str(row[0]), row[1], row[2]


def neighbours(
    cur: duckdb.DuckDBPyConnection, la_number: int, indicator: str, year: str
) -> list[Neighbour]:
    """The LA's ten neighbours in DfE's order, each with its value (or symbol) that year."""
    rows = cur.execute(
        """
        select a.la_name, b.neighbour_la_number, b.neighbour_order, b.closeness,
               f.value, f.value_symbol
        from marts.bridge_statistical_neighbour b
        join marts.dim_local_authority a on a.la_number = b.neighbour_la_number
        left join marts.fct_la_indicator_year f
          on f.la_number = b.neighbour_la_number
         and f.indicator_code = $indicator and f.year_published = $year
        where b.la_number = $la
        order by b.neighbour_order
        """,
        {"la": la_number, "indicator": indicator, "year": year},
    ).fetchall()
    return [Neighbour(str(n), int(num), int(o), c, _number(v), s) for n, num, o, c, v, s in rows]


def benchmark(
    cur: duckdb.DuckDBPyConnection, la: str, indicator: str, year: str | None = None
) -> Benchmark:
    """The LA on the indicator in ``year`` as published (default: the latest year)."""
    la_number, la_name = find_authority(cur, la)
    code, label, unit = _indicator(cur, indicator)
    available = years(cur, la_number, code)
    if not available:
        raise UsageError(f"{code}: DfE publishes no figure for {la_name}")
    chosen = available[0] if year is None else year.strip()
    if chosen not in available:
        listed = ", ".join(available[:12])
        raise UsageError(f"--year {chosen!r}: {code} is published for {listed}")
    row = cur.execute(
        """
        select polarity, value, value_symbol, neighbours_mean, neighbours_with_value,
               region_name, region_value, england_value, quartile_band, la_rank, las_ranked,
               previous_year, change_from_previous_year
        from marts.mart_la_indicator_benchmark
        where la_number = $la and indicator_code = $indicator and year_published = $year
        """,
        {"la": la_number, "indicator": code, "year": chosen},
    ).fetchone()
    assert row is not None  # the year came from the same mart
    return Benchmark(
        la=la_name,
        la_number=la_number,
        indicator=code,
        label=label,
        unit=unit,
        year=chosen,
        polarity=row[0],
        value=_number(row[1]),
        value_symbol=row[2],
        neighbours_mean=_number(row[3]),
        neighbours_with_value=int(row[4]),
        region=row[5],
        region_value=_number(row[6]),
        england_value=_number(row[7]),
        quartile_band=row[8],
        rank=_count(row[9]),
        las_ranked=_count(row[10]),
        previous_year=row[11],
        change_from_previous_year=_number(row[12]),
        neighbours=neighbours(cur, la_number, code, chosen),
    )


# ---------------------------------------------------------------- renderings

FORMATS = ("text", "json", "csv")


def _shown(value: float | None, symbol: str | None = None) -> str:
    if value is not None:
        return f"{value:g}"
    return symbol or "-"


def comparison_rows(result: Benchmark) -> list[dict[str, Any]]:
    """The LA, its neighbours, its region and England, one row each (the CSV's rows)."""
    rows = [
        {"area": result.la, "role": "authority", "value": result.value,
         "value_symbol": result.value_symbol, "closeness": None},
        *[
            {"area": n.la, "role": f"neighbour {n.order}", "value": n.value,
             "value_symbol": n.symbol, "closeness": n.closeness}
            for n in result.neighbours
        ],
        {"area": "Statistical neighbours (mean)", "role": "neighbours mean",
         "value": result.neighbours_mean, "value_symbol": None, "closeness": None},
        {"area": result.region, "role": "region", "value": result.region_value,
         "value_symbol": None, "closeness": None},
        {"area": "England", "role": "england", "value": result.england_value,
         "value_symbol": None, "closeness": None},
    ]  # fmt: skip
    return [{"indicator": result.indicator, "year": result.year, **row} for row in rows]


def to_text(result: Benchmark) -> str:
    out = [
        f"{result.la} on {result.indicator} ({result.label or 'no label'}), {result.year}",
        f"  polarity: {result.polarity or 'none (no band, no rank)'}",
        f"  value: {_shown(result.value, result.value_symbol)}",
        f"  statistical neighbours' mean: {_shown(result.neighbours_mean)} "
        f"({result.neighbours_with_value} of {len(result.neighbours)} with a value)",
        f"  {result.region or 'region'}: {_shown(result.region_value)}",
        f"  England: {_shown(result.england_value)}",
        f"  quartile band: {result.quartile_band or '-'}",
        f"  rank: {result.rank if result.rank is not None else '-'}"
        + (f" of {result.las_ranked}" if result.rank is not None else ""),
        f"  change from {result.previous_year or 'the previous year'}: "
        f"{_shown(result.change_from_previous_year)}",
        "  neighbours:",
        *[
            f"    {n.order:>2}. {n.la}: {_shown(n.value, n.symbol)} ({n.closeness or '-'})"
            for n in result.neighbours
        ],
        "",
        ATTRIBUTION,
        SOURCE,
    ]
    return "\n".join(out) + "\n"


def to_csv(result: Benchmark) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    rows = comparison_rows(result)
    writer.writerow(safe_text.csv_row(rows[0]))
    writer.writerows(safe_text.csv_row(row.values()) for row in rows)
    writer.writerow(safe_text.csv_row([ATTRIBUTION]))
    writer.writerow(safe_text.csv_row([SOURCE]))
    return buffer.getvalue()


def render(result: Benchmark, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(result.as_json(), indent=2) + "\n"
    if fmt == "csv":
        return to_csv(result)
    return to_text(result)


# ---------------------------------------------------------------- the page's views


def indicators(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every indicator with published figures, SEND and inclusion first, then by topic and
    label: code, label, topic, topic group, unit, polarity and the dictionary's notes."""
    return cur.execute(
        """
        select indicator_code, coalesce(label, indicator_code) as label, chart_title, topic,
               topic_group, topic_sort_order, unit, polarity, decimal_places, description,
               data_owner, last_update, last_update_note, next_update, next_update_note,
               no_quartile
        from marts.dim_indicator i
        where exists (
            select 1 from marts.fct_la_indicator_year f
            where f.indicator_code = i.indicator_code
        )
        order by topic_sort_order, topic, label, indicator_code
        """
    ).df()


def series(cur: duckdb.DuckDBPyConnection, la_number: int, indicator: str) -> pd.DataFrame:
    """The LA, its neighbours' mean, its region and England on the indicator, year by year
    (oldest first): one row per (year, area) with the value or DfE's symbol."""
    return cur.execute(
        """
        with rows as (
            select year_published, year_sort, la_name, region_name,
                   value, value_symbol, neighbours_mean, region_value, england_value
            from marts.mart_la_indicator_benchmark
            where la_number = $la and indicator_code = $indicator
        )
        select year_published as year, year_sort, la_name as area, 1 as area_order,
               value, value_symbol as symbol from rows
        union all
        select year_published, year_sort, 'Statistical neighbours (mean)', 2,
               neighbours_mean, null from rows
        union all
        select year_published, year_sort, coalesce(region_name, 'Region'), 3,
               region_value, null from rows
        union all
        select year_published, year_sort, 'England', 4, england_value, null from rows
        order by year_sort nulls first, year, area_order
        """,
        {"la": la_number, "indicator": indicator},
    ).df()
