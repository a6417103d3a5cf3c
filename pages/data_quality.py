"""Data quality: the steward's worklist. Load this term's files; see what the load received,
published and held back; what each district must correct, with the value as sent and what
to change; correction packs to send; warnings to review; and how each check has gone."""

from __future__ import annotations

import streamlit as st

from warehouse.core import safe_text
from warehouse.dashboard import (
    app_data,
    auth,
    data_quality_view,
    filters,
    steward,
    steward_data,
    ui,
)
from warehouse.publish import reviews

ui.page_setup()

st.title("Data quality")

try:
    loads = app_data.dq_frame("loads_history", 200)
except auth.AccessDenied as exc:  # the data layer answers data stewards only
    st.error(str(exc), icon=":material/lock:")
    st.stop()

steward.upload_panel()
if loads.empty:
    st.info("No loads yet: load this term's files above.")
    st.stop()

load_id = filters.url_select("load", "Load", data_quality_view.load_options(loads))
result = steward_data.load_result(load_id)
rows = steward_data.failing_rows(load_id)
held = steward_data.held_now()
counts = steward.at_a_glance(result, held, rows)

live = data_quality_view.live_caption(app_data.live_version())
if live is not None:
    st.caption(live)

# ---------------------------------------------------------------- at a glance
st.header(data_quality_view.headline(result))
st.markdown(data_quality_view.advice(result))
tiles = st.columns(5)
tiles[0].metric("Files received", f"{counts['files_received']:,}")
tiles[1].metric("Rows published", f"{counts['rows_published']:,}")
tiles[2].metric("Rows set aside", f"{counts['rows_set_aside']:,}")
tiles[3].metric("Held back now", f"{counts['held_now']:,}")
tiles[4].metric("New warnings", f"{counts['warnings_new']:,}")
st.caption(data_quality_view.glance_caption(counts))

# ---------------------------------------------------------------- the worklist
st.header("What each district must correct")
if rows.empty:
    st.success("No check found anything in this load.", icon=":material/check_circle:")
else:
    options = data_quality_view.district_options(rows)
    chosen = filters.url_select("district", "District", options)
    shown = data_quality_view.rows_for(rows, chosen)
    st.markdown(data_quality_view.worklist_sentence(shown, chosen, options))
    steward.show_table(steward.worklist(shown), wrap=True, key="dq_worklist")
    st.download_button(
        "Download these failing rows (CSV)",
        lambda: steward.worklist_csv(shown),  # written when pressed
        file_name=data_quality_view.failing_rows_file(load_id, chosen),
        mime="text/csv",
        icon=":material/download:",
        key="download_failing_rows",
        on_click="ignore",
    )

recipients = steward_data.pack_recipients(load_id)
if recipients:
    st.subheader("Correction packs")
    st.markdown(data_quality_view.packs_sentence(recipients))
    st.download_button(
        "Download every correction pack (ZIP)",
        steward_data.correction_packs(load_id),  # made when pressed
        file_name=f"stls_correction_packs_{load_id}.zip",
        mime="application/zip",
        icon=":material/download:",
        key="download_correction_packs",
        on_click="ignore",
    )
    if not rows.empty and chosen in recipients:
        st.download_button(
            f"Download the correction pack for {chosen} (XLSX)",
            steward_data.correction_packs(load_id, chosen),  # made when pressed
            file_name=data_quality_view.pack_file(load_id, chosen),
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            icon=":material/download:",
            key="download_correction_pack",
            on_click="ignore",
        )

# ---------------------------------------------------------------- held back now
st.header("Held back now")
if held.empty:
    st.success("No return is held back.", icon=":material/check_circle:")
else:
    st.markdown(
        "Each keeps the district's earlier published figures for that term until a corrected "
        "file arrives; the corrected file replaces it as a whole. An earlier file for the same "
        "term that a later one replaced is listed beside it as superseded."
    )
    steward.show_table(steward.held_table(held), wrap=True, key="dq_held")

st.header("What this load received")
steward.show_table(steward.received_table(steward_data.received(load_id)), key="dq_received")

# ---------------------------------------------------------------- warnings to review
st.header("Warnings to review")
choices = data_quality_view.warnings_to_review(rows)
if not choices:
    st.success("No new warning in this load.", icon=":material/check_circle:")
else:
    st.markdown(
        "A warning holds nothing back. Once you have checked one, mark it reviewed and say "
        "why: the review is kept, and the same warning on the same figure is not raised as new "
        "at a later load."
    )
    with st.form("dq_review_form", clear_on_submit=True):
        picked = st.selectbox(
            "Warning",
            list(choices),
            format_func=lambda f: data_quality_view.warning_label(choices[f]),
            key="dq_review_warning",
        )
        comment = st.text_area("Why it is fine (kept with the review)", key="dq_review_comment")
        if st.form_submit_button("Mark reviewed", icon=":material/task_alt:"):
            try:
                steward_data.record_review({**choices[picked], "load_id": load_id}, comment)
            except reviews.ReviewError as exc:
                st.error(safe_text.markdown_text(str(exc)), icon=":material/error:")
            else:
                st.rerun()

# ---------------------------------------------------------------- checks
st.header("Every check in this load")
checks = app_data.dq_frame("check_results", load_id)
if checks.empty:
    st.info("This load ran no checks (no file was accepted).")
else:
    steward.show_table(steward.checks_table(checks), wrap=True, key="dq_checks")

docs = data_quality_view.data_docs(result)
if docs:
    st.markdown(
        "The Great Expectations Data Docs of this load (every suite and expectation, with the "
        "failing values), to open in a browser:"
    )
    st.download_button(
        "Download the Data Docs for this load (ZIP)",
        app_data.data_docs_zip(docs),  # zipped when pressed, not on every run
        file_name=f"stls_data_docs_{load_id}.zip",
        mime="application/zip",
        icon=":material/download:",
        key="download_data_docs",
    )

# ---------------------------------------------------------------- history
st.header("History")
st.subheader("Loads")
steward.show_table(steward.loads_table(loads), key="dq_loads")
st.subheader("Warnings reviewed")
kept = steward_data.review_history()
if kept:
    steward.show_table(steward.reviews_table(kept), wrap=True, key="dq_reviews")
else:
    st.caption("No warning has been marked reviewed yet.")
trend = app_data.dq_frame("check_history")
if data_quality_view.several_loads(trend):
    steward.show_history_chart(trend)
elif not trend.empty:
    st.caption("The check history chart appears after a second load.")
