"""`stls report benchmarks` against DfE's rules computed independently (tests/national_files.py):
on a small long-data file built to hold ties, missing neighbours, "-" and "c" values, both
polarities, an indicator without polarity and one flagged for no quartiles; and on the real
published files (shared/reference/national/), loaded whole with `stls load`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from national_files import (
    DATA,
    INDICATORS,
    KENT,
    KENT_NEIGHBOURS,
    NOT_IN_DATA,
    OTHERS,
    Rules,
    folder_with,
    synthetic_rows,
    write_long_csv,
    year_start,
)

from warehouse import cli


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def benchmark_json(capsys, warehouse: Path, la: str, code: str, year: str) -> dict:
    status, out, err = run_cli(
        capsys,
        "--warehouse", str(warehouse), "report", "benchmarks",
        "--la", la, "--indicator", code, "--year", year, "--format", "json",
    )  # fmt: skip
    assert status == 0, err
    return json.loads(out)


def close(value: float | None):
    return value if value is None else pytest.approx(value, rel=1e-12, abs=1e-12)


def assert_matches(got: dict, want: dict) -> None:
    for key, value in want.items():
        if key == "neighbours":
            assert [(n["la_number"], n["value"]) for n in got[key]] == [
                (n["la_number"], close(n["value"])) for n in value
            ], key
        elif isinstance(value, float):
            assert got[key] == close(value), key
        else:
            assert got[key] == value, (key, got[key], value)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> tuple[Path, Rules]:
    folder = tmp_path_factory.mktemp("national_small")
    data = write_long_csv(folder / "lait_bds_long.csv", synthetic_rows())
    folder_with(folder, data)
    warehouse = folder / "w.duckdb"
    status = cli.main(["--warehouse", str(warehouse), "load", str(folder)])
    assert status == 0  # warnings only: neighbours not in the data, years, polarity
    return warehouse, Rules.from_file(data)


def test_every_la_indicator_and_year_matches_dfes_rules(synthetic, capsys) -> None:
    warehouse, rules = synthetic
    checked = bands = ties = 0
    for code, years in INDICATORS.items():
        for year in years:
            for la in [KENT, *KENT_NEIGHBOURS, *OTHERS]:
                if la == NOT_IN_DATA:
                    continue
                want = rules.expected(la, code, year)
                got = benchmark_json(capsys, warehouse, str(la), code, year)
                assert_matches(got, want)
                checked += 1
                bands += want["quartile_band"] is not None
                ties += (
                    want["rank"] is not None
                    and [
                        rules.values.get((code, o, year)) for o in rules.names if rules.is_la(o)
                    ].count(want["value"])
                    > 1
                )
    assert checked == 4 * 2 * 14
    assert bands > 10 and ties > 5  # the data did exercise bands and tied ranks


def test_kent_the_cases_the_data_was_built_for(synthetic, capsys) -> None:
    warehouse, _ = synthetic
    got = benchmark_json(capsys, warehouse, "Kent", "InfMort", "2023 (Rev)")
    assert got["change_from_previous_year"] is None  # 2022 was "-"
    assert got["polarity"] == "Low" and got["rank"] is not None
    notts = [n for n in got["neighbours"] if n["la_number"] == NOT_IN_DATA]
    assert notts == [{**notts[0], "value": None}]
    assert got["neighbours_with_value"] < 10
    no_polarity = benchmark_json(capsys, warehouse, "kent", "SEN_TotStat", "2025")
    assert no_polarity["polarity"] is None
    assert no_polarity["quartile_band"] is None and no_polarity["rank"] is None
    no_quartile = benchmark_json(capsys, warehouse, "Kent", "Vacancies_cover", "2024")
    assert no_quartile["quartile_band"] is None and no_quartile["rank"] is not None


def test_the_latest_year_is_the_default_and_every_format_names_the_source(
    synthetic, capsys
) -> None:
    base = ["--warehouse", str(synthetic[0]), "report", "benchmarks", "--la", "Kent"]
    status, out, _ = run_cli(capsys, *base, "--indicator", "InfMort", "--format", "json")
    assert status == 0 and json.loads(out)["year"] == "2023 (Rev)"
    for fmt in ("text", "csv", "json"):
        status, out, _ = run_cli(capsys, *base, "--indicator", "InfMort", "--format", fmt)
        assert "Open Government Licence v3.0" in out
        assert "Local Authority Interactive Tool" in out
    status, out, _ = run_cli(capsys, *base, "--indicator", "InfMort", "--format", "csv")
    assert out.splitlines()[0] == "indicator,year,area,role,value,value_symbol,closeness"
    assert len(out.splitlines()) == 1 + 1 + 10 + 3 + 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--la", "Kentt", "--indicator", "InfMort"], "did you mean: Kent"),
        (["--la", "Kent", "--indicator", "NoSuchCode"], "no such indicator"),
        (["--la", "Kent", "--indicator", "InfMort", "--year", "1999"], "published for"),
    ],
)
def test_a_wrong_name_code_or_year_is_one_clear_line(synthetic, capsys, args, message) -> None:
    status, out, err = run_cli(
        capsys, "--warehouse", str(synthetic[0]), "report", "benchmarks", *args
    )
    assert status == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


# ---------------------------------------------------------------- the real files


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, Rules]:
    folder = folder_with(tmp_path_factory.mktemp("national_real"), DATA)
    warehouse = folder / "w.duckdb"
    status = cli.main(["--warehouse", str(warehouse), "load", str(folder)])
    assert status == 0
    return warehouse, Rules.from_file(DATA)


REAL_CASES = [
    ("Kent", "SEN_EHC_Excpt_20wks", "2024"),
    ("Kent", "SEN_TotStat", "2025"),
    ("Kent", "SEN_TotSENSuP", "2025"),
    ("Kent", "InfMort", None),
    ("Camden", "SEN_AppealableDec", "2024"),
    ("Barnet", "SEN_EHC_All_20wks", "2023"),
    ("Cornwall", "Vacancies_cover", None),
    ("Manchester", "ExcessYr6", None),
]


@pytest.mark.parametrize(("la", "code", "year"), REAL_CASES)
def test_the_published_files_give_what_dfes_rules_give(published, capsys, la, code, year):
    warehouse, rules = published
    number = rules.by_name[la]
    if year is None:  # the latest year DfE publishes for the LA
        year = max(
            (y for (c, n, y) in rules.values if c == code and n == number),
            key=lambda y: (year_start(y) or 0, y),
        )
    got = benchmark_json(capsys, warehouse, la, code, year)
    assert_matches(got, rules.expected(number, code, year))


def test_the_issues_figures_for_kent(published, capsys) -> None:
    warehouse, _ = published
    ehcp_2016 = benchmark_json(capsys, warehouse, "Kent", "SEN_TotStat", "2016")
    ehcp_2025 = benchmark_json(capsys, warehouse, "Kent", "SEN_TotStat", "2025")
    assert (ehcp_2016["value"], ehcp_2025["value"], ehcp_2025["england_value"]) == (2.9, 5.8, 5.3)
    timely = benchmark_json(capsys, warehouse, "Kent", "SEN_EHC_Excpt_20wks", "2024")
    assert (timely["value"], timely["england_value"]) == (33.3, 46.4)
    assert timely["neighbours_mean"] == pytest.approx(41.02)
    assert (timely["quartile_band"], timely["rank"]) == ("C", 107)


def test_the_home_authority_is_a_setting(synthetic, capsys, monkeypatch) -> None:
    base = ["--warehouse", str(synthetic[0]), "report", "benchmarks", "--indicator", "InfMort"]
    status, out, _ = run_cli(capsys, *base, "--format", "json")
    assert status == 0 and json.loads(out)["la"] == "Kent"
    monkeypatch.setenv("STLS_HOME_AUTHORITY", "East Sussex")
    status, out, _ = run_cli(capsys, *base, "--format", "json")
    assert status == 0 and json.loads(out)["la"] == "East Sussex"
