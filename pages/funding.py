"""Funding per pupil: what each district's SLA funding buys per pupil, against engagement,
and beside a needs-based split of the same total."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from warehouse.core import figures, safe_text
from warehouse.dashboard import app_data, charts, filters, titles, ui
from warehouse.dashboard.titles import sentence
from warehouse.reporting import analysis, funding_check, stats
from warehouse.reporting.suppression import hide_derived, lines_for, suppress

ui.page_setup()
st.title("Funding per pupil")

years = app_data.available_years()
if not years:
    st.info("No termly returns have been published yet.")
    st.stop()

chosen = filters.sidebar(
    (filters.YEAR, filters.TERMS, filters.AREA, filters.DISTRICT), years, app_data.published_terms
)
BASES = {
    "pupil": "Per pupil on roll",
    "caseload": "Per caseload pupil",
    "sen": "Per pupil with SEN",
}
basis = filters.choice("basis", "SLA funding", BASES)
districts = chosen.chosen_districts
comparator = chosen.comparator
frame = app_data.view(
    analysis.funding_table, analysis.FUNDING_FIGURES, chosen.year, districts, chosen.terms
)
if frame["budget"].isna().all():
    st.info(f"No SLA funding has been published for {chosen.year}.")
    st.stop()

st.markdown(
    f"**SLA funding per pupil: {chosen.describe()}.** SLA funding is for the whole year and "
    "pupils on roll and pupils with SEN (primary and secondary) come from the year's census; "
    "the terms chosen set only the caseload, the average per term over "
    f"{filters.terms_text(chosen.terms)}, all phases."
)
ui.spell_out("SLA funding", "pupils with SEN")  # the acronyms of the sentence above

# The comparator: the chosen districts together, or Kent as a whole for a viewer who sees
# only their own district.
together = (
    app_data.county_funding_row(chosen.year, chosen.terms)
    if chosen.restricted
    else app_data.view(
        analysis.funding_row,
        analysis.FUNDING_FIGURES,
        chosen.year,
        comparator,
        districts,
        chosen.terms,
    )
)
frame = pd.concat([frame, pd.DataFrame([together])], ignore_index=True)
counts = ["pupils", "caseload", "sen"]
result = suppress(frame, counts, lines_for(frame, column_lines=counts))
result = hide_derived(result, {"caseload_per": ["caseload"], "sen_per": ["sen"]})
values = result.values
per_column = {"pupil": "pupil", "caseload": "caseload_per", "sen": "sen_per"}[basis]
noun = {"pupil": "per pupil", "caseload": "per caseload pupil", "sen": "per SEN pupil"}[basis]
FIGURES = {
    "budget": figures.figure("sla_funding"),
    "caseload": figures.figure("caseload_avg"),
    "pupil": figures.figure("funding_per_pupil"),
    "caseload_per": figures.figure("funding_per_caseload_pupil"),
    "sen_per": figures.figure("funding_per_sen_pupil"),
}
NAMES = {
    **{key: figure.column for key, figure in FIGURES.items()},
    "pupils": "Pupils on roll",
    "sen": "Pupils with SEN",
}
UNITS = {
    **{figure.column: "GBP" if figure.unit == "GBP" else "count" for figure in FIGURES.values()},
    "Pupils on roll": "count",
    "Pupils with SEN": "count",
}

# ---------------------------------------------------------------- sorted bars
st.header(f"SLA funding {noun}, by district")
districts_only = values[values["District"] != comparator]
reference = values.loc[values["District"] == comparator, per_column].iloc[0]
reference = None if isinstance(reference, str) or pd.isna(reference) else float(reference)
denominator = {"pupil": "pupils", "caseload": "caseload", "sen": "sen"}[basis]
chart_table = values[["District", "budget", denominator, per_column]].rename(columns=NAMES)
fig = charts.district_bars(
    list(districts_only["District"]),
    list(districts_only[per_column]),
    "GBP",
    titles.funding_range(
        list(zip(districts_only["District"], districts_only[per_column], strict=True)),
        noun,
        reference,
        comparator,
    ),
    f"SLA funding {noun} (£)",
    reference=reference,
    reference_name=comparator,
)
ui.chart(
    fig,
    chart_table,
    UNITS,
    f"SLA funding {noun} by district",
    f"stls_funding_{basis}_{chosen.year}.csv",
    alt=(
        f"Bar chart of each district's SLA funding {noun} in {chosen.year}, sorted, with "
        f"{comparator}'s figure as a dashed line; bars below it are orange and hatched."
    ),
    notes=["Counts of children from 1 to 4 and figures worked out from them are shown as [c]."],
)
ui.data_table(
    values.rename(columns=NAMES),
    UNITS,
    "All three funding measures by district",
    f"stls_funding_all_measures_{chosen.year}.csv",
)

# ---------------------------------------------------------------- funding vs engagement
st.header(f"Funding {noun} against engagement")
view = app_data.view(
    analysis.settings_view,
    ("engagement_pct",),
    chosen.year,
    "engagement_pct",
    filters.ALL,
    districts,
    chosen.terms,
)
if chosen.restricted:
    view.county = app_data.county_settings_view(
        chosen.year, "engagement_pct", filters.ALL, chosen.terms
    ).county
engagement = view.by_district.set_index("district")["rate"]
pairs = districts_only[["District", per_column]].copy()
pairs["engagement"] = [engagement.get(d) for d in pairs["District"]]
numeric = pairs[per_column].map(lambda v: None if isinstance(v, str) else v)
r, n = stats.correlation(list(numeric.astype(float)), list(pairs["engagement"].astype(float)))
if n < 3:
    # A correlation needs several districts: for one (a district lead's view) there is no
    # link to speak of, only the district against Kent, shown above.
    st.info(
        f"A link between funding and engagement cannot be judged from {n} district"
        + ("s" if n != 1 else "")
        + f": the chart above compares {', '.join(districts)} with {comparator}."
    )
else:
    fig = charts.scatter(
        pairs,
        per_column,
        "engagement",
        "District",
        titles.link(r, f"funding {noun}", "engagement", stats.link_words(r, n)),
        f"SLA funding {noun} (£)",
        "Settings engaging, all phases (%)",
        "GBP",
        "percent",
        reference=(comparator, reference, view.county),
    )
    scatter_table = pairs.rename(
        columns={per_column: NAMES[per_column], "engagement": "Settings engaging, all phases (%)"}
    )
    ui.chart(
        fig,
        scatter_table,
        {NAMES[per_column]: "GBP", "Settings engaging, all phases (%)": "percent"},
        f"Funding {noun} and engagement by district",
        f"stls_funding_{basis}_vs_engagement_{chosen.year}.csv",
        alt=(
            f"Scatter plot: each district's SLA funding {noun} (across) against the share of its "
            f"settings engaging with the service, all phases (up); {comparator} is the orange "
            "diamond."
        ),
        notes=[
            f"{sentence(stats.link_words(r, n))}: {stats.describe_link(r, n)}. With so few "
            "districts, one district can change the picture; a link is not evidence that "
            "funding causes engagement."
        ],
    )

# ---------------------------------------------------------------- needs-based split
st.header("Historical allocation against a needs-based split")
total_budget, pool_pupils, pool_sen = (together[k] for k in ("budget", "pupils", "sen"))
split = analysis.needs_based_split(
    frame[frame["District"] != comparator], total_budget, pool_pupils, pool_sen
)
split_table = split.rename(
    columns={
        "budget": "SLA allocation (£)",
        "by_pupils": "Split by pupils on roll (£)",
        "by_sen_pupils": "Split by pupils with SEN (£)",
        "difference_by_pupils": "Allocation minus split by pupils (£)",
        "difference_by_sen_pupils": "Allocation minus split by SEN pupils (£)",
    }
)[
    [
        "District",
        "SLA allocation (£)",
        "Split by pupils on roll (£)",
        "Split by pupils with SEN (£)",
        "Allocation minus split by pupils (£)",
        "Allocation minus split by SEN pupils (£)",
    ]
]
split_units = {
    "SLA allocation (£)": "GBP",
    "Split by pupils on roll (£)": "GBP",
    "Split by pupils with SEN (£)": "GBP",
    "Allocation minus split by pupils (£)": "GBP_signed",
    "Allocation minus split by SEN pupils (£)": "GBP_signed",
}
# Where Kent's total is shown, say why the funding file's (and the report's) differs by £1.
slip_note = (
    funding_check.slip_note(app_data.county_total_checks(chosen.year), f"£{total_budget:,.0f}")
    if chosen.all_districts or chosen.restricted
    else None
)
# The note quotes the file's name: plain text, never Markdown.
slip = [safe_text.markdown_text(slip_note)] if slip_note else []
fig = charts.dot_plot(
    split,
    "District",
    {
        "budget": "SLA allocation",
        "by_pupils": "Split by pupils on roll",
        "by_sen_pupils": "Split by pupils with SEN",
    },
    "GBP",
    titles.biggest_gap(
        list(zip(split["District"], split["difference_by_sen_pupils"], strict=True)),
        "SEN pupils",
    ),
    "SLA funding (£)",
)
ui.chart(
    fig,
    split_table,
    split_units,
    "Allocation against a needs-based split",
    f"stls_funding_needs_split_{chosen.year}.csv",
    alt=(
        f"Dot plot: for each district, its SLA allocation for {chosen.year} (dark blue "
        "circle) beside what the same total would give it if shared by pupils on roll "
        "(orange diamond) or by pupils with SEN (purple square)."
    ),
    notes=[
        "The total shared out is "
        + ("Kent's" if chosen.restricted else "the chosen districts'")
        + f" SLA funding, £{total_budget:,.0f}. A positive difference means the district "
        "receives more than that split would give it. A needs-based split is an "
        "illustration, not a proposal: "
        "it ignores costs that do not scale with pupils (travel, settings, staff grades).",
        *slip,
    ],
)
