"""District engagement: settings engaging, attending LIFT and attending training by district,
phase and term; caseload and active support by district."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from warehouse.core import figures
from warehouse.dashboard import app_data, charts, filters, titles, ui
from warehouse.dashboard.filters import PHASES
from warehouse.reporting import analysis
from warehouse.reporting.suppression import hide_derived, lines_for, suppress

ui.page_setup()
st.title("District engagement")

years = app_data.available_years()
if not years:
    st.info("No termly returns have been published yet.")
    st.stop()

chosen = filters.sidebar(filters.FIELDS, years, app_data.published_terms)
measure = filters.choice(
    "measure",
    "Measure",
    {key: figures.figure(f).label for key, (f, _noun) in analysis.SETTINGS_CHOICES.items()},
)
figure, noun = analysis.SETTINGS_CHOICES[measure]
label = figures.figure(figure).label
phase_label = PHASES[chosen.phase].lower()
districts = chosen.chosen_districts
comparator = chosen.comparator
st.markdown(f"**{label} as a share of settings in the census: {chosen.describe()}.**")
# Acronyms the page uses (the measures it offers name LIFT), spelt out at first use.
ui.spell_out(label, *(figures.figure(f).label for f, _noun in analysis.SETTINGS_CHOICES.values()))

view = app_data.view(
    analysis.settings_view,
    analysis.SETTINGS_FIGURES,
    chosen.year,
    figure,
    chosen.phase,
    districts,
    chosen.terms,
)
# What each district is compared with: the chosen districts pooled, or for a viewer who
# sees only their own district, Kent as a whole.
compared = (
    app_data.county_settings_view(chosen.year, figure, chosen.phase, chosen.terms)
    if chosen.restricted
    else view
)
missing = analysis.missing_district_terms(
    app_data.return_status(chosen.year), districts, chosen.terms
)
ui.missing_notice(missing)
if view.by_district.empty:
    st.info(f"No published returns for {chosen.describe()}.")
    st.stop()
stem = f"{measure}_{chosen.year}_{filters.terms_param(chosen.terms)}_{chosen.phase}"

# ---------------------------------------------------------------- districts against county
st.header(f"{', '.join(districts) if chosen.restricted else 'Each district'} against {comparator}")
by_district = (
    pd.DataFrame({"District": list(districts)})
    .merge(view.by_district.rename(columns={"district": "District"}), on="District", how="left")
    .rename(columns={"rate": f"{label} (%)", "terms": "Terms with a return"})
)
value_col = f"{label} (%)"
table = by_district[["District", value_col, "Terms with a return"]].copy()
table["Against " + comparator] = [
    "[x]" if pd.isna(v) else ("Below" if v < compared.county else "At or above")
    for v in table[value_col]
]
table = pd.concat(
    [
        table,
        pd.DataFrame(
            [
                {
                    "District": comparator,
                    value_col: compared.county,
                    "Terms with a return": len(compared.county_by_term),
                    "Against " + comparator: "[z]",
                }
            ]
        ),
    ],
    ignore_index=True,
)
units = {value_col: "percent", "Terms with a return": "count"}
fig = charts.district_bars(
    list(by_district["District"]),
    list(by_district[value_col]),
    "percent",
    titles.lowest_against(
        list(zip(by_district["District"], by_district[value_col], strict=True)),
        compared.county,
        noun,
        comparator,
    ),
    f"{label}, % of settings ({phase_label})",
    reference=compared.county,
    reference_name=comparator,
)
ui.chart(
    fig,
    table,
    units,
    f"{label} by district",
    f"stls_{stem}_by_district.csv",
    alt=(
        f"Bar chart of {label.lower()} as a percentage of settings ({phase_label}), one bar "
        f"per district over {filters.terms_text(chosen.terms)}, sorted, with {comparator}'s "
        "figure as a dashed line. Bars below it are orange and hatched."
    ),
)

# ---------------------------------------------------------------- heat map
st.header("District by term")
matrix = view.by_district_term.pivot(index="district", columns="term", values="rate").reindex(
    index=list(districts), columns=list(chosen.terms)
)
matrix.columns = [f"Term {t}" for t in matrix.columns]
heat_table = matrix.reset_index().rename(columns={"district": "District"})
heat_units = {c: "percent" for c in matrix.columns}
fig = charts.heatmap(
    matrix,
    "percent",
    titles.spread(list(matrix.to_numpy().ravel()), noun, "across districts and terms"),
    f"{label} (%)",
)
ui.chart(
    fig,
    heat_table,
    heat_units,
    f"{label} by district and term",
    f"stls_{stem}_district_term.csv",
    alt=(
        f"Heat map of {label.lower()} ({phase_label}): one row per district, one column per "
        "term, each cell labelled with its percentage; darker blue is higher. [x]: no "
        "published return."
    ),
)

# ---------------------------------------------------------------- over terms by phase
st.header("Over the terms, by phase")
trend = compared.by_phase_term.copy()
trend["series"] = trend["phase"].map(PHASES)
if chosen.phase != filters.ALL:
    trend = trend[trend["phase"] == chosen.phase]
if not chosen.all_districts and len(districts) <= 4:
    per_district = view.by_district_term.assign(series=lambda f: f["district"])
    # Like with like: a district's all-phase line beside Kent's all-phase line (Kent's
    # per-phase lines only when a phase is chosen, and then the district's is that phase).
    county_lines = (
        compared.county_by_term.assign(series=PHASES[filters.ALL])
        if chosen.phase == filters.ALL
        else trend
    )
    trend = pd.concat(
        [
            county_lines.assign(series=lambda f: comparator + ": " + f["series"]),
            per_district.assign(series=lambda f: f["series"] + f" ({phase_label})"),
        ]
    )
trend = trend.sort_values(["series", "term"])
series_points = {
    name: list(zip(part["term"], part["rate"], strict=True))
    for name, part in trend.groupby("series", sort=False)
}
fig = charts.lines(
    trend,
    "term",
    "rate",
    "series",
    "percent",
    titles.trend(series_points, noun),
    "Term",
    f"{label} (%)",
    x_labels={t: f"Term {t}" for t in range(1, 7)},
)
trend_table = trend.pivot(index="term", columns="series", values="rate").reset_index()
trend_table["term"] = [f"Term {t}" for t in trend_table["term"]]
trend_table = trend_table.rename(columns={"term": "Term"})
trend_table.columns.name = None
ui.chart(
    fig,
    trend_table,
    {c: "percent" for c in trend_table.columns if c != "Term"},
    f"{label} over the terms",
    f"stls_{stem}_over_terms.csv",
    alt=(
        f"Line chart of {label.lower()} for {comparator} by phase over "
        f"{filters.terms_text(chosen.terms)}; each phase has its own colour, marker and "
        "line style."
    ),
)

# ---------------------------------------------------------------- caseload
st.header("Caseload and active support by district")
caseload = app_data.view(
    analysis.caseload_table, analysis.CASELOAD_FIGURES, chosen.year, districts, chosen.terms
)
comparator_row = (
    app_data.county_caseload_row(chosen.year, chosen.terms)
    if chosen.restricted
    else app_data.view(
        analysis.caseload_row,
        analysis.CASELOAD_FIGURES,
        chosen.year,
        comparator,
        districts,
        chosen.terms,
    )
)
caseload = pd.concat([caseload, pd.DataFrame([comparator_row])], ignore_index=True)
COLUMNS = {
    "cy_ey": "Caseload: early years",
    "cy_pri": "Caseload: primary",
    "cy_sec": "Caseload: secondary",
    "cy_sa": "Caseload: school age",
    "cy_all": "Caseload: all phases",
    "as_ey": "Actively supported: early years",
    "as_sa": "Actively supported: school age",
    "as_all": "Actively supported: all",
}
result = suppress(
    caseload,
    list(COLUMNS),
    lines_for(
        caseload,
        row_groups=[
            ["cy_ey", "cy_sa", "cy_all"],
            ["cy_pri", "cy_sec", "cy_sa"],
            ["as_ey", "as_sa", "as_all"],
        ],
    ),
)
result = hide_derived(result, {"pct_ey": ["cy_ey", "as_ey"], "pct_sa": ["cy_sa", "as_sa"]})
shown = result.values.rename(
    columns={
        **COLUMNS,
        "pct_ey": "Actively supported: early years (% of caseload)",
        "pct_sa": "Actively supported: school age (% of caseload)",
    }
)
caseload_units = {v: "count" for v in COLUMNS.values()} | {
    "Actively supported: early years (% of caseload)": "percent",
    "Actively supported: school age (% of caseload)": "percent",
}
pair = {
    "all": ("cy_all", "as_all", "all phases", "all phases"),
    "early_years": ("cy_ey", "as_ey", "early years", "early years"),
    "primary": ("cy_pri", "as_sa", "primary", "school age"),
    "secondary": ("cy_sec", "as_sa", "secondary", "school age"),
}[chosen.phase]
bars = result.values[result.values["District"] != comparator]
share = "pct_ey" if pair[1] == "as_ey" else "pct_sa" if pair[1] == "as_sa" else None
if share is None:  # all phases: school age, where most of the caseload is
    share = "pct_sa"
fig = charts.grouped_bars(
    bars,
    "District",
    {pair[0]: f"Caseload ({pair[2]})", pair[1]: f"Actively supported ({pair[3]})"},
    "count",
    # Titled on a share, not a raw count: a large district has a large caseload.
    titles.spread(
        list(bars[share]),
        f"{ {'pct_ey': 'early years', 'pct_sa': 'school-age'}[share] } active support",
        f"of caseload in {districts[0]}" if len(districts) == 1 else "of caseload across districts",
    ),
    "Pupils, average per term",
)
notes = [
    "Counts of children from 1 to 4 are shown as [c], with the next-smallest figure in the "
    "same row or column hidden too, so a hidden figure cannot be worked out from a total."
]
if chosen.phase in ("primary", "secondary"):
    notes.append(
        "Active support is reported for school age (primary and secondary together), so the "
        f"chart shows {pair[2]} caseload beside school-age active support."
    )
if result.hidden_cells:
    notes.append(f"{result.hidden_cells} figure(s) in this table are suppressed.")
ui.chart(
    fig,
    shown,
    caseload_units,
    "Caseload and active support by district",
    f"stls_caseload_{chosen.year}_{filters.terms_param(chosen.terms)}.csv",
    alt=(
        f"Grouped bar chart: for each district, pupils on caseload ({pair[2]}) and pupils "
        f"actively supported ({pair[3]}), average per term; each bar is labelled with its "
        "figure, [c] where it is suppressed."
    ),
    notes=notes,
)
