"""The Data quality page's building blocks: a steward's worklist in words (labels, not
identifiers; blank, never "None"), the load from the browser with its progress bar, the
review of a warning, and the check history chart.

Received text reaches the page only in ``st.dataframe`` cells (a canvas grid: never
Markdown) or through ``safe_text.markdown_text``; downloads go through ``safe_text``.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from warehouse.core import safe_text
from warehouse.dashboard import chart_rules, charts, steward_data, ui
from warehouse.publish import upload
from warehouse.quality import dq, failing

STATUS_WORDS = {
    "passed": ("Published", "Everything received was published."),
    "warnings": ("Published, with warnings to review", "Nothing was held back."),
    "failed": ("Something was held back or rejected", "Below: what each district must correct."),
    "running": ("Still running, or stopped before it finished", "Nothing from it is published."),
}
KIND_WORDS = {"demo": "demo data", "load": "loaded by command", "upload": "loaded in the browser"}
STEP_WORDS = {
    "read": "Reading the files",
    "audit": "Checking every row",
    "build": "Building the warehouse",
    "publish": "Publishing",
}
SEVERITY_WORDS = {"error": "Must be corrected", "warning": "Warning"}
WORKLIST_COLUMNS = {
    "district": "District",
    "file": "File",
    "row": "Row",
    "column": "Column",
    "value": "Value as sent",
    "message": "What is wrong",
    "what_to_change": "What to change",
    "severity": "Severity",
    "check_label": "Check",
    "reviewed": "Reviewed",
}
# Taller rows let st.dataframe wrap long text ("What is wrong", "What to change").
WRAPPED_ROW_HEIGHT = 78


def load_label(row) -> str:
    """A load as the steward reads it: "Load 12, 30 Nov 2026 19:24, loaded in the browser:
    something was held back or rejected"."""
    when = f"{row.started_at:%d %b %Y %H:%M}" if pd.notna(row.started_at) else "not started"
    kind = KIND_WORDS.get(row.kind, str(row.kind))
    status = STATUS_WORDS.get(row.status, (str(row.status), ""))[0].lower()
    return f"Load {row.load_seq}, {when}, {kind}: {status}"


def _cell(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def as_words(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as the page shows it: a column with a missing cell becomes text, blank
    where nothing is (never "None", "nan" or "<NA>"); whole numbers without ".0"."""
    out = frame.copy()
    for column in out.columns:
        if out[column].isna().any() or out[column].dtype == object:
            out[column] = out[column].map(_cell)
    return out


def show_table(frame: pd.DataFrame, *, wrap: bool = False, key: str | None = None) -> None:
    """A table of words: missing cells blank, never "None"; long text wrapped if asked."""
    shown = as_words(frame)
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        row_height=WRAPPED_ROW_HEIGHT if wrap else None,
        key=key,
    )


def worklist(rows: pd.DataFrame) -> pd.DataFrame:
    """The failing rows as the page shows them: labelled, in the JSON's order."""
    out = rows.copy()
    out["severity"] = out["severity"].map(SEVERITY_WORDS).fillna(out["severity"])
    out["district"] = out["district"].fillna(failing.NO_DISTRICT)
    out["reviewed"] = [
        f"{by} on {str(at)[:10]}: {comment}" if isinstance(by, str) else ""
        for by, at, comment in zip(
            rows["reviewed_by"], rows["reviewed_at"], rows["review_comment"], strict=True
        )
    ]
    return out[list(WORKLIST_COLUMNS)].rename(columns=WORKLIST_COLUMNS)


def worklist_csv(rows: pd.DataFrame) -> bytes:
    """The failing rows shown, with the JSON's field names (``failing.FIELDS``), as CSV:
    formulas neutralised (``safe_text.csv_bytes``)."""
    return safe_text.csv_bytes(rows[list(failing.FIELDS)])


def held_table(held: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "District": held["district"],
            "Source": held["source"].map(failing.source_label),
            "For": held["period"],
            "File held back": held["file_name"],
            "Held since": "Load " + held["held_in_load_seq"].astype(str),
            "Why": held["reason"],
            "Earlier files for it (superseded)": held["superseded_files"],
        }
    )
    return out


def received_table(got: pd.DataFrame) -> pd.DataFrame:
    states = []
    for r in got.to_dict("records"):
        state = dq.FILE_STATES.get(r["file_status"]) or dq.SUBMISSION_STATES.get(
            r["submission_state"], "Set aside: no row matched a district and period"
        )
        if isinstance(r.get("replaced_by_file"), str):
            state += f" ({r['replaced_by_file']})"
        if r.get("file_status") == "rejected" and isinstance(r.get("file_reason"), str):
            state += f": {r['file_reason']}"
        if r.get("rows_set_aside"):
            state += f"; {int(r['rows_set_aside'])} row(s) set aside on their own"
        states.append(state)
    return pd.DataFrame(
        {
            "File": got["file"],
            "Source": got["source"].map(failing.source_label),
            "District": got["district"],
            "For": got["period"],
            "Rows": got["submission_rows"].fillna(got["rows_read"]).astype("Int64"),
            "What became of it": states,
        }
    )


def checks_table(checks: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Result": checks["success"].map({True: "Passed", False: "Found something"}),
            "Severity": checks["severity"].map(SEVERITY_WORDS),
            "Source": checks["source"].map(failing.source_label),
            "Check": checks["check_name"].map(failing.check_label),
            "Rows failing": checks["failing"],
            "Rows looked at": checks["evaluated"],
            "Rule": checks["rule"],
            "What to do when it fails": checks["action"],
        }
    )


def loads_table(loads: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Load": "Load " + loads["load_seq"].astype(str),
            "Started (UTC)": loads["started_at"].dt.strftime("%d %b %Y %H:%M"),
            "How": loads["kind"].map(KIND_WORDS).fillna(loads["kind"]),
            "Result": loads["status"].map(lambda s: STATUS_WORDS.get(s, (s, ""))[0]),
            "Files": loads["files_received"],
            "Rejected": loads["files_rejected"],
            "Rows received": loads["rows_received"],
            "Published": loads["rows_published"],
            "Set aside": loads["rows_quarantined"],
            "Held back": loads["submissions_held"],
            "Errors": loads["errors"],
            "Warnings": loads["warnings"],
        }
    )


def reviews_table(kept: list[failing.Review]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Reviewed (UTC)": [r.at.replace("T", " ")[:16] for r in kept],
            "By": [r.by for r in kept],
            "District": [r.district or "" for r in kept],
            "Check": [failing.check_label(r.check) for r in kept],
            "Warning": [r.message for r in kept],
            "Why it is fine": [r.comment for r in kept],
        }
    )


# ---------------------------------------------------------------- at a glance


def at_a_glance(result: dict, held: pd.DataFrame, rows: pd.DataFrame) -> dict[str, int]:
    """The counts the page's tiles show, each the length of a table the page shows."""
    return {
        "files_received": int(result["files_received"]),
        "rows_received": int(result["rows_received"]),
        "rows_published": int(result["rows_published"]),
        "rows_set_aside": int(result["rows_quarantined"]),
        "held_now": len(held),
        "held_in_load": len(result["held_submissions"]),
        "files_rejected": len(result["files_rejected"]),
        "errors": int((rows["severity"] == "error").sum()),
        "warnings_new": int(result["warnings_new"]),
        "warnings_reviewed": int(result["warnings_reviewed"]),
    }


# ---------------------------------------------------------------- the check history chart


def history_chart(trend: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    """Failing rows per check, load by load: each line a check in words ("Termly returns:
    District is known", the legend entry on two lines so it fits a phone), the loads as
    "Load 3", and the legend under the plot, clear of the title however many lines it needs."""
    source = trend["source"].map(failing.source_label)
    check = trend["check_name"].map(failing.check_label)
    name = source + ":" + chart_rules.LINE_BREAK + check.map(chart_rules.legend_lines)
    frame = trend.assign(check=name, load=trend["load_seq"])
    fig = charts.lines(
        frame,
        x="load",
        y="failing",
        series="check",
        unit="count",
        title="Failing rows per check, load by load",
        x_title="Load",
        y_title="Failing rows",
        x_labels={s: f"Load {s}" for s in frame["load"].unique()},
    )
    # 20 px for every line of every legend entry under the plot
    lines = sum(n.count(chart_rules.LINE_BREAK) + 1 for n in frame["check"].unique())
    fig.update_layout(
        height=420 + 20 * lines,
        margin={"t": 60, "b": 80 + 20 * lines},
        legend={"orientation": "v", "yanchor": "top", "y": -0.18, "x": 0, "title": None},
    )
    table = frame.assign(check=source + ": " + check)[
        ["load_seq", "check", "severity", "failing"]
    ].rename(columns={"load_seq": "load", "failing": "failing rows"})
    return fig, table


def show_history_chart(trend: pd.DataFrame) -> None:
    fig, table = history_chart(trend)
    ui.chart(
        fig,
        table,
        {"failing rows": "count"},
        "Failing rows per check",
        "stls_check_history.csv",
        alt="Failing rows of each check that has ever failed, for every load in order.",
    )


# ---------------------------------------------------------------- a load from the browser


def _progress_text(job: upload.Job) -> str:
    step = STEP_WORDS.get(job.step, job.step)
    return safe_text.markdown_text(f"{step}: {job.detail}")


def follow(job: upload.Job) -> None:
    """A progress bar through read, audit, build and publish until the load ends, then a
    rerun, so the page below shows the new load."""
    bar = st.progress(job.fraction, text=_progress_text(job))
    while not job.done.wait(0.3):
        bar.progress(job.fraction, text=_progress_text(job))
    bar.progress(1.0, text=_progress_text(job))
    if job.result is not None:
        st.session_state["dq_load"] = job.result.load_id
        st.query_params["load"] = job.result.load_id
    st.session_state["dq_upload_seen"] = id(job)
    st.rerun()


def upload_panel() -> None:
    """Load this term's files from the browser (data stewards only: the page is theirs and
    ``steward_data`` checks the role again). A load running (from any browser) shows its
    progress; one finished shows its result until the steward loads more."""
    job = steward_data.running_upload()
    if job is not None and job.running:
        st.info(f"A load is running: {safe_text.markdown_text(job.describe())}.")
        follow(job)
        return
    if job is not None and st.session_state.get("dq_upload_seen") == id(job):
        _show_outcome(job)
    with st.expander("Load this term's files", expanded=job is None):
        st.markdown(
            "Drop the term's returns (and any census or funding file) here. They are read, "
            "checked, built into the warehouse and published exactly as a load by command: "
            "files and rows that fail are held back and listed below, everything else is "
            "published."
        )
        with st.form("dq_upload_form", clear_on_submit=True):
            files = st.file_uploader(
                "Files (CSV or XLSX)",
                accept_multiple_files=True,
                max_upload_size=steward_data.upload_limit_mb(),
                key="dq_upload_files",
            )
            submitted = st.form_submit_button("Load these files", type="primary")
        if submitted:
            chosen = [upload.Upload(f.name, f.getvalue()) for f in files or []]
            try:
                job = steward_data.start_upload(chosen)
            except upload.UploadRefused as exc:
                st.error(safe_text.markdown_text(str(exc)), icon=":material/block:")
                return
            follow(job)


def _show_outcome(job: upload.Job) -> None:
    if job.error:
        st.error(
            safe_text.markdown_text(f"The load did not run: {job.error}"), icon=":material/error:"
        )
        return
    result = job.result
    headline = STATUS_WORDS.get(result.status, (result.status, ""))[0]
    shown = st.success if result.status == "passed" else st.warning
    shown(
        f"Loaded {len(result.files)} file(s): {headline}. The page below shows this load.",
        icon=":material/upload_file:",
    )
