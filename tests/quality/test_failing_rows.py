"""Issue 13: a Dover file holding a row spelt "Doverr", an unknown measure and a negative
value. Every failing cell is listed once with its own check's rule and action, the misspelt
row is Dover's (in ``stls dq --district Dover``, the text view and Dover's correction pack),
the Data quality page's table and CSV agree with the JSON; a steward's review of a warning
is kept, stops the same warning being new at the next load, and survives a rollback; the
notice after each load is written and posted to a webhook, and a webhook that fails does not
fail the load.
"""

from __future__ import annotations

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest
from test_steward import DISTRICT, MEASURE, VALUE, dq_json, dq_page, write_return
from warehouses import copy_warehouse

from warehouse.cli import main
from warehouse.publish import notice, reviews
from warehouse.publish.load import load
from warehouse.quality import suites as suite_files

pytestmark = pytest.mark.dbt

DOVER_FILE = "dover_2023-24_t3.csv"
# (row as the steward sees it, column, check) -> the value as Dover sent it
PLANTED = {
    (4, "district", "district_is_known"): "Doverr",
    (7, "measure", "measure_is_known"): "caseloda",
    (9, "value", "value_is_not_negative"): "-4",
}
JSON_FIELDS = (
    "file",
    "row",
    "column",
    "check",
    "severity",
    "district",
    "value",
    "message",
    "rule",
    "action",
)


class Hook:
    """A local HTTP server standing in for a Teams or Slack incoming webhook: keeps every
    JSON body posted to it and answers ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.bodies: list[dict] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length", 0))
                hook.bodies.append(
                    {
                        "content_type": self.headers.get("Content-Type"),
                        "json": json.loads(self.rfile.read(size)),
                    }
                )
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Hook:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def dover_file(folder: Path, name: str = DOVER_FILE, fixed: bool = False) -> Path:
    folder.mkdir(exist_ok=True)
    edits = {} if fixed else {2: (DISTRICT, "Doverr"), 5: (MEASURE, "caseloda"), 7: (VALUE, "-4")}
    return write_return(folder / name, "Dover", 3, edits)


@pytest.fixture(scope="module")
def doverr(load1_warehouse, tmp_path_factory):
    """The base batch, then the bad Dover file loaded with a webhook listening."""
    root = tmp_path_factory.mktemp("doverr")
    warehouse = copy_warehouse(load1_warehouse, root)
    with Hook() as hook, pytest.MonkeyPatch.context() as patch:
        patch.setenv(notice.WEBHOOK_ENV, hook.url)
        result = load([dover_file(root / "bad")], warehouse)
    return warehouse, root, result, hook.bodies


def dover_rows(report: dict) -> list[dict]:
    return [r for r in report["failing_rows"] if r["file"] == DOVER_FILE and r["row"]]


def test_each_failing_cell_is_listed_once_with_its_own_checks_rule_and_action(doverr, capsys):
    warehouse, _root, result, _posted = doverr
    assert result.exit_code == 1
    report = dq_json(warehouse, capsys)
    rows = report["failing_rows"]
    assert rows and all(set(JSON_FIELDS) <= set(r) for r in rows)
    # (a problem about no file, "Ashford has not sent term 3", is one per district)
    cells = [(r["file"], r["row"], r["column"], r["check"], r["district"]) for r in rows]
    assert len(cells) == len(set(cells)), "a failing cell is listed more than once"
    got = {(r["row"], r["column"], r["check"]): r["value"] for r in dover_rows(report)}
    assert got == PLANTED
    # Each row carries the rule and action of its own source's check (three suites have a
    # district_is_known, each with its own action): the termly return's, never the census
    # team's or finance's.
    specs = {
        (suite.source, spec.name): spec
        for suite in suite_files.load_suites().values()
        for spec in suite.expectations
    }
    for row in dover_rows(report):
        spec = specs[("termly_return", row["check"])]
        assert (row["rule"], row["action"], row["severity"]) == (
            spec.rule,
            spec.action,
            "error",
        )
        assert "census" not in row["action"].lower() and "funding" not in row["action"].lower()
    # "Did you mean" for the near misses.
    by_check = {r["check"]: r for r in dover_rows(report)}
    assert by_check["district_is_known"]["did_you_mean"] == "Dover"
    assert by_check["measure_is_known"]["did_you_mean"] == "caseload"
    assert by_check["value_is_not_negative"]["did_you_mean"] is None


def test_the_misspelt_row_is_dovers_to_correct(doverr, capsys):
    warehouse, *_ = doverr
    misspelt = next(r for r in dq_json(warehouse, capsys)["failing_rows"] if r["row"] == 4)
    assert (misspelt["district"], misspelt["value"]) == ("Dover", "Doverr")
    assert "other rows" in misspelt["district_from"]
    dover = dq_json(warehouse, capsys, "--district", "Dover")["failing_rows"]
    assert {r["district"] for r in dover} == {"Dover"}
    assert {(r["row"], r["column"], r["check"]) for r in dover if r["row"]} == set(PLANTED)
    thanet = dq_json(warehouse, capsys, "--district", "thanet")["failing_rows"]
    assert all(r["district"] == "Thanet" for r in thanet)
    assert not [r for r in thanet if r["file"] == DOVER_FILE]


def test_the_text_view_prints_every_failing_row_with_what_to_change(doverr, capsys):
    warehouse, *_ = doverr
    assert main(["--warehouse", str(warehouse), "dq", "--district", "Dover"]) == 0
    text = capsys.readouterr()[0]
    dover_block = text.split("Dover: ", 1)[1]
    assert f"  {DOVER_FILE} (Dover's own file" in dover_block
    for (row, column, _check), value in PLANTED.items():
        assert f"row {row}, {column} '{value}'" in dover_block
    assert "Did you mean Dover?" in dover_block and "Did you mean caseload?" in dover_block
    assert "(and 1 more)" not in dover_block.split("Took ")[0]
    assert "\nAshford: " not in text  # only Dover's rows: no other district's group


def test_a_misspelt_district_option_is_refused_with_did_you_mean(doverr, capsys):
    warehouse, *_ = doverr
    assert main(["--warehouse", str(warehouse), "dq", "--district", "Doverr"]) == 2
    err = capsys.readouterr()[1]
    assert "did you mean Dover?" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_the_correction_pack_goes_to_dover_only_with_the_value_as_sent(
    doverr, capsys, tmp_path, monkeypatch
):
    from openpyxl import load_workbook

    warehouse, *_ = doverr
    monkeypatch.setenv("STLS_CORRECTION_DEADLINE", "Please send the corrected file by 6 December.")
    out = tmp_path / "packs"
    assert main(["--warehouse", str(warehouse), "dq", "pack", "--output", str(out)]) == 0
    said = capsys.readouterr()[0]
    packs = sorted(p.name for p in out.iterdir())
    # Ashford and the others only have a warning (no return yet): they get nothing.
    assert len(packs) == 1 and packs[0].startswith("stls_corrections_dover_"), packs
    assert "(for Dover)" in said
    book = load_workbook(out / packs[0], read_only=True)
    readme = " ".join(str(c) for row in book["Read me"].values for c in row if c)
    assert "Please send the corrected file by 6 December." in readme
    change = list(book["What to change"].values)
    head, body = change[0], change[1:]
    table = pd.DataFrame(body, columns=head)
    sent = {str(v) for v in table.iloc[:, list(head).index(_value_column(head))]}
    assert set(PLANTED.values()) <= sent
    text = " ".join(str(c) for row in body for c in row if c)
    assert "Did you mean Dover?" in text
    received = " ".join(str(c) for row in book["What we received"].values for c in row if c)
    assert DOVER_FILE in received


def _value_column(head) -> str:
    return next(h for h in head if h and "sent" in str(h).lower())


def test_the_page_table_and_csv_agree_with_the_json(doverr, capsys, monkeypatch, downloads):
    warehouse, *_ = doverr
    report = dq_json(warehouse, capsys)
    at = dq_page(monkeypatch, warehouse)
    table = next(d.value for d in at.dataframe if "Value as sent" in d.value.columns)
    assert len(table) == len(report["failing_rows"])
    assert list(table["Value as sent"]) == [r["value"] or "" for r in report["failing_rows"]]
    assert list(table["What is wrong"]) == [r["message"] for r in report["failing_rows"]]
    assert "None" not in set(table.astype(str).to_numpy().ravel())
    words = [m.value for m in [*at.markdown, *at.caption, *at.info, *at.success]]
    assert not [w for w in words if "stls " in w or "--format" in w]  # no commands
    at.selectbox(key="dq_district").select("Dover").run()
    assert not at.exception
    dover = next(d.value for d in at.dataframe if "Value as sent" in d.value.columns)
    expected = [r for r in report["failing_rows"] if r["district"] == "Dover"]
    assert list(dover["What is wrong"]) == [r["message"] for r in expected]
    assert "Doverr" in set(dover["Value as sent"])
    button = next(b for b in at.get("download_button") if "failing rows" in b.proto.label)
    sent = pd.read_csv(io.BytesIO(downloads.of(button)), dtype=str, keep_default_na=False)
    for field in JSON_FIELDS:
        assert list(sent[field]) == ["" if r[field] is None else str(r[field]) for r in expected]


def _sheet(book_bytes: bytes, name: str) -> list[tuple]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(book_bytes), read_only=True)
    return [tuple(row) for row in book[name].values]


def test_the_pages_packs_are_the_commands_packs(doverr, capsys, monkeypatch, downloads, tmp_path):
    import zipfile

    warehouse, *_ = doverr
    out = tmp_path / "packs"
    assert main(["--warehouse", str(warehouse), "dq", "pack", "--output", str(out)]) == 0
    capsys.readouterr()
    made = {p.name: p.read_bytes() for p in out.iterdir()}
    at = dq_page(monkeypatch, warehouse)
    assert not at.exception
    zipped = next(b for b in at.get("download_button") if "(ZIP)" in b.proto.label)
    with zipfile.ZipFile(io.BytesIO(downloads.of(zipped))) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    assert sorted(members) == sorted(made)  # Dover's only, named as the command names it
    for name, book in members.items():
        assert _sheet(book, "What to change") == _sheet(made[name], "What to change")
    at.selectbox(key="dq_district").select("Dover").run()
    assert not at.exception
    one = next(b for b in at.get("download_button") if "pack for Dover" in b.proto.label)
    (dover,) = made.values()
    assert _sheet(downloads.of(one), "What to change") == _sheet(dover, "What to change")
    sent = {str(c) for row in _sheet(dover, "What to change") for c in row}
    assert set(PLANTED.values()) <= sent


def test_the_notice_is_written_and_posted_after_the_load(doverr):
    warehouse, _root, result, posted = doverr
    md, js = notice.notice_paths(warehouse)
    summary = json.loads(js.read_text(encoding="utf-8"))
    assert summary["load_id"] == result.load_id and summary["status"] == "failed"
    dover = summary["by_district"]["Dover"]
    assert [h["file"] for h in dover["held"]] == [DOVER_FILE] and dover["errors"] == 3
    assert summary["webhook"] == {"posted": True, "status": 200}
    assert "Dover" in md.read_text(encoding="utf-8")
    assert len(posted) == 1 and posted[0]["content_type"] == "application/json"
    text = posted[0]["json"]["text"]
    assert result.load_id in text and "Dover" in text and DOVER_FILE in text


def test_a_review_is_kept_not_raised_again_and_survives_a_rollback(
    doverr, capsys, tmp_path, monkeypatch
):
    warehouse, *_ = doverr
    before = dq_json(warehouse, capsys)
    ashford = next(
        r
        for r in before["failing_rows"]
        if r["district"] == "Ashford" and r["check"] == "district_has_sent_term"
    )
    with pytest.raises(reviews.ReviewError):
        reviews.record(warehouse, dover_rows(before)[0], by="steward", comment="fine")
    with pytest.raises(reviews.ReviewError):
        reviews.record(warehouse, ashford, by="steward", comment="  ")
    reviews.record(
        warehouse, ashford, by="sam@example.org", comment="Ashford told us: sending next week"
    )
    shown = dq_json(warehouse, capsys)
    again = next(r for r in shown["failing_rows"] if r["fingerprint"] == ashford["fingerprint"])
    assert again["reviewed_by"] == "sam@example.org"
    assert again["review_comment"] == "Ashford told us: sending next week"
    assert shown["warnings_new"] == before["warnings_new"] - 1

    # The next load: Dover's corrected file; Ashford has still not sent term 3, the same
    # warning on the same figure. A webhook that fails does not fail the load.
    with Hook(status=500) as broken, pytest.MonkeyPatch.context() as patch:
        patch.setenv(notice.WEBHOOK_ENV, broken.url)
        fixed = load(
            [dover_file(tmp_path / "fixed", "dover_2023-24_t3_corrected.csv", True)], warehouse
        )
    assert fixed.exit_code == 0
    summary = json.loads(notice.notice_paths(warehouse)[1].read_text(encoding="utf-8"))
    assert summary["load_id"] == fixed.load_id
    assert summary["webhook"]["posted"] is False and summary["webhook"]["status"] == 500
    after = dq_json(warehouse, capsys)
    assert after["load_id"] == fixed.load_id
    ash = next(
        r
        for r in after["failing_rows"]
        if r["district"] == "Ashford" and r["check"] == "district_has_sent_term"
    )
    assert ash["fingerprint"] == ashford["fingerprint"]
    assert ash["reviewed_by"] == "sam@example.org"
    assert fixed.warnings_reviewed >= 1
    canterbury = next(r for r in after["failing_rows"] if r["district"] == "Canterbury")
    assert canterbury["reviewed_by"] is None  # not reviewed: still new
    assert after["warnings_new"] == sum(
        1 for r in after["failing_rows"] if r["severity"] == "warning" and not r["reviewed_by"]
    )

    # A rollback makes the version before live again; the review is still there, and shown.
    assert main(["--warehouse", str(warehouse), "rollback"]) == 0
    capsys.readouterr()
    rolled = dq_json(warehouse, capsys)
    assert rolled["load_id"] != fixed.load_id
    kept = next(r for r in rolled["failing_rows"] if r["fingerprint"] == ashford["fingerprint"])
    assert kept["reviewed_by"] == "sam@example.org"
    assert [r.comment for r in reviews.history(warehouse)] == ["Ashford told us: sending next week"]

    # The page, opened again after the rollback, still lists the review.
    at = dq_page(monkeypatch, warehouse)
    shown = next(d.value for d in at.dataframe if "Why it is fine" in d.value.columns)
    assert list(shown["Why it is fine"]) == ["Ashford told us: sending next week"]
    assert list(shown["By"]) == ["sam@example.org"] and list(shown["District"]) == ["Ashford"]


def test_a_term_held_twice_is_counted_once_with_the_first_file_superseded(
    doverr, capsys, monkeypatch, tmp_path
):
    """After the rollback above (or alone) the bad Dover file is held; a second bad file for the
    same term holds it again. The page counts Dover's term 3 once and shows the first file
    as superseded, and the tile agrees with the table."""
    warehouse, *_ = doverr
    second = write_return(tmp_path / "dover_2023-24_t3_again.csv", "Dover", 3, {7: (VALUE, "-5")})
    assert load([second], warehouse).exit_code == 1
    at = dq_page(monkeypatch, warehouse)
    held = next(d.value for d in at.dataframe if "File held back" in d.value.columns)
    dover = held[(held["District"] == "Dover") & held["For"].str.contains("T3")]
    assert list(dover["File held back"]) == ["dover_2023-24_t3_again.csv"]
    assert DOVER_FILE in dover["Earlier files for it (superseded)"].iloc[0]
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Held back now"] == f"{len(held):,}"
    assert "None" not in set(held.astype(str).to_numpy().ravel())


def test_each_problems_value_is_its_own_raw_cell_whatever_its_source(hostile_warehouse) -> None:
    """``issue_rows`` joins only the raw tables of the sources a load has problems in: the
    value it gives each problem is still the cell in its own source's raw table. The demo's
    load has problems in funding and DfE's two files; the hostile load, in termly returns."""
    import duckdb

    from warehouse.core.contracts import CONTRACTS
    from warehouse.quality import failing

    con = duckdb.connect(str(hostile_warehouse), read_only=True)
    try:
        cur = con.cursor()
        checked: set[str] = set()
        for (load_id,) in cur.execute("select load_id from raw.loads").fetchall():
            for issue in failing.issue_rows(cur, load_id):
                source, column = issue["source"], issue["column_name"]
                if source not in CONTRACTS or column not in CONTRACTS[source].columns:
                    assert issue["value"] is None, issue
                    continue
                if issue["row_number"] is None:
                    continue
                cell = cur.execute(
                    f"select {column} from raw.{source} where file_id = ? and row_number = ?",
                    [issue["file_id"], issue["row_number"]],
                ).fetchone()
                assert cell is not None and issue["value"] == cell[0], issue
                checked.add(source)
    finally:
        con.close()
    assert checked == {"termly_return", "funding", "national_data", "national_dictionary"}
