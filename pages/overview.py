"""Overview: the answer at a glance (what changed, in sentences and a chart), how fresh the
data are, the committee pack, then the committee tables grouped as the report groups them."""

from __future__ import annotations

import streamlit as st

from warehouse.core import safe_text
from warehouse.dashboard import app_data, auth, filters, glance_chart, pack, titles, ui
from warehouse.reporting import comparison, glance, grouped, render

ui.page_setup()
st.title("STLS Insight: overview")

years = app_data.available_years()
if not years:
    st.info("No termly returns have been published yet: the data steward loads each term's files.")
    st.stop()

chosen = filters.sidebar(filters.FIELDS, years, app_data.published_terms)
districts = () if chosen.all_districts else chosen.chosen_districts
view = app_data.glance(chosen.year, chosen.terms, districts, chosen.phase)
current, before = view.current, view.before
previous = before.selection.academic_year if before else None

# ---------------------------------------------------------------- freshness, selection
st.caption(glance.freshness(app_data.recent_loads(1), chosen.year, current.published_terms))
st.markdown(
    f"**{titles.sentence(chosen.describe())}**"
    + (f", beside the same terms of {previous}." if previous else ".")
)

# ---------------------------------------------------------------- what changed
sentences = glance.what_changed(view)
ui.spell_out(*sentences)
st.header("What changed")
# The sentences quote a held return's reason as the audit wrote it: plain text, never Markdown.
st.markdown("\n".join(f"- {safe_text.markdown_text(s)}" for s in sentences))

headline = glance.headline(view)
if previous is not None and headline["points"].notna().any():
    fig = glance_chart.headline_change(headline, pack.headline_title(headline, previous), previous)
    shown = headline[headline["points"].notna()]
    readings = {True: "Improved", False: "Worse"}
    chart_table = shown.assign(
        Figure=shown["label"],
        Breakdown=shown["breakdown_label"],
        Reading=[readings.get(b, "No change") for b in shown["better"]],
    )[["Figure", "Breakdown", "now", "then", "points", "Reading"]].rename(
        columns={"now": chosen.year, "then": previous, "points": "Change (points)"}
    )
    phase_words = filters.PHASES[chosen.phase].lower()
    ui.chart(
        fig,
        chart_table,
        {chosen.year: "percent", previous: "percent", "Change (points)": "pp"},
        "Headline figures against the year before",
        f"stls_headline_{chosen.year}_vs_{previous}.csv",
        alt=(
            f"Each committee figure with a direction of good ({phase_words}) as points better "
            f"or worse than the same terms of {previous}: better to the right of the zero "
            "line with an upward triangle, worse to the left with a downward triangle, no "
            "change on the line with a circle. The figure now and a year earlier is written "
            "at the right of each row."
        ),
    )

# ---------------------------------------------------------------- the committee pack
st.header("Committee pack")
st.markdown(
    "The committee tables as the report prints them, these sentences, the key charts and "
    "the notes on sources, symbols and suppression, laid out for A4."
)
selection_name = pack.file_name(current.selection, "pdf")
left, right = st.columns(2)
left.download_button(
    "Download the committee pack (PDF)",
    lambda: app_data.pack_file(chosen.year, chosen.terms, districts, chosen.phase, "pdf"),
    file_name=selection_name,
    mime="application/pdf",
    icon=":material/picture_as_pdf:",
    key="download_pack_pdf",
    on_click="ignore",
)
right.download_button(
    "Download the committee pack (HTML)",
    lambda: app_data.pack_file(chosen.year, chosen.terms, districts, chosen.phase, "html"),
    file_name=selection_name.removesuffix(".pdf") + ".html",
    mime="text/html",
    icon=":material/description:",
    key="download_pack_html",
    on_click="ignore",
)

# ---------------------------------------------------------------- committee tables
st.header("Committee tables")
st.caption(
    "Each figure as the committee report publishes it (whole percentages, whole pupils, "
    "whole pounds), for the terms chosen in both years. The change is worked out from "
    "unrounded figures; ▲ Improved and ▼ Worse say whether it moved the way that is good."
)
groups = grouped.groups(current, before, chosen.phase, view.county)
for group in groups:
    st.subheader(group.heading, anchor=False)
    st.caption(group.note)
    st.table(group.frame, hide_index=True)
table = comparison.comparison(current, before, chosen.phase)
st.download_button(
    "Download the data: committee tables with change (CSV)",
    table.to_csv(index=False, lineterminator="\n").encode("utf-8"),
    file_name=f"stls_committee_tables_{chosen.year}_vs_{previous or 'none'}.csv",
    mime="text/csv",
    icon=":material/download:",
    key="download_comparison",
)
st.download_button(
    f"Download {chosen.year}'s committee tables, unrounded (CSV)",
    render.to_csv(current).encode("utf-8"),
    file_name=f"stls_committee_tables_{chosen.year}.csv",
    mime="text/csv",
    icon=":material/download:",
    key="download_report_csv",
)
for note in render.notes(current):
    if note != render.ILLUSTRATIVE:
        st.caption(note)
ui.missing_notice(current.missing)
if auth.current_viewer().may_open(auth.DATA_QUALITY):
    st.page_link(
        "pages/data_quality.py",
        label="Data quality: loads, checks and held returns",
        icon=":material/arrow_forward:",
    )
