"""Data quality: the steward's page. What the latest load received, published and held
back, why, what each district must correct, and how each check has gone over time."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from warehouse.core import safe_text
from warehouse.dashboard import app_data, auth, charts, filters, ui
from warehouse.quality import dq

ui.page_setup()


st.title("Data quality")

try:
    loads = app_data.dq_frame("loads_history", 200)
except auth.AccessDenied as exc:  # the data layer answers data stewards only
    st.error(str(exc), icon=":material/lock:")
    st.stop()
if loads.empty:
    st.info("No loads yet: build the demo with 'stls demo' or load files with 'stls load'.")
    st.stop()

load_labels = {
    row.load_id: f"Load {row.load_seq} ({row.kind}, {row.started_at:%d %b %Y %H:%M}): {row.status}"
    for row in loads.itertuples()
}
load_id = filters.url_select("load", "Load", load_labels)
result = app_data.load_result(load_id)

STATUS_WORDS = {
    "passed": ("Passed", "Everything received was published."),
    "warnings": ("Passed with warnings", "Everything was published; review the warnings."),
    "failed": ("Something was held back or rejected", "See below what to chase."),
    "running": ("Still running, or stopped before it finished", "Nothing from it is published."),
}
headline, advice = STATUS_WORDS.get(result["status"], (result["status"], ""))

live = app_data.live_version()
if live.contents is not None:
    st.caption(
        f"Live version: {live.version_id or 'not yet recorded'}, published by load "
        f"{live.contents.loads} ({live.contents.load_id}); {live.kept} version(s) kept. "
        "'stls rollback --list' shows them and 'stls rollback' restores the one before."
    )

# ---------------------------------------------------------------- at a glance
st.header(f"{headline}")
st.markdown(f"{advice} Next: {dq.next_step(result)}")
cols = st.columns(5)
cols[0].metric("Rows received", f"{result['rows_received']:,}")
cols[1].metric("Rows published", f"{result['rows_published']:,}")
cols[2].metric("Rows quarantined", f"{result['rows_quarantined']:,}")
cols[3].metric("Submissions held", f"{len(result['held_submissions']):,}")
cols[4].metric("Files rejected", f"{len(result['files_rejected']):,}")
st.caption(
    f"Rows received ({result['rows_received']:,}) = published ({result['rows_published']:,}) "
    f"+ quarantined ({result['rows_quarantined']:,}). {result['files_received']} file(s) "
    f"received, {len(result['files_already_loaded'])} of them loaded before (nothing new)."
)

# ---------------------------------------------------------------- what to chase
st.header("Held back: what each district must correct")
holds = app_data.dq_frame("holds")
open_holds = holds[holds["still_held"]] if not holds.empty else holds
if open_holds.empty:
    st.success("No submission is held back.", icon=":material/check_circle:")
else:
    st.markdown(
        "Each held submission keeps the district's earlier published figures for that term "
        "until a corrected file arrives; the corrected file replaces it as a whole."
    )
    table = open_holds[
        ["district", "source", "academic_year", "term", "census_year", "file_name", "reason"]
    ].rename(
        columns={
            "district": "District",
            "source": "Source",
            "academic_year": "Year",
            "term": "Term",
            "census_year": "Census",
            "file_name": "File",
            "reason": "What is wrong",
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")

if result["files_rejected"]:
    st.subheader("Files rejected (nothing from them was loaded)")
    st.dataframe(
        pd.DataFrame(result["files_rejected"]).rename(columns={"file": "File", "reason": "Why"}),
        hide_index=True,
        width="stretch",
    )

# ---------------------------------------------------------------- failing rows
st.header("Failing rows")
rows = app_data.dq_frame("failing_rows", load_id)
if rows.empty:
    st.success("No check found anything in this load.", icon=":material/check_circle:")
else:
    districts = sorted(d for d in rows["district"].dropna().unique())
    district_options = {"all": "All districts", **{d: d for d in districts}}
    chosen_district = filters.url_select("district", "District", district_options)
    check_options = {"all": "All checks"} | {
        c: f"{c} ({s})" for c, s in rows[["check", "severity"]].drop_duplicates().values
    }
    chosen_check = filters.url_select("check", "Check", check_options)
    shown = rows
    if chosen_district != "all":
        shown = shown[shown["district"] == chosen_district]
    if chosen_check != "all":
        shown = shown[shown["check"] == chosen_check]
    st.markdown(
        f"**{len(shown):,} failing row(s)**"
        + (f" for {safe_text.markdown_text(chosen_district)}" if chosen_district != "all" else "")
        + ". Errors first; the value is shown exactly as the district sent it."
    )
    st.dataframe(
        shown.rename(
            columns={
                "severity": "Severity",
                "check": "Check",
                "district": "District",
                "file": "File",
                "row": "Row",
                "column": "Column",
                "value_as_received": "Value as received",
                "message": "What is wrong",
                "action": "What to do",
            }
        ),
        hide_index=True,
        width="stretch",
    )
    suffix = ui.slug(chosen_district) if chosen_district != "all" else "all_districts"
    st.download_button(
        "Download these failing rows (CSV) to send to the district",
        safe_text.csv_bytes(shown),
        file_name=f"stls_failing_rows_{load_id}_{suffix}.csv",
        mime="text/csv",
        icon=":material/download:",
        key="download_failing_rows",
    )

# ---------------------------------------------------------------- checks
st.header("Every check in this load")
checks = app_data.dq_frame("check_results", load_id)
if checks.empty:
    st.info("This load ran no checks (no file was accepted).")
else:
    failed = checks[~checks["success"]]
    errors = int((failed["severity"] == "error").sum())
    warnings = int((failed["severity"] == "warning").sum())
    st.markdown(
        f"{len(checks)} checks ran: **{errors} error check(s)** and **{warnings} warning "
        f"check(s)** found something; {len(checks) - len(failed)} passed."
    )
    st.dataframe(
        checks.assign(result=checks["success"].map({True: "passed", False: "failed"}))[
            ["result", "severity", "suite", "check_name", "failing", "evaluated", "rule", "action"]
        ].rename(
            columns={
                "result": "Result",
                "severity": "Severity",
                "suite": "Suite",
                "check_name": "Check",
                "failing": "Failing",
                "evaluated": "Looked at",
                "rule": "Rule",
                "action": "What to do when it fails",
            }
        ),
        hide_index=True,
        width="stretch",
    )

docs = result.get("data_docs")
if docs and Path(docs).is_file():
    st.markdown(
        "The Great Expectations Data Docs for this load (every suite, every expectation, with "
        f"the failing values) are at `{docs}`. Download them to open in a browser:"
    )
    st.download_button(
        "Download the Data Docs for this load (ZIP)",
        app_data.data_docs_zip(docs),
        file_name=f"stls_data_docs_{load_id}.zip",
        mime="application/zip",
        icon=":material/download:",
        key="download_data_docs",
    )

# ---------------------------------------------------------------- history
st.header("History")
history = loads[
    [
        "load_seq",
        "kind",
        "status",
        "started_at",
        "files_received",
        "files_rejected",
        "rows_received",
        "rows_published",
        "rows_quarantined",
        "submissions_held",
        "errors",
        "warnings",
    ]
].rename(
    columns={
        "load_seq": "Load",
        "kind": "Kind",
        "status": "Result",
        "started_at": "Started (UTC)",
        "files_received": "Files",
        "files_rejected": "Rejected",
        "rows_received": "Rows received",
        "rows_published": "Published",
        "rows_quarantined": "Quarantined",
        "submissions_held": "Held",
        "errors": "Errors",
        "warnings": "Warnings",
    }
)
st.subheader("Loads")
st.dataframe(history, hide_index=True, width="stretch")

trend = app_data.dq_frame("check_history")
if not trend.empty and trend["load_seq"].nunique() > 1:
    fig = charts.lines(
        trend,
        x="load_seq",
        y="failing",
        series="check_name",
        unit="count",
        title="Failing rows per check, load by load",
        x_title="Load",
        y_title="Failing rows",
    )
    ui.chart(
        fig,
        trend[["load_seq", "check_name", "severity", "failing"]],
        {"failing": "count"},
        "Failing rows per check",
        "stls_check_history.csv",
        alt="Failing rows of each check that has ever failed, for every load in order.",
    )
elif not trend.empty:
    st.caption("The check history chart appears after a second load.")
