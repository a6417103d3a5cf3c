"""Outcomes for supported children (issue 15): `stls report outcomes` on a small batch whose
answers are worked out by hand, and the privacy guard seen from the warehouse's side.

The batch (tests/fixtures/outcomes_batch: four January censuses 2021-2024 and one episodes
extract; child keys are SHA-256 of the names below, made up) and the closed year 2021-22
(1 September 2021 to 31 August 2022; its census day is 15 January 2022):

Cohort (an episode closed in 2021-22; the latest one counts):
  C1 Dover targets_met, closed 2021-10-10, sen_support at baseline: ehcp in 2022 -> escalated
     at 12 and 24 months.
  C2 Dover moved_away, closed 2021-12-01: in no later census -> not followed at either
     horizon (reported, not counted as not escalated).
  C3 Dover other: ehcp at the 2021 census before the episode opened -> already had a plan.
  C4 Thanet targets_met, closed 2022-01-14 (the day before census day): 2022 census
     (sen_support) falls inside 12 months; 2023 (ehcp, 15 January 2023) falls one day
     outside 12 months and inside 24 -> observed but not escalated at 12, escalated at 24.
  C5 Thanet ehcp_issued, closed ON census day 2022-01-15: the 2022 census is not after the
     close; 2023 (ehcp) is exactly 12 months after -> escalated at 12 and 24.
  C8 Dover other (closed 2021-10-01), then Thanet targets_met (closed 2022-06-30): counted
     once, as Thanet targets_met; baseline the 2022 census (sen_support); 2023 sen_support,
     2024 ehcp -> observed not escalated at 12, escalated at 24.
  Not in it: C6 (still open), C7 (closed 2021-07-01, in 2020-21).
Comparison (sen_support in January 2022, never open up to 15 January 2022):
  C6 Thanet (opened 2022-02-01: after census day): sen_support 2023, none 2024 -> observed,
     not escalated at 12 and 24.
  P1 Dover: ehcp 2023 -> escalated at 12 and 24.  P2 Dover: in no later census.
  P3 Thanet: sen_support 2023, ehcp 2024 -> not escalated at 12, escalated at 24.
  Not in it: C4, C5, C7, C8 (open before census day), C1, C3 (ehcp), P4 (none).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from warehouse import cli
from warehouse.publish.load import load

BATCH = Path(__file__).resolve().parents[1] / "fixtures" / "outcomes_batch"
YEAR = "2021-22"


def G(children, already, obs12, ehcp12, obs24, ehcp24):
    """One group as shared/interface.md writes it, percentages from the hand counts."""
    return {
        "children": children,
        "already_had_plan": already,
        "observed_12": obs12,
        "ehcp_12": ehcp12,
        "ehcp_12_pct": 100 * ehcp12 / obs12 if obs12 else None,
        "observed_24": obs24,
        "ehcp_24": ehcp24,
        "ehcp_24_pct": 100 * ehcp24 / obs24 if obs24 else None,
    }


EXPECTED = {
    "closed_year": YEAR,
    "cohort": {
        "all": G(6, 1, 4, 2, 4, 4),  # C1 C2 C3 C4 C5 C8
        "by_district": {
            "Dover": G(3, 1, 1, 1, 1, 1),  # C1 C2 C3
            "Thanet": G(3, 0, 3, 1, 3, 3),  # C4 C5 C8
        },
        "by_closure_reason": {
            "ehcp_issued": G(1, 0, 1, 1, 1, 1),  # C5
            "moved_away": G(1, 0, 0, 0, 0, 0),  # C2
            "other": G(1, 1, 0, 0, 0, 0),  # C3
            "targets_met": G(3, 0, 3, 1, 3, 3),  # C1 C4 C8
        },
    },
    "comparison": {
        "all": G(4, 0, 3, 1, 3, 2),  # C6 P1 P2 P3
        "by_district": {
            "Dover": G(2, 0, 1, 1, 1, 1),  # P1 P2
            "Thanet": G(2, 0, 2, 0, 2, 1),  # C6 P3
        },
    },
}


@pytest.fixture(scope="module")
def batch_warehouse(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("outcomes_batch") / "stls.duckdb"
    assert load([BATCH], path).exit_code == 0
    return path


def _stls(capsys, warehouse: Path, *args: str) -> tuple[int, str, str]:
    code = cli.main(["--warehouse", str(warehouse), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _close(actual, expected, where="") -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and set(actual) == set(expected), where
        for key in expected:
            _close(actual[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, float):
        assert actual == pytest.approx(expected), where
    else:
        assert actual == expected, where


def test_report_outcomes_json_equals_the_hand_computation(batch_warehouse, capsys):
    code, out, err = _stls(
        capsys, batch_warehouse, "report", "outcomes", "--closed-year", YEAR, "--format", "json"
    )
    assert code == 0, err
    _close(json.loads(out), EXPECTED)


def test_report_outcomes_text_hides_counts_of_one_to_four(batch_warehouse, capsys):
    code, out, err = _stls(capsys, batch_warehouse, "report", "outcomes", "--closed-year", YEAR)
    assert code == 0, err
    assert "[c]" in out
    assert "not a controlled comparison" in out
    kent = next(line for line in out.splitlines() if line.startswith("Kent"))
    # Every count in this batch is 0 to 6: 5 and 6 show, 1 to 4 never do.
    cells = kent.split()[1:]
    assert cells[0] == "6" and "4" not in cells and "1" not in cells, kent


def test_a_year_without_a_cohort_is_a_usage_error(batch_warehouse, capsys):
    code, out, err = _stls(
        capsys, batch_warehouse, "report", "outcomes", "--closed-year", "2030-31"
    )
    assert code == 2 and out == ""
    assert "2030-31" in err and "2021-22" in err and "Traceback" not in err


# ---------------------------------------------------------------- privacy: refused whole

UPN = "A123456789012"
MARKER = "f" * 63 + "0"  # a good key in the same file: not kept either


def _text_cells_holding(warehouse: Path, needle: str) -> list[str]:
    """Every text column of every table in the warehouse that holds ``needle``."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        columns = con.execute(
            """
            select table_schema, table_name, column_name
            from information_schema.columns
            where data_type in ('VARCHAR', 'JSON') or data_type like 'VARCHAR%'
               or data_type like '%[]' or data_type like 'STRUCT%' or data_type like 'MAP%'
            """
        ).fetchall()
        assert len(columns) > 50, "the search must reach the whole warehouse"
        found = []
        for schema, table, column in columns:
            hits = con.execute(
                f'select count(*) from "{schema}"."{table}" '
                f'where cast("{column}" as varchar) ilike $needle',
                {"needle": f"%{needle}%"},
            ).fetchone()[0]
            if hits:
                found.append(f"{schema}.{table}.{column}")
        return found
    finally:
        con.close()


def test_a_census_holding_a_upn_is_refused_and_no_cell_of_it_kept(
    batch_warehouse, tmp_path, capsys
):
    warehouse = tmp_path / "stls.duckdb"
    shutil.copyfile(batch_warehouse, warehouse)
    census = tmp_path / "pupil_census_january_2025.csv"
    census.write_text(
        "census_year,child_key,district,phase,sen_status\n"
        f"2025,{MARKER},Dover,primary,sen_support\n"
        f"2025,{UPN},Thanet,primary,ehcp\n",
        encoding="utf-8",
    )
    code, out, err = _stls(capsys, warehouse, "load", str(census))
    assert code == 1, out + err
    reason = [line for line in out.splitlines() if "UPN" in line]
    assert reason, out  # says why, in one line
    assert UPN not in out + err and MARKER not in out + err
    assert _text_cells_holding(warehouse, UPN) == []
    assert _text_cells_holding(warehouse, MARKER) == []
    # The search itself finds a cell that was loaded: C1's key, in raw and the marts.
    found = _text_cells_holding(warehouse, hashlib.sha256(b"C1").hexdigest())
    assert any(f.startswith("raw.") for f in found) and len(found) > 2, found


def test_a_child_level_file_naming_a_person_is_refused_whole(batch_warehouse, tmp_path, capsys):
    warehouse = tmp_path / "stls.duckdb"
    shutil.copyfile(batch_warehouse, warehouse)
    extract = tmp_path / "caseload_episodes_extract_2025-01-31.csv"
    extract.write_text(
        "episode_id,child_key,district,phase,open_date,close_date,closure_reason,date_of_birth\n"
        f"EZ1,{MARKER},Dover,primary,2024-09-10,,,2016-05-04\n",
        encoding="utf-8",
    )
    code, out, err = _stls(capsys, warehouse, "load", str(extract))
    assert code == 1, out + err
    assert "date_of_birth" in out or "date of birth" in out, out
    assert _text_cells_holding(warehouse, MARKER) == []
    assert _text_cells_holding(warehouse, "2016-05-04") == []


# ---------------------------------------------------------------- bad rows: set aside alone


def test_bad_child_level_rows_are_quarantined_one_by_one(batch_warehouse, tmp_path, capsys):
    """A later extract with an unknown district, a close before the open, a date that does
    not parse and a key that is not a keyed hash: each row is set aside alone with one line
    saying why (never quoting the key), and the good episode is published."""
    warehouse = tmp_path / "stls.duckdb"
    shutil.copyfile(batch_warehouse, warehouse)
    key = hashlib.sha256(b"Z1").hexdigest()
    extract = tmp_path / "caseload_episodes_extract_2024-06-30.csv"
    extract.write_text(
        "episode_id,child_key,district,phase,open_date,close_date,closure_reason\n"
        f"EZ1,{key},Dover,primary,2023-09-10,2023-12-01,targets_met\n"
        f"EZ2,{key},Atlantis,primary,2023-09-10,2023-12-01,targets_met\n"
        f"EZ3,{key},Dover,primary,2023-09-10,2023-08-01,targets_met\n"
        f"EZ4,{key},Dover,primary,2023-13-40,,\n"
        "EZ5,not-a-hash,Dover,primary,2023-09-10,,\n",
        encoding="utf-8",
    )
    code, out, err = _stls(capsys, warehouse, "load", str(extract))
    assert code == 1, out + err
    assert "Traceback" not in out + err
    code, dq_json, err = _stls(capsys, warehouse, "dq", "--format", "json")
    assert code == 0, err
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        episodes = dict(
            con.execute(
                "select episode_id, district_sk is not null from marts.fct_caseload_episode"
            ).fetchall()
        )
    finally:
        con.close()
    assert "EZ1" in episodes
    assert not {"EZ2", "EZ3", "EZ4", "EZ5"} & set(episodes)
    for fragment in ("Atlantis", "EZ3", "EZ4", "EZ5"):
        assert fragment in dq_json, fragment
    assert key not in dq_json and key not in out
